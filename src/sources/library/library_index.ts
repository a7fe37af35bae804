/** The `index` phase: list the library into the index, page by page. */
import type { IndexPort } from "../../index/mod.ts";
import type { MediaRow } from "../../index/types.ts";
import type { MediaItem, SearchFilters, SearchRequest } from "../../google/types.ts";
import type { EventSink } from "../../events.ts";
import { silent } from "../../events.ts";
import { UsageError } from "../../errors.ts";
import { isVideoItem, recordFromLibraryItem } from "./library_records.ts";

/** Pages of media items, as the Library client yields them (quirks already removed). */
export interface MediaPager {
  iterateMediaItems(opts?: { search?: SearchRequest }): AsyncIterable<MediaItem[]>;
}

/** Options of the `index` phase. */
export interface IndexOptions {
  /** YYYY-MM-DD, inclusive. */
  startDate?: string;
  /** YYYY-MM-DD, inclusive. */
  endDate?: string;
  skipVideo?: boolean;
  favouritesOnly?: boolean;
  /** Also index archived items (one extra search). */
  archived?: boolean;
  /**
   * Run that search even without `archived`, only to see which known items are archived (the
   * removal rule needs it): it adds no new items.
   */
  checkArchived?: boolean;
  /** `photos/YYYY-MM`. */
  flat?: boolean;
  onEvent?: EventSink;
  /** Called after each page lands, with the items it added (so downloads can start early). */
  onAdded?: (added: MediaRow[]) => void;
  /** Called with each raw page, e.g. to keep its fresh base URLs for the download phase. */
  onPage?: (items: MediaItem[]) => void;
  /** Stops the listing between pages (Ctrl-C); a stopped listing throws. */
  signal?: AbortSignal;
}

/** What the `index` phase did. */
export interface IndexSummary {
  listed: number;
  added: number;
  updated: number;
  /** Items the run's removal rule marked removed (`runSync` fills it in after every listing). */
  removed: number;
  /** True when the whole library was listed, unfiltered, without error. */
  complete: boolean;
  /** The archived search ran to its end too. */
  archivedSearched: boolean;
  /** The listing came back empty although Google was reachable: the 2025 policy, most likely. */
  emptyListing: boolean;
}

/**
 * Lists the library into the index. Only the plain `mediaItems.list` is complete (date filters never
 * match undated or future items), so it is used for the whole library; filtered searches serve
 * `--start-date`, `--end-date` and `--favourites-only`. Every run lists everything, which also
 * catches items uploaded later with older capture dates.
 */
export async function indexLibrary(
  api: MediaPager,
  index: IndexPort,
  opts: IndexOptions = {},
): Promise<IndexSummary> {
  const emit = opts.onEvent ?? silent;
  const summary: IndexSummary = {
    listed: 0,
    added: 0,
    updated: 0,
    removed: 0,
    complete: false,
    archivedSearched: false,
    emptyListing: false,
  };
  const filtered = opts.startDate !== undefined || opts.endDate !== undefined ||
    opts.favouritesOnly === true;
  emit({ type: "phase", phase: "index" });

  const land = async (items: MediaItem[], extra: { archived?: boolean; favourite?: boolean }) => {
    // The client asks for the next page before handing over this one; one turn of the event loop
    // lets that request leave before the (synchronous) index writes below hold the thread.
    await new Promise((resolve) => setTimeout(resolve, 0));
    opts.signal?.throwIfAborted();
    opts.onPage?.(items);
    const records = [];
    const touched = [];
    for (const item of items) {
      if (opts.skipVideo && isVideoItem(item)) {
        if (index.hasItem(item.id)) touched.push(item.id);
        continue;
      }
      const rec = recordFromLibraryItem(item, "library");
      if (extra.archived !== undefined) rec.archived = extra.archived;
      if (extra.favourite !== undefined) rec.favourite = extra.favourite;
      records.push(rec);
    }
    if (touched.length) {
      index.touchItems(touched);
      if (extra.archived !== undefined) index.setFlag(touched, "archived", extra.archived);
    }
    const result = index.upsertItems(records, { flat: opts.flat });
    for (const r of result.refused) emit({ type: "warning", message: r.reason });
    summary.listed += items.length;
    summary.added += result.added.length;
    summary.updated += result.updated;
    for (const row of result.added) {
      emit({ type: "item", phase: "index", id: row.id, path: row.path, status: "added" });
    }
    emit({ type: "progress", phase: "index", done: summary.listed });
    if (result.added.length && opts.onAdded) opts.onAdded(result.added);
  };

  if (filtered) {
    const filters = searchFilters(opts);
    for await (const page of api.iterateMediaItems({ search: { pageSize: 100, filters } })) {
      await land(page, opts.favouritesOnly ? { favourite: true } : {});
    }
    // A filtered search is never the whole library: nothing is marked removed.
    return summary;
  }

  const listed = new Set<string>();
  for await (const page of api.iterateMediaItems()) {
    for (const item of page) listed.add(item.id);
    // The plain listing never returns an archived item: one it returns is not (or no longer) so.
    await land(page, { archived: false });
  }
  if (opts.archived || opts.checkArchived) {
    const search = { pageSize: 100, filters: { includeArchivedMedia: true } };
    for await (const page of api.iterateMediaItems({ search })) {
      // Items the plain listing did not return are the archived ones.
      const archived = page.filter((item) => !listed.has(item.id));
      if (opts.archived) await land(archived, { archived: true });
      else await noteArchived(index, archived, opts.signal);
    }
    summary.archivedSearched = true;
  }
  summary.complete = true;
  // The CLI says what this means and what to do instead, once, after the run's summary.
  if (summary.listed === 0 && listed.size === 0) summary.emptyListing = true;
  return summary;
}

/** Marks the known items of an archived-search page as seen and archived; adds no new ones. */
async function noteArchived(
  index: IndexPort,
  items: MediaItem[],
  signal: AbortSignal | undefined,
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  signal?.throwIfAborted();
  const known = items.map((item) => item.id).filter((id) => index.hasItem(id));
  index.touchItems(known);
  index.setFlag(known, "archived", true);
}

/** The search filters for a date-limited or favourites-only run. */
export function searchFilters(opts: IndexOptions): SearchFilters {
  const filters: SearchFilters = {};
  if (opts.startDate !== undefined || opts.endDate !== undefined) {
    const startDate = parseDay(opts.startDate ?? "1900-01-01", "--start-date");
    const endDate = parseDay(opts.endDate ?? "9999-12-31", "--end-date");
    const key = (d: { year: number; month: number; day: number }) =>
      d.year * 10_000 + d.month * 100 + d.day;
    if (key(startDate) > key(endDate)) {
      throw new UsageError(
        `--start-date "${opts.startDate}" is after --end-date "${opts.endDate}": swap them`,
      );
    }
    filters.dateFilter = { ranges: [{ startDate, endDate }] };
  }
  if (opts.favouritesOnly) filters.featureFilter = { includedFeatures: ["FAVORITES"] };
  if (opts.skipVideo) filters.mediaTypeFilter = { mediaTypes: ["PHOTO"] };
  if (opts.archived) filters.includeArchivedMedia = true;
  return filters;
}

/** Parses YYYY-MM-DD into a filter date, or throws UsageError. */
export function parseDay(
  text: string,
  option: string,
): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : undefined;
  if (!m || !d || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) {
    throw new UsageError(`Invalid ${option} "${text}": expected a date as YYYY-MM-DD`);
  }
  return { year: +m[1], month: +m[2], day: +m[3] };
}
