/** `gphotos-sync download TARGET`: fetch what the index has and the disk lacks. */
import { resolve } from "node:path";
import { EXIT, UsageError } from "../errors.ts";
import { downloadPending, type DownloadSummary } from "../sync/download_engine.ts";
import { LibraryUrlSource } from "../sources/library/media_urls.ts";
import { selectDownloads } from "../sync/select_items.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { createReporter, formatBytes } from "./reporter.ts";
import { openExistingIndex, openSession } from "./session.ts";

/** Options of `download`. */
export interface DownloadCommandOptions extends GlobalOptions {
  secret?: string;
  maxThreads?: number;
  /** Alias of `maxThreads`; wins when given. */
  concurrency?: number;
  /** Bytes a second for all transfers together. */
  bwlimit?: number;
  retryDownload?: boolean;
  /** With `retryDownload`: hash files, fetch again those whose SHA-256 differs. */
  checksum?: boolean;
  skipVideo?: boolean;
  /** List what would be fetched; touch neither Google nor the disk. */
  dryRun?: boolean;
}

/** Google's daily quotas per project, shown beside the run's counts. */
export const DAILY_QUOTA = { apiCalls: 10_000, mediaFetches: 75_000 } as const;

/** Runs `download`; returns the exit code (4 when items failed). */
export async function runDownload(
  target: string,
  opts: DownloadCommandOptions,
  ctx: CliContext,
): Promise<number> {
  checkChecksum(opts);
  if (opts.dryRun) return await dryRun(target, opts, ctx);
  const session = await openSession(target, { ...opts, command: "download" }, ctx);
  let status: "ok" | "partial" | "failed" | "interrupted" = "failed";
  let summary: Record<string, unknown> | undefined;
  try {
    const result = await downloadPending({
      target: session.target,
      index: session.index,
      http: session.http,
      urls: new LibraryUrlSource({ api: session.library }),
      maxThreads: threadsFrom(opts),
      bwlimit: opts.bwlimit,
      skipVideo: opts.skipVideo,
      onEvent: (e) => session.reporter.event(e),
      signal: ctx.signal,
      tally: session.pacer.tally,
    }, { retryDownload: opts.retryDownload, checksum: opts.checksum });
    const tally = session.pacer.tally;
    summary = downloadSummaryObject(result, tally);
    session.reporter.summary(summary, downloadSummaryLines(result, tally));
    status = downloadStatus(result);
    return downloadExitCode(result);
  } finally {
    session.close(status, summary);
  }
}

/** `--dry-run`: the items a download would fetch, from the index alone (no token, no network). */
async function dryRun(
  target: string,
  opts: DownloadCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const index = await openExistingIndex(target);
  try {
    const selected = await selectDownloads(resolve(target), index, {
      skipVideo: opts.skipVideo,
      retryDownload: opts.retryDownload,
      checksum: opts.checksum,
    });
    const summary = {
      command: "download",
      dryRun: true,
      wouldDownload: selected.length,
      items: selected.map(({ row, recheck }) => ({
        id: row.id,
        path: row.path,
        mediaType: row.mediaType,
        ...(recheck ? { recheck } : {}),
      })),
    };
    const lines = selected.map(({ row, recheck }) =>
      `would download ${row.path}` + (recheck ? ` (file ${recheck})` : "")
    );
    lines.push(
      `download --dry-run: ${selected.length} items would be fetched; nothing was changed`,
    );
    createReporter(ctx, opts).summary(summary, lines);
    return EXIT.ok;
  } finally {
    index.close();
  }
}

/** `--checksum` changes how `--retry-download` re-checks files; alone it would do nothing. */
export function checkChecksum(opts: { checksum?: boolean; retryDownload?: boolean }): void {
  if (opts.checksum && !opts.retryDownload) {
    throw new UsageError(
      `"--checksum" needs "--retry-download": it re-checks files already downloaded by SHA-256`,
    );
  }
}

/** `--concurrency` if given, else `--max-threads` (default 16). */
export function threadsFrom(opts: { maxThreads?: number; concurrency?: number }): number {
  return opts.concurrency ?? opts.maxThreads ?? 16;
}

/** The run status recorded in the index for a download summary. */
export function downloadStatus(r: DownloadSummary): "ok" | "partial" | "interrupted" {
  return r.interrupted ? "interrupted" : r.failed.length > 0 ? "partial" : "ok";
}

/** Exit code of a download: 130 when interrupted, 4 when items failed, else 0. */
export function downloadExitCode(r: DownloadSummary): number {
  return r.interrupted ? EXIT.interrupted : r.failed.length > 0 ? EXIT.partial : EXIT.ok;
}

/** What every fetching run reports alike: what landed, what was left and why. */
export function transferFields(
  r: Pick<
    DownloadSummary,
    "downloaded" | "recorded" | "skipped" | "failed" | "bytes" | "interrupted"
  >,
): Record<string, unknown> {
  return {
    downloaded: r.downloaded,
    recorded: r.recorded,
    skipped: r.skipped.length,
    skippedItems: r.skipped,
    failed: r.failed.length,
    failedItems: r.failed,
    bytes: r.bytes,
    interrupted: r.interrupted,
  };
}

/** The run's calls beside Google's daily quotas. */
export function quotaFields(tally: { apiCalls: number; mediaFetches: number }) {
  return {
    apiCalls: tally.apiCalls,
    mediaFetches: tally.mediaFetches,
    apiCallsDailyQuota: DAILY_QUOTA.apiCalls,
    mediaFetchesDailyQuota: DAILY_QUOTA.mediaFetches,
  };
}

/** The download summary as a JSON object (the last `--json` line). */
export function downloadSummaryObject(
  r: DownloadSummary,
  tally: { apiCalls: number; mediaFetches: number },
): Record<string, unknown> {
  return {
    command: "download",
    ...transferFields(r),
    rechecked: r.rechecked,
    ...quotaFields(tally),
  };
}

/** The download summary for people. */
export function downloadSummaryLines(
  r: DownloadSummary,
  tally: { apiCalls: number; mediaFetches: number },
): string[] {
  const lines = [
    `download: ${r.downloaded} downloaded (${
      formatBytes(r.bytes)
    }), ${r.skipped.length} skipped, ` +
    `${r.failed.length} failed` +
    (r.recorded ? `, ${r.recorded} found complete on disk` : "") +
    (r.rechecked ? `, ${r.rechecked} missing or changed files fetched again` : ""),
  ];
  if (r.interrupted) lines.push("interrupted: run again to finish (nothing is fetched twice)");
  for (const s of r.skipped.slice(0, 20)) lines.push(`  skipped ${s.path}: ${s.reason}`);
  if (r.skipped.length > 20) lines.push(`  ... and ${r.skipped.length - 20} more skipped`);
  for (const f of r.failed.slice(0, 20)) lines.push(`  failed ${f.path}: ${f.error}`);
  if (r.failed.length > 20) {
    lines.push(`  ... and ${r.failed.length - 20} more failed (see "gphotos-sync status")`);
  }
  lines.push(
    `API calls: ${tally.apiCalls} of Google's ${
      DAILY_QUOTA.apiCalls.toLocaleString("en")
    } a day; ` +
      `media fetches: ${tally.mediaFetches} of ${
        DAILY_QUOTA.mediaFetches.toLocaleString("en")
      } a day`,
  );
  return lines;
}
