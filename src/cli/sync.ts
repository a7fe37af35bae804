/** `gphotos-sync [sync] TARGET`: options → the core's `runSync` → summary and exit code. */
import { EXIT } from "../errors.ts";
import { runSync as syncCore, type SyncResult } from "../sync/run_sync.ts";
import type { CliContext } from "./context.ts";
import { openSession, type Session } from "./session.ts";
import type { RunEvent } from "../events.ts";
import { emptyLibraryBlock, emptyLibraryMessage, libraryItems } from "./empty_library.ts";
import { dryRunWriter } from "../files/writer.ts";
import { selectDownloads } from "../sync/select_items.ts";
import { planCounts, planLines } from "./dry_run_plan.ts";
import {
  deletedLine,
  type IndexCommandOptions,
  indexOptionsFrom,
  indexSummaryLines,
} from "./index_library.ts";
import {
  checkChecksum,
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
  /** Bytes a second for all transfers together. */
  bwlimit?: number;
  retryDownload?: boolean;
  checksum?: boolean;
  dryRun?: boolean;
  skipIndex?: boolean;
  indexOnly?: boolean;
  skipAlbums?: boolean;
}

/** Runs `sync`; returns the exit code (4 when items failed). */
export async function runSync(target: string, opts: SyncOptions, ctx: CliContext): Promise<number> {
  checkChecksum(opts);
  if (opts.dryRun) return await dryRun(target, opts, ctx);
  const session = await openSession(target, { ...opts, command: "sync" }, ctx);
  const tally = session.pacer.tally;
  let status: "ok" | "partial" | "failed" | "interrupted" = "failed";
  let summary: Record<string, unknown> | undefined;
  try {
    const result = await syncCore(coreDeps(session, ctx), {
      ...coreOptions(opts),
      download: opts.indexOnly ? false : {
        maxThreads: threadsFrom(opts),
        bwlimit: opts.bwlimit,
        skipVideo: opts.skipVideo,
        retryDownload: opts.retryDownload,
        checksum: opts.checksum,
      },
    });
    summary = syncSummaryObject(result, tally);
    const empty = result.indexed?.emptyListing === true;
    if (empty && opts.json) session.reporter.warn(emptyLibraryMessage());
    session.reporter.summary(summary, syncSummaryLines(result, tally));
    if (empty && !opts.json) {
      ctx.stderr(emptyLibraryBlock(target, libraryItems(session.index.counts())));
    }
    const { downloaded, albums } = result;
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

/**
 * `--dry-run`: the listings run (they only read Google) into a private copy of the index; what
 * would be fetched is chosen from it, and deletions and album folders are planned by a dry-run
 * writer. TARGET, its index and its files stay as they were; no run is recorded.
 */
async function dryRun(target: string, opts: SyncOptions, ctx: CliContext): Promise<number> {
  const session = await openSession(target, { ...opts, command: "sync", dryRun: true }, ctx);
  const tally = session.pacer.tally;
  try {
    const writer = dryRunWriter(session.target);
    const result = await syncCore(coreDeps(session, ctx), {
      ...coreOptions(opts),
      download: false,
      writer,
    });
    const selected = opts.indexOnly ? [] : await selectDownloads(session.target, session.index, {
      skipVideo: opts.skipVideo,
      retryDownload: opts.retryDownload,
      checksum: opts.checksum,
    });
    const summary = {
      ...syncSummaryObject(result, tally),
      dryRun: true,
      wouldDownload: selected.length,
      planned: planCounts(writer.planned),
    };
    const lines = [
      // The counts are the plan's: say so where they would read as done.
      ...syncSummaryLines(result, tally).map((l) =>
        l.startsWith("deleted: ") ? `would be ${l}` : l
      ),
      ...selected.slice(0, 30).map(({ row, recheck }) =>
        `  would download ${row.path}` + (recheck ? ` (file ${recheck})` : "")
      ),
      ...(selected.length > 30 ? [`  ... and ${selected.length - 30} more downloads`] : []),
      ...planLines(writer.planned),
      `sync --dry-run: ${selected.length} items would be fetched and ${writer.planned.length} ` +
      `changes made to files and folders; nothing was changed`,
    ];
    session.reporter.summary(summary, lines);
    return EXIT.ok;
  } finally {
    session.close("ok");
  }
}

/** The sync summary as a JSON object (the last `--json` line). */
export function syncSummaryObject(
  r: SyncResult,
  tally: { apiCalls: number; mediaFetches: number },
): Record<string, unknown> {
  return {
    command: "sync",
    index: r.indexed ?? null,
    download: r.downloaded
      ? { ...transferFields(r.downloaded), rechecked: r.downloaded.rechecked }
      : null,
    deleted: r.deleted ?? null,
    albums: r.albums ?? null,
    links: r.linked ?? null,
    apiCalls: tally.apiCalls,
    mediaFetches: tally.mediaFetches,
  };
}

/** The sync summary for people: one block per phase that ran, then the calls. */
export function syncSummaryLines(
  r: SyncResult,
  tally: { apiCalls: number; mediaFetches: number },
): string[] {
  const lines: string[] = [];
  if (r.indexed) lines.push(...indexSummaryLines(r.indexed, tally).slice(0, 1));
  if (r.deleted) lines.push(deletedLine(r.deleted));
  if (r.downloaded) lines.push(...downloadSummaryLines(r.downloaded, tally).slice(0, -1));
  if (r.albums && r.linked) {
    lines.push(...albumsSummaryLines(r.albums, r.linked, tally).slice(0, -1));
  }
  lines.push(
    `API calls: ${tally.apiCalls} of Google's 10,000 a day; media fetches: ${tally.mediaFetches} of 75,000 a day`,
  );
  return lines;
}

/** What the core needs of an open session. */
function coreDeps(session: Session, ctx: CliContext) {
  return {
    target: session.target,
    index: session.index,
    library: session.library,
    http: session.http,
    onEvent: (e: RunEvent) => session.reporter.event(e),
    signal: ctx.signal,
    tally: session.pacer.tally,
  };
}

/** The listing, album and deletion options of a sync, the same for a real and a dry run. */
function coreOptions(opts: SyncOptions) {
  return {
    listing: opts.skipIndex ? false as const : indexOptionsFrom(opts),
    albums: opts.skipAlbums
      ? false as const
      : { listing: albumIndexOptionsFrom(opts), links: albumLinkOptionsFrom(opts) },
    doDelete: opts.doDelete,
  };
}
