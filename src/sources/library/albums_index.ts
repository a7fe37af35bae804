/** The album half of the `albums` phase: own and shared albums and their items, into the index. */
import type { IndexPort } from "../../index/mod.ts";
import { nowIso } from "../../index/mod.ts";
import type { AlbumRow, MediaRecord } from "../../index/types.ts";
import type { Album, MediaItem, SearchRequest } from "../../google/types.ts";
import type { EventSink } from "../../events.ts";
import { silent } from "../../events.ts";
import { ApiError, AuthError, DailyQuotaError, UsageError } from "../../errors.ts";
import { recordFromLibraryItem } from "./library_records.ts";

/** What `indexAlbums` needs of the Library client (`LibraryApi` has it; tests may fake it). */
export interface AlbumSource {
  /** Own (`albums.list`) or shared (`sharedAlbums.list`) albums, 50 a page, each once. */
  iterateAlbums(opts: { shared: boolean }): AsyncIterable<Album[]>;
  /** `mediaItems:search` pages, each item once (the client removes Google's paging quirks). */
  iterateMediaItems(opts?: { search?: SearchRequest }): AsyncIterable<MediaItem[]>;
}

/** Which albums a run works on: `--album`, `--album-regex`, `--skip-shared-albums`. */
export interface AlbumFilterOptions {
  /** Leave shared albums alone. */
  skipShared?: boolean;
  /** Only the album with exactly this title. */
  album?: string;
  /** Only albums whose title matches (case-insensitive, unanchored). */
  albumRegex?: string;
}

/** Options of `indexAlbums`. */
export interface IndexAlbumsOptions extends AlbumFilterOptions {
  /** List every album's items again, changed or not. */
  rescan?: boolean;
  /** `photos/YYYY-MM` for items found only in albums. */
  flat?: boolean;
  /** Every album search page as Google sent it: its fresh base URLs spare a `batchGet`. */
  onPage?: (items: readonly MediaItem[]) => void;
  onEvent?: EventSink;
}

/** What `indexAlbums` did. */
export interface IndexAlbumsSummary {
  /** Albums seen in the listings (own and shared). */
  albums: number;
  shared: number;
  /** Albums whose items were listed this run. */
  listed: number;
  /** Albums left as they were: title and item count unchanged (or filtered out). */
  unchanged: number;
  /** Items found only inside albums, new to the index (the download phase fetches them). */
  itemsAdded: number;
  /** Albums marked removed: gone from a complete listing. */
  removed: number;
  /** Albums whose item listing failed (left as they were; retried next run). */
  failed: number;
  /** `sharedAlbums.list` answered 403 (Google's rule since 2025-03-31). */
  sharedDenied: boolean;
  /**
   * Why these listings cannot prove an item absent from every album (a filter, shared albums left
   * out or refused, an album whose items could not be listed), for people; empty when they can.
   */
  incomplete: string[];
}

/** Google's message for shared albums since 2025; printed once per run. */
export const SHARED_DENIED_WARNING =
  "Google refused to list shared albums (403 PERMISSION_DENIED): " +
  "since 2025-03-31 the Library API no longer serves them; shared albums are left as they are " +
  "(a Google Takeout export has them, see `gphotos-sync takeout`)";

/** The filter of `--album`, `--album-regex` and `--skip-shared-albums`; throws UsageError when bad. */
export function albumFilter(
  opts: AlbumFilterOptions,
): (album: { title: string | null; shared: boolean }) => boolean {
  if (opts.album !== undefined && opts.albumRegex !== undefined) {
    throw new UsageError(
      `Use either --album "${opts.album}" or --album-regex "${opts.albumRegex}", not both`,
    );
  }
  let regex: RegExp | undefined;
  if (opts.albumRegex !== undefined) {
    try {
      regex = new RegExp(opts.albumRegex, "iu");
    } catch (err) {
      throw new UsageError(
        `Invalid --album-regex "${opts.albumRegex}": ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return (album) => {
    if (opts.skipShared && album.shared) return false;
    const title = album.title ?? "";
    if (opts.album !== undefined && title !== opts.album) return false;
    if (regex !== undefined && !regex.test(title)) return false;
    return true;
  };
}

/**
 * Lists own albums and (unless `skipShared`) shared albums into the index, then the items of each
 * album that is new or whose title or item count changed (all of them with `rescan`). Items found
 * only in albums join the index with source `album`; no item is ever marked removed here (that
 * takes every listing of a run, see `settleListings`). Albums gone from a complete listing are
 * marked removed; after a failed listing nothing is. A 403 from `sharedAlbums.list` is one
 * warning. Other API errors of the album listings propagate; an album whose item listing fails is
 * skipped with a warning and listed again next run.
 */
export async function indexAlbums(
  api: AlbumSource,
  index: IndexPort,
  opts: IndexAlbumsOptions = {},
): Promise<IndexAlbumsSummary> {
  const emit = opts.onEvent ?? silent;
  const wanted = albumFilter(opts);
  const summary: IndexAlbumsSummary = {
    albums: 0,
    shared: 0,
    listed: 0,
    unchanged: 0,
    itemsAdded: 0,
    removed: 0,
    failed: 0,
    sharedDenied: false,
    incomplete: filterReasons(opts),
  };
  emit({ type: "phase", phase: "albums" });
  // Removal compares times at millisecond grain: step past anything stamped before this call, so an
  // album seen by a run that ended in this same millisecond still counts as unseen.
  await new Promise((resolve) => setTimeout(resolve, 2));
  const listingStart = nowIso();

  const own = await listAlbums(api, index, false);
  const seen = new Map<string, Album>(own.map((a) => [a.id, a]));
  let shared: Album[] = [];
  let sharedComplete = false;
  if (!opts.skipShared) {
    try {
      // An album the user owns and shares comes in both listings; it stays an own album.
      shared = await listAlbums(api, index, true, new Set(seen.keys()));
      sharedComplete = true;
    } catch (err) {
      if (!isPermissionDenied(err)) throw err;
      summary.sharedDenied = true;
      summary.incomplete.push("Google refused to list shared albums");
      emit({ type: "warning", message: SHARED_DENIED_WARNING });
    }
  }
  for (const a of shared) seen.set(a.id, a);
  summary.albums = seen.size;
  summary.shared = shared.length;

  for (const album of index.markUnseenAlbumsRemoved(false, listingStart)) {
    summary.removed++;
    emit({ type: "item", phase: "albums", id: album.id, status: "removed" });
  }
  if (sharedComplete) {
    for (const album of index.markUnseenAlbumsRemoved(true, listingStart)) {
      summary.removed++;
      emit({ type: "item", phase: "albums", id: album.id, status: "removed" });
    }
  }

  const todo: { album: Album; row: AlbumRow; count: number }[] = [];
  for (const album of seen.values()) {
    const row = index.getAlbum(album.id)!;
    const count = itemCount(album);
    if (!wanted(row)) continue;
    const changed = row.itemCount !== count || row.listedTitle !== row.title;
    if (opts.rescan || changed) todo.push({ album, row, count });
  }
  summary.unchanged = seen.size - todo.length;
  emit({ type: "progress", phase: "albums", done: 0, total: todo.length });

  for (const [i, { album, row, count }] of todo.entries()) {
    try {
      const ids = await listAlbumItems(api, index, album, opts, summary);
      index.setAlbumItems(album.id, ids, { count, title: row.title });
      summary.listed++;
      if (ids.length < count) {
        emit({
          type: "info",
          message: `Album "${row.title ?? "Untitled"}" lists ${ids.length} of its ${count} items`,
        });
      }
    } catch (err) {
      // Every other album would fail the same way: stop and say so once.
      if (err instanceof AuthError || err instanceof DailyQuotaError) throw err;
      summary.failed++;
      summary.incomplete.push(
        `the items of album "${row.title ?? "Untitled"}" could not be listed`,
      );
      emit({
        type: "warning",
        message: `Cannot list the items of album "${row.title ?? "Untitled"}": ${
          (err as Error).message
        }; it is listed again next run`,
      });
    }
    emit({ type: "progress", phase: "albums", done: i + 1, total: todo.length });
  }
  return summary;
}

/** The filters that leave albums unlisted, as reasons for the removal rule. */
function filterReasons(opts: AlbumFilterOptions): string[] {
  const reasons: string[] = [];
  if (opts.skipShared) reasons.push("shared albums were not listed (--skip-shared-albums)");
  if (opts.album !== undefined) reasons.push(`albums were filtered by --album "${opts.album}"`);
  if (opts.albumRegex !== undefined) {
    reasons.push(`albums were filtered by --album-regex "${opts.albumRegex}"`);
  }
  return reasons;
}

/** Lists one kind of album into the index; returns the albums listed. */
async function listAlbums(
  api: AlbumSource,
  index: IndexPort,
  shared: boolean,
  skip: Set<string> = new Set(),
): Promise<Album[]> {
  const albums: Album[] = [];
  for await (const page of api.iterateAlbums({ shared })) {
    for (const album of page) {
      if (skip.has(album.id)) continue;
      const stored = index.upsertAlbum({
        id: album.id,
        title: album.title === "" ? undefined : album.title,
        shared,
        productUrl: album.productUrl,
      });
      // An id with a NUL is no Google album's: the index refused it, so it is not listed further.
      if (stored) albums.push(album);
    }
  }
  return albums;
}

/** Lists an album's items; new ones join the index. Returns the ids in album order. */
async function listAlbumItems(
  api: AlbumSource,
  index: IndexPort,
  album: Album,
  opts: IndexAlbumsOptions,
  summary: IndexAlbumsSummary,
): Promise<string[]> {
  const emit = opts.onEvent ?? silent;
  const ids: string[] = [];
  const search: SearchRequest = { albumId: album.id, pageSize: 100 };
  for await (const page of api.iterateMediaItems({ search })) {
    opts.onPage?.(page);
    const records: MediaRecord[] = [];
    for (const item of page) {
      ids.push(item.id);
      const known = index.getItem(item.id);
      // Library items are refreshed by the library listing; an album search's productUrl points
      // into the album, so only album-only items are refreshed here (which also un-removes them).
      if (!known || known.source === "album") {
        records.push(recordFromLibraryItem(item, "album"));
      }
    }
    const result = index.upsertItems(records, { flat: opts.flat });
    for (const r of result.refused) emit({ type: "warning", message: r.reason });
    summary.itemsAdded += result.added.length;
    for (const row of result.added) {
      emit({ type: "item", phase: "albums", id: row.id, path: row.path, status: "added" });
    }
  }
  return ids;
}

/** `mediaItemsCount` is an int64 carried as a string; absent means empty. */
function itemCount(album: Album): number {
  const n = Number(album.mediaItemsCount ?? "0");
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** A 403 from the shared-albums listing: Google's 2025 rule, whatever the message says. */
function isPermissionDenied(err: unknown): boolean {
  if (err instanceof ApiError) return err.status === 403 || err.code === "PERMISSION_DENIED";
  // The client turns "insufficient authentication scopes" 403s into AuthError.
  return err instanceof AuthError && /\b403\b|PERMISSION_DENIED/.test(err.message);
}
