/**
 * One `sync` run, in its phases: list the library (downloads start as pages land), list albums,
 * finish the downloads, delete what Google removed (only after a complete listing), link album
 * folders. It knows nothing of the terminal: it reports through events and returns a result.
 */
import type { EventSink } from "../events.ts";
import { silent } from "../events.ts";
import type { MediaIndex } from "../index/media_index.ts";
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
  download: { maxThreads?: number; skipVideo?: boolean; retryDownload?: boolean } | false;
  /** Album listing and album folders (`--skip-albums`: false); folders only when downloading. */
  albums:
    | { listing: Omit<IndexAlbumsOptions, "onEvent">; links: Omit<AlbumFoldersOptions, "onEvent"> }
    | false;
  /** `--do-delete`: files of items gone from Google go, after a complete listing only. */
  doDelete?: boolean;
}

/** What a run did, phase by phase; a phase left out (or not reached) is undefined. */
export interface SyncResult {
  indexed?: IndexSummary;
  albums?: IndexAlbumsSummary;
  downloaded?: DownloadSummary;
  deleted?: DeleteSummary;
  linked?: AlbumFoldersSummary;
}

/**
 * Runs the phases in order: listing (feeding the engine page by page), what the index still lacks,
 * album listing (and what only albums hold), the engine's finish, deletions, album folders. A
 * listing that fails still lets what was queued land, then throws.
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
      skipVideo: options.download.skipVideo,
      onEvent,
      signal: deps.signal,
      tally: deps.tally,
    })
    : undefined;
  const result: SyncResult = {};
  let failure: unknown;
  try {
    if (options.listing) {
      result.indexed = await indexLibrary(deps.library, deps.index, {
        ...options.listing,
        onEvent,
        signal: deps.signal,
        // Fresh URLs from the listing spare a batchGet; new items start downloading at once.
        onPage: engine ? (items) => urls.seed(items) : undefined,
        onAdded: engine ? (rows) => engine.add(rows) : undefined,
      });
    }
    await engine?.addFromIndex({
      retryDownload: options.download ? options.download.retryDownload : false,
    });
    if (options.albums) {
      result.albums = await indexAlbums(deps.library, deps.index, {
        ...options.albums.listing,
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
  if (options.doDelete && result.indexed) {
    result.deleted = await deleteAfterListing(deps.target, deps.index, {
      listing: result.indexed,
      onEvent,
    });
  }
  if (options.albums && engine && !result.downloaded?.interrupted) {
    result.linked = await syncAlbumFolders(deps.target, deps.index, {
      ...options.albums.links,
      onEvent,
    });
  }
  return result;
}
