/**
 * One `sync` run, in its phases: list the library (downloads start as pages land), list albums,
 * finish the downloads, settle what Google removed (only what no complete listing returned),
 * delete it when asked, link album folders. It knows nothing of the terminal: it reports through
 * events and returns a result.
 */
import type { EventSink } from "../events.ts";
import { silent } from "../events.ts";
import type { MediaIndex } from "../index/media_index.ts";
import type { MediaRow } from "../index/types.ts";
import { nowIso, settleListings } from "../index/mod.ts";
import {
  indexLibrary,
  type IndexOptions,
  type IndexSummary,
  type MediaPager,
} from "../sources/library/library_index.ts";
import {
  type AlbumSource,
  indexAlbums,
  type IndexAlbumsOptions,
  type IndexAlbumsSummary,
} from "../sources/library/albums_index.ts";
import { type BatchGetter, LibraryUrlSource } from "../sources/library/media_urls.ts";
import {
  type AlbumFoldersOptions,
  type AlbumFoldersSummary,
  syncAlbumFolders,
} from "./album_links.ts";
import { deleteAfterListing, type DeleteSummary } from "./deletions.ts";
import type { FileWriter } from "../files/writer.ts";
import {
  type CallTally,
  DownloadEngine,
  type DownloadSummary,
  type MediaFetcher,
} from "./download_engine.ts";

/** What a run works with: TARGET, its index, the Library client and the media fetcher. */
export interface SyncDeps {
  target: string;
  index: MediaIndex;
  /** The Library API client (`LibraryApi`): listing, album listing, fresh URLs. */
  library: MediaPager & AlbumSource & BatchGetter;
  /** Fetches media (`GoogleHttp`). */
  http: MediaFetcher;
  onEvent?: EventSink;
  /** Ctrl-C: listings stop between pages, downloads under way are cut and resumed next run. */
  signal?: AbortSignal;
  /** The pacer's tally, for the download summary's call counts. */
  tally?: CallTally;
}

/** Which phases run, and how; `false` leaves a phase out. */
export interface RunSyncOptions {
  /** The library listing (`--skip-index`: false). */
  listing: Omit<IndexOptions, "onEvent" | "onAdded" | "onPage" | "signal"> | false;
  /** Downloads (`--index-only`: false). */
  download: {
    maxThreads?: number;
    /** Bytes a second for all transfers together. */
    bwlimit?: number;
    skipVideo?: boolean;
    retryDownload?: boolean;
    checksum?: boolean;
  } | false;
  /** Album listing and album folders (`--skip-albums`: false); folders only when downloading. */
  albums:
    | {
      listing: Omit<IndexAlbumsOptions, "onEvent" | "onPage">;
      links: Omit<AlbumFoldersOptions, "onEvent">;
    }
    | false;
  /**
   * `--do-delete`: files of items no listing returned go, only when every listing ran completely.
   * It adds the archived search and lists every album's items afresh.
   */
  doDelete?: boolean;
  /**
   * What changes TARGET besides downloads. A dry-run writer (with downloads off and a scratch
   * index) plans deletions and album folders instead of making them.
   */
  writer?: FileWriter;
}

/** The removal rule's outcome for one run. */
export interface RemovalOutcome {
  /** The listings that did not run completely; empty when absence was proven. */
  incomplete: string[];
  /** Items marked removed by this run. */
  removed: number;
  /** Items the plain listing missed that stay (`status` says why). */
  kept: number;
}

/** What a run did, phase by phase; a phase left out (or not reached) is undefined. */
export interface SyncResult {
  indexed?: IndexSummary;
  albums?: IndexAlbumsSummary;
  downloaded?: DownloadSummary;
  deleted?: DeleteSummary;
  linked?: AlbumFoldersSummary;
  /** Set when the library listing ran completely, so the removal rule could be applied. */
  removal?: RemovalOutcome;
}

/**
 * Runs the phases in order: listing (feeding the engine page by page), what the index still lacks,
 * album listing (and what only albums hold), the engine's finish, the removal rule, deletions,
 * album folders. A listing that fails still lets what was queued land, then throws.
 */
export async function runSync(deps: SyncDeps, options: RunSyncOptions): Promise<SyncResult> {
  const onEvent = deps.onEvent ?? silent;
  const urls = new LibraryUrlSource({ api: deps.library });
  const engine = options.download
    ? new DownloadEngine({
      target: deps.target,
      index: deps.index,
      http: deps.http,
      urls,
      maxThreads: options.download.maxThreads,
      bwlimit: options.download.bwlimit,
      skipVideo: options.download.skipVideo,
      onEvent,
      signal: deps.signal,
      tally: deps.tally,
    })
    : undefined;
  const result: SyncResult = {};
  const doDelete = options.doDelete === true;
  // Every listing stamps what it returns after this instant; step past stamps of a run that ended
  // in this same millisecond.
  await new Promise((resolve) => setTimeout(resolve, 2));
  const since = nowIso();
  let failure: unknown;
  try {
    if (options.listing) {
      result.indexed = await indexLibrary(deps.library, deps.index, {
        ...options.listing,
        // Deleting needs to know which items are archived, with or without `--archived`.
        checkArchived: doDelete,
        onEvent,
        signal: deps.signal,
        // Fresh URLs from the listing spare a batchGet; new items start downloading at once.
        onPage: engine ? (items) => urls.seed(items) : undefined,
        onAdded: engine ? (rows) => engine.add(rows) : undefined,
      });
    }
    await engine?.addFromIndex({
      retryDownload: options.download ? options.download.retryDownload : false,
      checksum: options.download ? options.download.checksum : false,
    });
    if (options.albums) {
      result.albums = await indexAlbums(deps.library, deps.index, {
        ...options.albums.listing,
        // Deleting needs every album's items as Google lists them now, not as a past run saw them.
        rescan: options.albums.listing.rescan || doDelete,
        // Album searches carry fresh URLs too: items found only in albums need no batchGet.
        onPage: engine ? (items) => urls.seed(items) : undefined,
        onEvent,
      });
      // Items found only inside albums are fetched like any other.
      await engine?.addFromIndex({});
    }
  } catch (err) {
    failure = err;
  }
  // What is queued still lands, even when a listing failed: nothing fetched is wasted.
  if (engine) result.downloaded = await engine.finish();
  if (failure) throw failure;
  const incomplete = incompleteListings(options, result);
  let gone: MediaRow[] = [];
  if (result.indexed?.complete) {
    const settled = settleListings(deps.index, { since, incomplete });
    gone = settled.gone;
    result.indexed.removed = settled.newlyRemoved.length;
    result.removal = { incomplete, removed: settled.newlyRemoved.length, kept: settled.kept };
    for (const row of settled.newlyRemoved) {
      onEvent({ type: "item", phase: "index", id: row.id, path: row.path, status: "removed" });
    }
  }
  if (doDelete) {
    const stopped = deps.signal?.aborted ? ["the run was interrupted"] : [];
    result.deleted = await deleteAfterListing(deps.target, deps.index, {
      incomplete: [...incomplete, ...stopped],
      gone,
      onEvent,
      writer: options.writer,
    });
  }
  const planning = options.writer?.dryRun === true;
  if (options.albums && (engine || planning) && !result.downloaded?.interrupted) {
    result.linked = await syncAlbumFolders(deps.target, deps.index, {
      ...options.albums.links,
      onEvent,
      writer: options.writer,
    });
  }
  return result;
}

/**
 * Why this run cannot prove an item gone: each listing the rule needs that did not run completely
 * (the plain listing, the archived search, every own and shared album). Empty when it can.
 */
function incompleteListings(options: RunSyncOptions, result: SyncResult): string[] {
  const why: string[] = [];
  const listing = result.indexed;
  if (!listing) why.push("the library listing did not run (--skip-index)");
  else if (!listing.complete) {
    why.push("the library listing was filtered (--start-date, --end-date or --favourites-only)");
  } else {
    if (listing.emptyListing) {
      why.push("the library listing came back empty (Google's 2025 policy, most likely)");
    }
    if (!listing.archivedSearched) {
      why.push("the archived search did not run (it runs with --archived or --do-delete)");
    }
  }
  if (!options.albums || !result.albums) why.push("the album listings did not run");
  else why.push(...result.albums.incomplete);
  return why;
}
