/** `gphotos-sync [sync] TARGET`: index, then download, then albums; downloads start as pages land. */
import { EXIT } from "../errors.ts";
import type { EventSink } from "../events.ts";
import { DownloadEngine, type DownloadSummary } from "../sync/download_engine.ts";
import { LibraryUrlSource } from "../sources/library/media_urls.ts";
import { indexLibrary, type IndexSummary } from "../sources/library/library_index.ts";
import { indexAlbums, type IndexAlbumsSummary } from "../sources/library/albums_index.ts";
import { type AlbumFoldersSummary, syncAlbumFolders } from "../sync/album_links.ts";
import type { CliContext } from "./context.ts";
import { openSession } from "./session.ts";
import {
  deletedLine,
  deleteIfComplete,
  type IndexCommandOptions,
  indexOptionsFrom,
  indexSummaryLines,
} from "./index_library.ts";
import type { DeleteSummary } from "../sync/deletions.ts";
import {
  downloadExitCode,
  downloadStatus,
  downloadSummaryLines,
  threadsFrom,
  transferFields,
} from "./download.ts";
import {
  albumIndexOptionsFrom,
  albumLinkOptionsFrom,
  type AlbumsCommandOptions,
  albumsSummaryLines,
} from "./albums.ts";

/** Options of `sync`: those of index, download and albums, plus phase switches. */
export interface SyncOptions extends IndexCommandOptions, AlbumsCommandOptions {
  maxThreads?: number;
  concurrency?: number;
  retryDownload?: boolean;
  skipIndex?: boolean;
  indexOnly?: boolean;
  skipAlbums?: boolean;
}

/** Runs `sync`; returns the exit code (4 when items failed). */
export async function runSync(target: string, opts: SyncOptions, ctx: CliContext): Promise<number> {
  const session = await openSession(target, { ...opts, command: "sync" }, ctx);
  const onEvent: EventSink = (e) => session.reporter.event(e);
  const tally = session.pacer.tally;
  const urls = new LibraryUrlSource({ api: session.library });
  const download = !opts.indexOnly;
  const engine = download
    ? new DownloadEngine({
      target: session.target,
      index: session.index,
      http: session.http,
      urls,
      maxThreads: threadsFrom(opts),
      skipVideo: opts.skipVideo,
      onEvent,
      signal: ctx.signal,
      tally,
    })
    : undefined;
  let indexed: IndexSummary | undefined;
  let albums: IndexAlbumsSummary | undefined;
  let linked: AlbumFoldersSummary | undefined;
  let downloaded: DownloadSummary | undefined;
  let deleted: DeleteSummary | undefined;
  let failure: unknown;
  let status: "ok" | "partial" | "failed" | "interrupted" = "failed";
  let summary: Record<string, unknown> | undefined;
  try {
    try {
      if (!opts.skipIndex) {
        indexed = await indexLibrary(session.library, session.index, {
          ...indexOptionsFrom(opts),
          onEvent,
          signal: ctx.signal,
          // Fresh URLs from the listing spare a batchGet; new items start downloading at once.
          onPage: (items) => urls.seed(items),
          onAdded: (rows) => engine?.add(rows),
        });
      }
      await engine?.addFromIndex({ retryDownload: opts.retryDownload });
      if (!opts.skipAlbums) {
        albums = await indexAlbums(session.library, session.index, {
          ...albumIndexOptionsFrom(opts),
          onEvent,
        });
        // Items found only inside albums are fetched like any other.
        await engine?.addFromIndex({});
      }
    } catch (err) {
      failure = err;
    }
    // What is queued still lands, even when a listing failed: nothing fetched is wasted.
    if (engine) downloaded = await engine.finish();
    if (failure) throw failure;
    if (opts.doDelete && indexed) {
      deleted = await deleteIfComplete(session.target, session.index, indexed, session.reporter);
    }
    if (!opts.skipAlbums && !opts.indexOnly && !downloaded?.interrupted) {
      linked = await syncAlbumFolders(session.target, session.index, {
        ...albumLinkOptionsFrom(opts),
        onEvent,
      });
    }
    summary = {
      command: "sync",
      index: indexed ?? null,
      download: downloaded
        ? { ...transferFields(downloaded), rechecked: downloaded.rechecked }
        : null,
      deleted: deleted ?? null,
      albums: albums ?? null,
      links: linked ?? null,
      apiCalls: tally.apiCalls,
      mediaFetches: tally.mediaFetches,
    };
    const lines: string[] = [];
    if (indexed) lines.push(...indexSummaryLines(indexed, tally).slice(0, 1));
    if (deleted) lines.push(deletedLine(deleted));
    if (downloaded) lines.push(...downloadSummaryLines(downloaded, tally).slice(0, -1));
    if (albums && linked) lines.push(...albumsSummaryLines(albums, linked, tally).slice(0, -1));
    lines.push(
      `API calls: ${tally.apiCalls} of Google's 10,000 a day; media fetches: ${tally.mediaFetches} of 75,000 a day`,
    );
    session.reporter.summary(summary, lines);
    const albumFailed = (albums?.failed ?? 0) > 0;
    if (downloaded) {
      status = downloadStatus(downloaded);
      if (status === "ok" && albumFailed) status = "partial";
      const code = downloadExitCode(downloaded);
      return code === EXIT.ok && albumFailed ? EXIT.partial : code;
    }
    status = albumFailed ? "partial" : "ok";
    return albumFailed ? EXIT.partial : EXIT.ok;
  } finally {
    session.close(status, summary);
  }
}
