/** `gphotos-sync status TARGET`: what the index holds and what is missing; `--verify` re-hashes files. */
import { resolve } from "node:path";
import { EXIT } from "../errors.ts";
import {
  CONTENT_DIFFERS,
  type StatusReport,
  statusReport,
  verifyFiles,
  type VerifyResult,
} from "../sync/verify.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { createReporter, formatBytes } from "./reporter.ts";
import { openExistingIndex } from "./session.ts";

/** Options of `status`. */
export interface StatusCommandOptions extends GlobalOptions {
  verify?: boolean;
}

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
    const wrong = report.failures.length > 0 ||
      (verify !== undefined && (verify.missing.length > 0 || verify.changed.length > 0));
    reporter.summary(statusObject(dir, report, verify, wrong), statusLines(dir, report, verify));
    if (verify?.interrupted) return EXIT.interrupted;
    return wrong ? EXIT.partial : EXIT.ok;
  } finally {
    reporter.close();
    index.close();
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
  };
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
): string[] {
  const c = r.counts;
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
        }, last ${f.lastAttemptAt})`,
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
        `  ${run.command.padEnd(9)} ${run.startedAt}  ${run.status ?? "running or killed"}${calls}`,
      );
    }
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

function more(lines: string[], total: number): void {
  if (total > SHOWN) lines.push(`  ... and ${total - SHOWN} more (--json lists them all)`);
}
