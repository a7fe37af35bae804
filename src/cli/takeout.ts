/** `gphotos-sync takeout TARGET PATH...`: import Google Takeout archives or extracted folders. */
import { join, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { checkTakeout } from "../sources/takeout/read_takeout.ts";
import { importTakeoutAndLink, type TakeoutRunReport } from "../sync/takeout_run.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { formatBytes } from "./reporter.ts";
import { openLocalSession } from "./session.ts";
import { createReporter } from "./reporter.ts";
import { INDEX_FILE, MediaIndex } from "../index/mod.ts";
import { warmFile } from "../files/cache_warmer.ts";

/** Options of `takeout`. */
export interface TakeoutCommandOptions extends GlobalOptions {
  includeTrash?: boolean;
  xmp?: boolean;
  useFlatPath?: boolean;
  useHardlinks?: boolean;
  omitAlbumDate?: boolean;
  albumDateByFirstPhoto?: boolean;
  /** Entries streamed side by side (not on the menu; for tests and benchmarks). */
  concurrency?: number;
  /** Report what would be imported, matched and skipped; write nothing. */
  dryRun?: boolean;
}

/** Runs `takeout`; needs no Google, only the archives and TARGET. Returns the exit code. */
export async function runTakeout(
  target: string,
  paths: string[],
  opts: TakeoutCommandOptions,
  ctx: CliContext,
): Promise<number> {
  if (paths.length === 0) throw new UsageError("No Takeout archive or folder given");
  // A re-import reads most of the index at once: read it ahead while the archives are checked.
  const warming = warmFile(join(target, INDEX_FILE));
  try {
    return await importArchives(target, paths, opts, ctx);
  } finally {
    // Long done by then; awaited so that no read of it outlives the command.
    await warming;
  }
}

/** `runTakeout` once the index is being read ahead. */
async function importArchives(
  target: string,
  paths: string[],
  opts: TakeoutCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const resolved = paths.map((p) => resolve(p));
  // A wrong path leaves no new TARGET and no index behind: the inputs are checked first.
  await checkTakeout(resolved);
  if (opts.dryRun) return await dryRun(target, resolved, opts, ctx);
  const session = await openLocalSession(target, { ...opts, command: "takeout" }, ctx);
  let status: "ok" | "partial" | "failed" | "interrupted" = "failed";
  let summary: Record<string, unknown> | undefined;
  try {
    const report = await importTakeoutAndLink({
      target: session.target,
      paths: resolved,
      index: session.index,
      includeTrash: opts.includeTrash,
      xmp: opts.xmp,
      flat: opts.useFlatPath,
      concurrency: opts.concurrency,
      signal: ctx.signal,
      onEvent: (e) => session.reporter.event(e),
      albumFolders: {
        hardlinks: opts.useHardlinks,
        omitDate: opts.omitAlbumDate,
        byFirstPhoto: opts.albumDateByFirstPhoto,
      },
    });
    for (const p of report.problems) session.reporter.warn(problemLine(p));
    summary = takeoutSummary(report);
    session.reporter.summary(summary, takeoutTable(report));
    status = report.exitCode === 0 ? "ok" : "partial";
    return report.exitCode;
  } catch (err) {
    if (ctx.signal.aborted) status = "interrupted";
    throw err;
  } finally {
    session.close(status, summary);
  }
}

/**
 * `--dry-run`: the whole import decided against a private copy of the index (or an empty one),
 * hashing instead of writing; TARGET is neither created nor changed, and no run is recorded.
 */
async function dryRun(
  target: string,
  paths: string[],
  opts: TakeoutCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const dir = resolve(target);
  const index = MediaIndex.openScratch(dir);
  const reporter = createReporter(ctx, opts);
  try {
    const report = await importTakeoutAndLink({
      target: dir,
      paths,
      index,
      includeTrash: opts.includeTrash,
      flat: opts.useFlatPath,
      concurrency: opts.concurrency,
      signal: ctx.signal,
      onEvent: (e) => reporter.event(e),
      albumFolders: false,
      dryRun: true,
    });
    for (const p of report.problems) reporter.warn(problemLine(p));
    reporter.summary(takeoutSummary(report), [
      ...takeoutTable(report),
      "takeout --dry-run: nothing was written",
    ]);
    return report.exitCode;
  } finally {
    index.close();
  }
}

function problemLine(p: { source: string; entry?: string; message: string }): string {
  return `"${p.source}"${p.entry ? `, entry "${p.entry}"` : ""}: ${p.message}`;
}

/** The report as the JSON summary object (`--json`, and the runs table). */
export function takeoutSummary(r: TakeoutRunReport): Record<string, unknown> {
  const { exitCode: _exitCode, ...rest } = r;
  return { command: "takeout", ...rest };
}

/** The report as a table for people. */
export function takeoutTable(r: TakeoutRunReport): string[] {
  const rows: [string, string][] = [
    ["media files", String(r.mediaFiles)],
    [
      "matched to their sidecar",
      r.matchedByTitle > 0 ? `${r.matched} (${r.matchedByTitle} by title)` : String(r.matched),
    ],
    ["matched through a variant", String(r.matchedVariant)],
    ["without sidecar (dated by EXIF, name or entry)", String(r.withoutSidecar)],
    ["orphan sidecars", String(r.orphanSidecars)],
    ["failed videos (not imported)", String(r.failedVideos)],
    ["trash (not imported)", String(r.skippedTrash)],
    [
      r.dryRun ? "would be imported" : "imported",
      r.dryRun ? String(r.imported) : `${r.imported} (${formatBytes(r.bytesWritten)})`,
    ],
    ["replaced API/picker downloads", String(r.replaced)],
    ["already in the backup", String(r.alreadyPresent)],
    ["copies merged (albums, repeated parts)", String(r.duplicates)],
    ["companions (edited, live, motion)", String(r.companions)],
    ["albums", `${r.albums} (${r.albumMemberships} new memberships)`],
  ];
  if (r.redated > 0) {
    rows.push([
      r.dryRun ? "would be re-dated (moved)" : "re-dated (better date, moved)",
      String(r.redated),
    ]);
  }
  if (r.unchangedEntries > 0) {
    rows.push(["unchanged entries (not read)", String(r.unchangedEntries)]);
  }
  if (r.unchangedJson > 0) rows.push(["unchanged JSON files (not read)", String(r.unchangedJson)]);
  if (r.lockedFolder > 0) rows.push(["from the Locked Folder", String(r.lockedFolder)]);
  if (r.xmpWritten > 0) rows.push(["XMP sidecars written", String(r.xmpWritten)]);
  if (r.ignored > 0) rows.push(["ignored (not Google Photos)", String(r.ignored)]);
  if (r.failed > 0 || r.problems.length > 0) {
    rows.push(["failed", `${r.failed} (${r.problems.length} problems, listed above)`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return ["takeout:", ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
}
