/** A whole comparison: scan FOLDER, match it against the index, write `TARGET/comparison/`. */
import type { EventSink } from "../events.ts";
import type { MediaIndex } from "../index/mod.ts";
import { matchFiles, type MatchResult } from "./match.ts";
import { buildReport, type ComparisonReport, writeComparison, type WriteResult } from "./report.ts";
import { scanFolder, type ScanResult } from "./scan.ts";

/** Options of `compareFolder`. */
export interface CompareOptions {
  /** TARGET, whose index `index` is. */
  target: string;
  /** Hard links instead of relative symlinks in `comparison/`. */
  hardlinks?: boolean;
  /** Files read at once (default 8). */
  concurrency?: number;
  onEvent?: EventSink;
  signal?: AbortSignal;
  /** Called for each file actually read (not answered by the scan cache). */
  onRead?: (path: string) => void;
  /** Scan, match and report, but write no `comparison/` folder (pass a scratch index too). */
  dryRun?: boolean;
}

/** Everything a comparison found and wrote. */
export interface CompareResult {
  scan: ScanResult;
  match: MatchResult;
  report: ComparisonReport;
  /** What was written; undefined for a dry run. */
  written?: WriteResult;
}

/** Compares FOLDER with the library in `index` and writes `TARGET/comparison/` (not when dry). */
export async function compareFolder(
  index: MediaIndex,
  folder: string,
  opts: CompareOptions,
): Promise<CompareResult> {
  const scan = await scanFolder(folder, {
    target: opts.target,
    index,
    concurrency: opts.concurrency,
    onEvent: opts.onEvent,
    signal: opts.signal,
    onRead: opts.onRead,
  });
  opts.signal?.throwIfAborted();
  const match = matchFiles(scan.files, index.allItems());
  const target = await Deno.realPath(opts.target);
  const report = buildReport(scan, match, { target });
  if (opts.dryRun) return { scan, match, report };
  const written = await writeComparison(match, report, {
    target,
    folder: scan.root,
    hardlinks: opts.hardlinks,
    onEvent: opts.onEvent,
  });
  return { scan, match, report, written };
}
