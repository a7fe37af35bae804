/**
 * The comparison's output: `TARGET/comparison/` with link trees for missing files, extra items and
 * duplicates plus `report.json`, replaced as a whole (built beside it, then renamed over it), and
 * the summary table the CLI prints.
 */
import { pathExists } from "../files/file_info.ts";
import { formatBytes } from "../format.ts";
import { writeFileAtomic } from "../files/write_atomic.ts";
import { swapFolder } from "../files/folder_swap.ts";
import { dirname, join } from "node:path";
import type { EventSink } from "../events.ts";
import { silent } from "../events.ts";
import type { MediaRow } from "../index/mod.ts";
import { foldName, withFolderDupNumber } from "../layout/mod.ts";
import type { MatchCounts, MatchResult, MatchStage } from "./match.ts";
import { countMatches, STAGES } from "./match.ts";
import type { ScanError, ScanResult } from "./scan.ts";
import { type LinkKind, makeLink } from "../files/links.ts";
import { forEachLimited } from "../files/pool.ts";

/** Name of the output folder inside TARGET. */
export const COMPARISON_DIR = "comparison";
/** Backup files the library lacks, in FOLDER's tree. */
export const MISSING_DIR = "missing_files";
/** Library items the backup lacks, in `photos/`'s tree. */
export const EXTRA_DIR = "extra_files";
/** Backup files that match the same item, one folder per item. */
export const DUPLICATES_DIR = "duplicates";
/** The JSON report inside the output folder. */
export const REPORT_FILE = "report.json";

/** One backup file in the JSON report. */
export interface ReportFile {
  path: string;
  size: number;
  sha256: string;
  captureTime: string | null;
  class: "matched" | "missing" | "duplicate";
  stage: MatchStage | null;
  /** The item matched (or duplicated); null when missing. */
  item: { id: string; path: string; originalName: string } | null;
  duplicateOf: string | null;
  shiftMinutes: number;
}

/** One library item the backup lacks. */
export interface ReportExtra {
  id: string;
  path: string;
  originalName: string;
  captureTime: string | null;
  downloaded: boolean;
  removed: boolean;
}

/** The whole comparison, as `report.json` and the `--json` summary hold it. */
export interface ComparisonReport {
  folder: string;
  target: string;
  counts: MatchCounts;
  scan: { filesRead: number; bytesRead: number; cached: number; totalBytes: number };
  files: ReportFile[];
  extra: ReportExtra[];
  errors: ScanError[];
}

/** Builds the report object of a comparison. */
export function buildReport(
  scan: ScanResult,
  result: MatchResult,
  opts: { target: string },
): ComparisonReport {
  return {
    folder: scan.root,
    target: opts.target,
    counts: countMatches(result),
    scan: {
      filesRead: scan.filesRead,
      bytesRead: scan.bytesRead,
      cached: scan.cached,
      totalBytes: scan.totalBytes,
    },
    files: result.files.map((m) => ({
      path: m.file.path,
      size: m.file.size,
      sha256: m.file.sha256,
      captureTime: m.file.captureTime,
      class: m.class,
      stage: m.stage,
      item: m.item ? { id: m.item.id, path: m.item.path, originalName: m.item.originalName } : null,
      duplicateOf: m.duplicateOf,
      shiftMinutes: m.shiftMinutes,
    })),
    extra: result.extra.map((item) => ({
      id: item.id,
      path: item.path,
      originalName: item.originalName,
      captureTime: item.captureTime,
      downloaded: item.downloadedAt !== null,
      removed: item.removedAt !== null,
    })),
    errors: scan.errors,
  };
}

/** Options of `writeComparison`. */
export interface WriteOptions {
  /** TARGET (absolute or relative); the output goes to `TARGET/comparison/`. */
  target: string;
  /** FOLDER's real path (`ScanResult.root`), which missing-file links point into. */
  folder: string;
  /** Hard links instead of relative symlinks. */
  hardlinks?: boolean;
  onEvent?: EventSink;
}

/** What `writeComparison` made. */
export interface WriteResult {
  /** Absolute path of `TARGET/comparison`. */
  dir: string;
  missingLinks: number;
  extraLinks: number;
  duplicateLinks: number;
  /** True when hard links were asked for but a file system refused them (symlinks were made). */
  fellBackToSymlinks: boolean;
  /** True when symlinks were asked for but a file system refused them (hard links were made). */
  fellBackToHardlinks: boolean;
}

/**
 * Writes `TARGET/comparison/` for a match result: built as `comparison.tmp-<rand>`, renamed over
 * the old folder, and only then is the old one removed, so a killed run never leaves a half tree.
 */
export async function writeComparison(
  result: MatchResult,
  report: ComparisonReport,
  opts: WriteOptions,
): Promise<WriteResult> {
  const onEvent = opts.onEvent ?? silent;
  const target = await Deno.realPath(opts.target);
  await removeLeftovers(target);
  const rand = crypto.randomUUID().slice(0, 8);
  const tmp = join(target, `${COMPARISON_DIR}.tmp-${rand}`);
  const final = join(target, COMPARISON_DIR);
  await Deno.mkdir(tmp);
  const linker = new Linker(tmp, final, opts.hardlinks ? "hardlink" : "symlink", onEvent);
  const out: WriteResult = {
    dir: final,
    missingLinks: 0,
    extraLinks: 0,
    duplicateLinks: 0,
    fellBackToSymlinks: false,
    fellBackToHardlinks: false,
  };
  try {
    await Deno.mkdir(join(tmp, MISSING_DIR));
    await Deno.mkdir(join(tmp, EXTRA_DIR));
    await Deno.mkdir(join(tmp, DUPLICATES_DIR));
    const jobs: (() => Promise<void>)[] = [];

    for (const m of result.files) {
      if (m.class !== "missing") continue;
      jobs.push(async () => {
        await linker.link(join(opts.folder, m.file.path), `${MISSING_DIR}/${m.file.path}`);
        out.missingLinks++;
      });
    }

    for (const item of result.extra) {
      if (item.downloadedAt === null) continue;
      jobs.push(async () => {
        const source = join(target, item.path);
        // An item recorded as downloaded whose file is gone gets no (dangling) link.
        if (!(await pathExists(source))) return;
        const rel = item.path.startsWith("photos/") ? item.path.slice(7) : item.path;
        await linker.link(source, `${EXTRA_DIR}/${rel}`);
        out.extraLinks++;
      });
    }

    for (const group of duplicateGroups(result)) {
      group.files.forEach((path, n) => {
        const name = path.slice(path.lastIndexOf("/") + 1);
        jobs.push(async () => {
          await linker.link(
            join(opts.folder, path),
            `${DUPLICATES_DIR}/${group.folder}/${n + 1}_${name}`,
          );
          out.duplicateLinks++;
        });
      });
    }

    await forEachLimited(jobs, 16, (job) => job());
    await writeFileAtomic(
      target,
      `${COMPARISON_DIR}.tmp-${rand}/${REPORT_FILE}`,
      JSON.stringify(report, null, 1) + "\n",
    );
    out.fellBackToSymlinks = linker.made.has("symlink") && opts.hardlinks === true;
    out.fellBackToHardlinks = linker.made.has("hardlink") && !opts.hardlinks;
    await swapFolder(tmp, final, { tag: rand });
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
  return out;
}

/** One folder of `duplicates/`: the item and its backup files, the holder first. */
export interface DuplicateGroup {
  /** Folder name under `duplicates/`: the item's file name, ` (n)` on a clash. */
  folder: string;
  item: MediaRow;
  /** Backup file paths (relative to FOLDER): the holder, then its duplicates in scan order. */
  files: string[];
}

/** Groups the backup files of every item that more than one file matched. */
export function duplicateGroups(result: MatchResult): DuplicateGroup[] {
  const byItem = new Map<string, { item: MediaRow; holder?: string; dups: string[] }>();
  for (const m of result.files) {
    if (m.class !== "duplicate" || !m.item) continue;
    let g = byItem.get(m.item.id);
    if (!g) {
      g = { item: m.item, holder: m.duplicateOf ?? undefined, dups: [] };
      byItem.set(m.item.id, g);
    }
    g.dups.push(m.file.path);
  }
  const used = new Set<string>();
  const groups: DuplicateGroup[] = [];
  for (const g of byItem.values()) {
    const base = g.item.path.slice(g.item.path.lastIndexOf("/") + 1);
    let folder = base;
    for (let n = 2; used.has(foldName(folder)); n++) folder = withFolderDupNumber(base, n);
    used.add(foldName(folder));
    groups.push({
      folder,
      item: g.item,
      files: g.holder ? [g.holder, ...g.dups] : g.dups,
    });
  }
  return groups;
}

/** The summary table for the terminal. */
export function summaryLines(report: ComparisonReport): string[] {
  const c = report.counts;
  const s = report.scan;
  const num = (n: number) => n.toLocaleString("en-US");
  const lines = [
    `Compared ${num(c.files)} files in "${report.folder}" (${formatBytes(s.totalBytes)}; ` +
    `${num(s.filesRead)} read, ${num(s.cached)} unchanged since the last compare)`,
    "",
  ];
  const header = ["", "files", ...STAGES];
  const rows: string[][] = [
    header,
    ["matched", num(c.matched), ...STAGES.map((st) => num(c.matchedByStage[st]))],
    ["duplicate", num(c.duplicate), ...STAGES.map((st) => num(c.duplicateByStage[st]))],
    ["missing", num(c.missing)],
    ["extra", num(c.extra)],
  ];
  const widths = header.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  for (const r of rows) {
    lines.push(
      r.map((cell, col) => col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))
        .join("  ").trimEnd(),
    );
  }
  lines.push("");
  lines.push(`missing: backup files the library lacks, linked in comparison/${MISSING_DIR}/`);
  lines.push(
    `extra: library items the backup lacks, linked in comparison/${EXTRA_DIR}/` +
      (c.extraNotDownloaded > 0 ? ` (${num(c.extraNotDownloaded)} not downloaded yet)` : ""),
  );
  lines.push(
    `duplicate: backup files matching an item another file holds, in comparison/${DUPLICATES_DIR}/`,
  );
  if (report.errors.length > 0) {
    lines.push(
      `${num(report.errors.length)} files could not be read (see comparison/${REPORT_FILE})`,
    );
  }
  return lines;
}

/**
 * Makes links inside the folder being built by `makeLink`'s policy; symlinks are relative to where
 * the folder will end up.
 */
class Linker {
  #tmp: string;
  #final: string;
  #kind: LinkKind;
  #onEvent: EventSink;
  #dirs = new Map<string, Promise<void>>();
  /** The kinds of link made. */
  readonly made = new Set<LinkKind>();
  #warned = false;

  constructor(tmp: string, final: string, kind: LinkKind, onEvent: EventSink) {
    this.#tmp = tmp;
    this.#final = final;
    this.#kind = kind;
    this.#onEvent = onEvent;
  }

  async link(source: string, rel: string): Promise<void> {
    const path = join(this.#tmp, rel);
    await this.#ensureDir(dirname(path));
    const made = await makeLink(source, path, {
      kind: this.#kind,
      relativeTo: dirname(join(this.#final, rel)),
    });
    this.made.add(made.kind);
    if (made.refused && !this.#warned) {
      this.#warned = true;
      const other = made.kind === "symlink" ? "symlinks" : "hard links";
      this.#onEvent({
        type: "warning",
        message: `Cannot ${this.#kind === "symlink" ? "symlink" : "hard-link"} "${source}": ` +
          `${made.refused.message}; using ${other}`,
      });
    }
  }

  #ensureDir(dir: string): Promise<void> {
    let p = this.#dirs.get(dir);
    if (!p) {
      p = Deno.mkdir(dir, { recursive: true });
      this.#dirs.set(dir, p);
    }
    return p;
  }
}

/** Removes `comparison.tmp-*` and `comparison.old-*` that a killed run left behind. */
async function removeLeftovers(target: string): Promise<void> {
  for await (const e of Deno.readDir(target)) {
    if (
      e.isDirectory &&
      (e.name.startsWith(`${COMPARISON_DIR}.tmp-`) || e.name.startsWith(`${COMPARISON_DIR}.old-`))
    ) {
      await Deno.remove(join(target, e.name), { recursive: true });
    }
  }
}
