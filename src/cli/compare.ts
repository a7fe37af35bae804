/** `gphotos-sync compare TARGET FOLDER`: check the library against a historical backup folder. */
import { join, resolve } from "node:path";
import { compareFolder, type CompareResult, summaryLines } from "../compare/mod.ts";
import { EXIT, UsageError } from "../errors.ts";
import { INDEX_FILE } from "../index/mod.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { openLocalSession } from "./session.ts";

/** Options of `compare`. */
export interface CompareCommandOptions extends GlobalOptions {
  useHardlinks?: boolean;
  /** Files read at once (not on the menu; for tests and benchmarks). */
  concurrency?: number;
  /** Called for each file actually read (tests count reads with it). */
  onRead?: (path: string) => void;
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
    session.reporter.summary(
      {
        ...summary,
        files: result.report.files,
        extra: result.report.extra,
        errors: result.report.errors,
      },
      summaryLines(result.report),
    );
    return result.report.errors.length > 0 ? EXIT.partial : EXIT.ok;
  } catch (err) {
    if (ctx.signal.aborted) status = "interrupted";
    throw err;
  } finally {
    session.close(status, summary);
  }
}

/** The small summary kept in the runs table (the full report is in comparison/report.json). */
function compareSummary(r: CompareResult): Record<string, unknown> {
  return {
    command: "compare",
    folder: r.report.folder,
    comparison: r.written.dir,
    counts: r.report.counts,
    scan: r.report.scan,
    links: {
      missing: r.written.missingLinks,
      extra: r.written.extraLinks,
      duplicates: r.written.duplicateLinks,
      fellBackToSymlinks: r.written.fellBackToSymlinks,
      fellBackToHardlinks: r.written.fellBackToHardlinks,
    },
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
