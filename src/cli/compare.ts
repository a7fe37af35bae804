/** `gphotos-sync compare TARGET FOLDER`: check the library against a historical backup folder. */
import { join, resolve } from "node:path";
import { compareFolder, type CompareResult, REPORT_FILE, summaryLines } from "../compare/mod.ts";
import { EXIT, UsageError } from "../errors.ts";
import { INDEX_FILE, MediaIndex } from "../index/mod.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { openLocalSession } from "./session.ts";
import { createReporter } from "./reporter.ts";

/** Options of `compare`. */
export interface CompareCommandOptions extends GlobalOptions {
  useHardlinks?: boolean;
  /** Files read at once (not on the menu; for tests and benchmarks). */
  concurrency?: number;
  /** Called for each file actually read (tests count reads with it). */
  onRead?: (path: string) => void;
  /** `--fail-on-missing`: exit 4 when the backup holds files the library lacks. */
  failOnMissing?: boolean;
  /** Compare and report; write no `comparison/` folder and no index rows. */
  dryRun?: boolean;
}

/** Runs `compare`; needs no Google, only TARGET's index. Returns the exit code. */
export async function runCompare(
  target: string,
  folder: string,
  opts: CompareCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const dir = resolve(target);
  const backup = resolve(folder);
  await checkFolder(backup);
  if (!(await isFile(join(dir, INDEX_FILE)))) {
    throw new UsageError(
      `TARGET "${dir}" has no index: run "gphotos-sync index", "takeout" or "pick" on it first`,
    );
  }
  if (isWithin(backup, join(dir, "comparison"))) {
    throw new UsageError(`FOLDER "${backup}" is inside the comparison output it would replace`);
  }
  if (opts.dryRun) return await dryRun(dir, backup, opts, ctx);
  const session = await openLocalSession(dir, { ...opts, command: "compare" }, ctx);
  let status: "ok" | "failed" | "interrupted" = "failed";
  let summary: Record<string, unknown> | undefined;
  try {
    const result = await compareFolder(session.index, backup, {
      target: dir,
      hardlinks: opts.useHardlinks,
      concurrency: opts.concurrency,
      onEvent: (e) => session.reporter.event(e),
      signal: ctx.signal,
      onRead: opts.onRead,
    });
    status = "ok";
    summary = compareSummary(result);
    // The per-file lists are in comparison/report.json; the JSON line stays one line of counts.
    session.reporter.summary(summary, summaryLines(result.report));
    return compareExitCode(result, opts);
  } catch (err) {
    if (ctx.signal.aborted) status = "interrupted";
    throw err;
  } finally {
    session.close(status, summary);
  }
}

/**
 * `--dry-run`: the comparison made against a private copy of the index (the scan cache goes there
 * too), without the lock and without `comparison/`; TARGET is not changed and no run is recorded.
 */
async function dryRun(
  dir: string,
  backup: string,
  opts: CompareCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const index = MediaIndex.openScratch(dir);
  const reporter = createReporter(ctx, opts);
  try {
    const result = await compareFolder(index, backup, {
      target: dir,
      concurrency: opts.concurrency,
      onEvent: (e) => reporter.event(e),
      signal: ctx.signal,
      onRead: opts.onRead,
      dryRun: true,
    });
    const lines = summaryLines(result.report);
    lines.push(`compare --dry-run: no comparison/ folder was written; nothing was changed`);
    reporter.summary({ ...compareSummary(result), dryRun: true }, lines);
    return compareExitCode(result, opts);
  } finally {
    reporter.close();
    index.close();
  }
}

/** 4 when files could not be read, or with `--fail-on-missing` when the backup has files we lack. */
function compareExitCode(r: CompareResult, opts: CompareCommandOptions): number {
  if (r.report.errors.length > 0) return EXIT.partial;
  if (opts.failOnMissing && r.report.counts.missing > 0) return EXIT.partial;
  return EXIT.ok;
}

/** The small summary kept in the runs table (the full report is in comparison/report.json). */
function compareSummary(r: CompareResult): Record<string, unknown> {
  return {
    command: "compare",
    folder: r.report.folder,
    comparison: r.written?.dir ?? null,
    report: r.written ? join(r.written.dir, REPORT_FILE) : null,
    counts: r.report.counts,
    scan: r.report.scan,
    unreadable: r.report.errors.length,
    links: r.written
      ? {
        missing: r.written.missingLinks,
        extra: r.written.extraLinks,
        duplicates: r.written.duplicateLinks,
        fellBackToSymlinks: r.written.fellBackToSymlinks,
        fellBackToHardlinks: r.written.fellBackToHardlinks,
      }
      : null,
  };
}

async function checkFolder(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UsageError(`Backup folder "${path}" does not exist`);
    }
    throw new UsageError(`Cannot read backup folder "${path}": ${(err as Error).message}`);
  }
  if (!info.isDirectory) throw new UsageError(`Backup folder "${path}" is not a folder`);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + "/") || path.startsWith(dir + "\\");
}
