/** `gphotos-sync status TARGET`: what the index holds and what is missing; `--verify` re-hashes files. */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { EXIT, UsageError } from "../errors.ts";
import { writeFileAtomic } from "../files/write_atomic.ts";
import { writeFileBeside } from "../files/write_beside.ts";
import type { MediaIndex } from "../index/mod.ts";
import {
  buildTimeline,
  collectPageData,
  isUtf8Locale,
  ITEMS_PER_MONTH,
  type KnownNumbers,
  renderPage,
  timelineLines,
} from "../status_page/mod.ts";
import {
  CONTENT_DIFFERS,
  type StatusReport,
  statusReport,
  verifyFiles,
  type VerifyResult,
} from "../sync/verify.ts";
import { saveVerifyRecord, verifyRecord } from "../sync/verify_record.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { createReporter, formatBytes } from "./reporter.ts";
import { openExistingIndex } from "./session.ts";
import { emptyLibraryLines, emptyLibraryMessage, libraryItems } from "./empty_library.ts";
import { formatLocalTime, zoneFrom } from "./local_time.ts";

/** Options of `status`. */
export interface StatusCommandOptions extends GlobalOptions {
  verify?: boolean;
  /** `--html [FILE]`: true for the default `TARGET/status.html`. */
  html?: boolean | string;
  /** `--timeline`: the timeline in the terminal. */
  timeline?: boolean;
}

/** The page's name inside TARGET when `--html` names no file. */
export const STATUS_PAGE = "status.html";

/** Lines of each list shown to people; `--json` always carries the whole lists. */
const SHOWN = 50;

/**
 * Runs `status`; returns 4 when anything is wrong (failed items; with `--verify` missing or changed
 * files). Needs neither Google nor a token, and takes no lock, so it works beside a running sync.
 */
export async function runStatus(
  target: string,
  opts: StatusCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const dir = resolve(target);
  const index = await openExistingIndex(target);
  const reporter = createReporter(ctx, opts);
  try {
    const report = statusReport(index);
    const verify = opts.verify
      ? await verifyFiles(dir, index, { onEvent: (e) => reporter.event(e), signal: ctx.signal })
      : undefined;
    if (verify && !verify.interrupted) {
      try {
        await saveVerifyRecord(dir, verifyRecord(verify, new Date()));
      } catch (err) {
        // A read-only backup disk can still be verified; only the page cannot say so later.
        reporter.warn(`Cannot record the verify result in "${dir}": ${(err as Error).message}`);
      }
    }
    const wrong = report.failures.length > 0 ||
      (verify !== undefined && (verify.missing.length > 0 || verify.changed.length > 0));
    const obj = statusObject(dir, report, verify, wrong);
    const lines = statusLines(dir, report, verify, { timeZone: zoneFrom(ctx.env), target });
    if (opts.timeline) {
      lines.push(...timelineLines(buildTimeline(report.months), { utf8: isUtf8Locale(ctx.env) }));
    }
    if (opts.html !== undefined && opts.html !== false) {
      const page = await writeStatusPage(dir, index, {
        file: opts.html === true ? undefined : opts.html,
        known: report,
      });
      obj.html = page;
      lines.push(`page: ${page}`);
    }
    reporter.summary(obj, lines);
    if (verify?.interrupted) return EXIT.interrupted;
    return wrong ? EXIT.partial : EXIT.ok;
  } finally {
    reporter.close();
    index.close();
  }
}

/** Writes the status page (atomically) to `file` or `TARGET/status.html`; returns its path. */
export async function writeStatusPage(
  dir: string,
  index: MediaIndex,
  opts: { file?: string; known?: KnownNumbers } = {},
): Promise<string> {
  const path = opts.file === undefined ? resolve(dir, STATUS_PAGE) : resolve(opts.file);
  await checkPagePath(opts.file ?? path, path);
  const up = relative(dirname(path), dir).split("\\").join("/");
  const data = await collectPageData(dir, index, { known: opts.known });
  const html = renderPage(data, {
    target: dir,
    base: up === "" ? "" : `${up}/`,
    perMonth: ITEMS_PER_MONTH,
  });
  const inTarget = relative(dir, path);
  if (!inTarget.startsWith("..") && !isAbsolute(inTarget)) {
    await writeFileAtomic(dir, inTarget.split("\\").join("/"), html);
  } else {
    await writeFileBeside(path, html);
  }
  return path;
}

/** The page goes into a folder that exists, and not over a folder. */
async function checkPagePath(given: string, path: string): Promise<void> {
  const parent = dirname(path);
  const info = await Deno.stat(parent).catch((err) => {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  });
  if (!info?.isDirectory) {
    throw new UsageError(
      `Cannot write the status page "${given}": folder "${parent}" does not exist`,
    );
  }
  const there = await Deno.lstat(path).catch(() => undefined);
  if (there?.isDirectory) {
    throw new UsageError(`Cannot write the status page "${given}": it is a folder`);
  }
}

/** The status as a JSON object (the `--json` summary line). */
export function statusObject(
  target: string,
  r: StatusReport,
  verify: VerifyResult | undefined,
  wrong: boolean,
): Record<string, unknown> {
  const obj: Record<string, unknown> = {
    command: "status",
    target,
    ok: !wrong,
    items: r.counts.total,
    downloaded: r.counts.downloaded,
    pending: r.counts.pending,
    skipped: r.counts.skipped,
    removed: r.counts.removed,
    failed: r.counts.failed,
    bytesOnDisk: r.counts.bytesOnDisk,
    albums: r.counts.albums,
    bySourceAndType: r.counts.bySourceAndType,
    failures: r.failures,
    skippedItems: r.skipped,
    removedItems: r.removed,
    keptItems: r.kept,
    lastRuns: r.lastRuns,
    emptyLibrary: lastListingEmpty(r),
    months: r.months,
  };
  if (obj.emptyLibrary) obj.emptyLibraryMessage = emptyLibraryMessage();
  if (verify) {
    obj.verify = {
      checked: verify.checked,
      ok: verify.ok,
      missing: verify.missing,
      changed: verify.changed,
      bytes: verify.bytes,
      interrupted: verify.interrupted,
    };
  }
  return obj;
}

/** The status for people. */
export function statusLines(
  target: string,
  r: StatusReport,
  verify: VerifyResult | undefined,
  opts: { timeZone?: string; target?: string } = {},
): string[] {
  const c = r.counts;
  const when = (iso: string) => formatLocalTime(iso, opts.timeZone);
  const lines = [
    `TARGET ${target}`,
    `items: ${c.total} (${c.downloaded} downloaded, ${c.pending} pending` +
    (c.skipped ? `, ${c.skipped} skipped` : "") + `), ` +
    `${c.removed} removed from Google, ${c.failed} failed; ${c.albums} albums`,
    `bytes on disk: ${formatBytes(c.bytesOnDisk)}`,
  ];
  if (c.bySourceAndType.length) {
    lines.push("by source and type:");
    for (const g of c.bySourceAndType) {
      lines.push(
        `  ${g.source.padEnd(8)} ${g.mediaType.padEnd(6)} ${String(g.items).padStart(8)} items, ` +
          `${String(g.downloaded).padStart(8)} downloaded`,
      );
    }
  }
  if (r.failures.length) {
    lines.push(`failed (retried next run):`);
    for (const f of r.failures.slice(0, SHOWN)) {
      lines.push(
        `  ${f.path ?? f.mediaId}: ${f.lastError} (${f.attempts} ${
          f.attempts === 1 ? "attempt" : "attempts"
        }, last ${when(f.lastAttemptAt)})`,
      );
    }
    more(lines, r.failures.length);
  }
  if (r.skipped.length) {
    lines.push("skipped (Google cannot serve them):");
    for (const x of r.skipped.slice(0, SHOWN)) lines.push(`  ${x.path}: ${x.reason}`);
    more(lines, r.skipped.length);
  }
  if (r.removed.length) {
    lines.push("removed from Google (files kept):");
    for (const x of r.removed.slice(0, SHOWN)) lines.push(`  ${x.path}`);
    more(lines, r.removed.length);
  }
  if (r.kept.length) {
    lines.push("kept, though the library listing did not return them:");
    for (const k of r.kept.slice(0, SHOWN)) lines.push(`  ${k.path}: ${k.reason}`);
    more(lines, r.kept.length);
  }
  if (r.lastRuns.length) {
    lines.push("last runs:");
    for (const run of r.lastRuns) {
      const calls = run.apiCalls !== null || run.mediaFetches !== null
        ? ` (API calls ${run.apiCalls ?? 0}, media fetches ${run.mediaFetches ?? 0})`
        : "";
      lines.push(
        `  ${run.command.padEnd(9)} ${when(run.startedAt)}  ${
          run.status ?? "running or killed"
        }${calls}`,
      );
    }
  }
  if (lastListingEmpty(r)) {
    lines.push(...emptyLibraryLines(opts.target ?? target, libraryItems(c)));
  }
  if (verify) {
    lines.push(
      `verify: ${verify.checked} files checked, ${verify.ok} ok, ${verify.missing.length} missing, ` +
        `${verify.changed.length} changed` + (verify.interrupted ? " (interrupted)" : ""),
    );
    for (const m of verify.missing.slice(0, SHOWN)) lines.push(`  missing ${m.path}`);
    more(lines, verify.missing.length);
    for (const ch of verify.changed.slice(0, SHOWN)) {
      lines.push(
        `  changed ${ch.path}: ${CONTENT_DIFFERS} (${ch.actual?.size ?? 0} bytes, the index ` +
          `recorded ${ch.expected.size ?? "?"})`,
      );
    }
    more(lines, verify.changed.length);
    if (verify.changed.length + verify.missing.length > 0) {
      lines.push(
        `  to fetch them again: gphotos-sync download TARGET --retry-download --checksum`,
      );
    }
  }
  return lines;
}

/** Whether the newest run that listed the library (sync or index) found it empty. */
function lastListingEmpty(r: StatusReport): boolean {
  const listings = r.lastRuns.filter((run) =>
    (run.command === "sync" || run.command === "index") && run.emptyLibrary !== null
  );
  return listings.at(-1)?.emptyLibrary === true;
}

function more(lines: string[], total: number): void {
  if (total > SHOWN) lines.push(`  ... and ${total - SHOWN} more (--json lists them all)`);
}
