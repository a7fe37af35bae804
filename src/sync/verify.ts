/**
 * What `status` reports: the index's numbers, and with `verify` every recorded file re-hashed against
 * the index, so a user of a very large backup notices accidental deletions and changes.
 */
import type { EventSink } from "../events.ts";
import { silent } from "../events.ts";
import {
  type IndexCounts,
  type KeptItem,
  keptItems,
  type MediaIndex,
  type MonthCount,
  monthCounts,
  type RunRow,
} from "../index/mod.ts";
import type { FailureRow, MediaRow, SkippedRow } from "../index/types.ts";
import { resolveInside } from "../files/atomic_file.ts";
import { type FileDigest, HashBuffers, hashFile } from "../files/hash.ts";
import { forEachLimited } from "../files/pool.ts";

/** A recorded file that is not as the index says. */
export interface FileProblem {
  id: string;
  path: string;
  /** What the index recorded. */
  expected: { size: number | null; sha256: string | null };
  /** What is on disk; absent when the file is missing. */
  actual?: FileDigest;
}

/** The outcome of re-hashing every recorded file. */
export interface VerifyResult {
  /** Files looked at. */
  checked: number;
  ok: number;
  missing: FileProblem[];
  changed: FileProblem[];
  /** Bytes hashed. */
  bytes: number;
  /** The signal stopped it before every file was checked. */
  interrupted: boolean;
}

/** Options of `verifyFiles`. */
export interface VerifyOptions {
  onEvent?: EventSink;
  signal?: AbortSignal;
  /** Files hashed at once (default 4: disks, not CPUs, set the pace). */
  concurrency?: number;
}

/** Why a file on disk is not the one downloaded: its bytes hash to another SHA-256. */
export const CONTENT_DIFFERS = "content differs (SHA-256)";

/** Re-hashes every file the index records as downloaded; lists the missing and the changed. */
export async function verifyFiles(
  target: string,
  index: MediaIndex,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const emit = opts.onEvent ?? silent;
  const rows = index.downloadedItems();
  const totalBytes = rows.reduce((n, r) => n + (r.size ?? 0), 0);
  const result: VerifyResult = {
    checked: 0,
    ok: 0,
    missing: [],
    changed: [],
    bytes: 0,
    interrupted: false,
  };
  emit({ type: "phase", phase: "verify", total: rows.length, totalBytes });
  const problems = new Map<string, { kind: "missing" | "changed"; p: FileProblem }>();
  let lastEmit = 0;
  const buffers = new HashBuffers();
  const verifyOne = async (row: MediaRow) => {
    // Interrupted: the rest stay unchecked and the result says so.
    if (opts.signal?.aborted) return;
    const { problem, hashed } = await buffers.use((buffer) => checkFile(target, row, buffer));
    result.checked++;
    result.bytes += hashed;
    if (problem) problems.set(row.id, problem);
    else result.ok++;
    const now = performance.now();
    if (now - lastEmit > 100 || result.checked === rows.length) {
      lastEmit = now;
      emit({
        type: "progress",
        phase: "verify",
        done: result.checked,
        total: rows.length,
        bytes: result.bytes,
        totalBytes,
      });
    }
  };
  await forEachLimited(rows, Math.max(1, opts.concurrency ?? 4), verifyOne);
  // Report in index order, whatever order the workers finished in.
  for (const row of rows) {
    const found = problems.get(row.id);
    if (!found) continue;
    if (found.kind === "missing") result.missing.push(found.p);
    else result.changed.push(found.p);
    emit({
      type: "item",
      phase: "verify",
      id: row.id,
      path: row.path,
      status: "failed",
      reason: found.kind === "missing" ? "missing" : CONTENT_DIFFERS,
    });
  }
  result.interrupted = result.checked < rows.length;
  return result;
}

interface Checked {
  problem?: { kind: "missing" | "changed"; p: FileProblem };
  hashed: number;
}

async function checkFile(target: string, row: MediaRow, buffer: Uint8Array): Promise<Checked> {
  const p: FileProblem = {
    id: row.id,
    path: row.path,
    expected: { size: row.size, sha256: row.sha256 },
  };
  let digest: FileDigest;
  try {
    const path = resolveInside(target, row.path);
    const info = await Deno.lstat(path);
    if (!info.isFile) return { problem: { kind: "missing", p }, hashed: 0 };
    digest = await hashFile(path, { buffer });
  } catch (err) {
    // A path that escapes TARGET (a tampered index) is as good as missing.
    if (err instanceof Deno.errors.NotFound || err instanceof RangeError) {
      return { problem: { kind: "missing", p }, hashed: 0 };
    }
    throw err;
  }
  p.actual = digest;
  const sizeOk = row.size === null || row.size === digest.size;
  const hashOk = row.sha256 === null || row.sha256 === digest.sha256;
  return sizeOk && hashOk
    ? { hashed: digest.size }
    : { problem: { kind: "changed", p }, hashed: digest.size };
}

/** Everything `status` shows without touching the files. */
export interface StatusReport {
  counts: IndexCounts;
  failures: FailureRow[];
  /** Items Google says it cannot serve (a FAILED video), with why: not failures, not retried. */
  skipped: SkippedRow[];
  removed: { id: string; path: string; removedAt: string | null }[];
  /** Items the last complete library listing missed that stay, with why. */
  kept: KeptItem[];
  lastRuns: RunRow[];
  /** Items per month, source and state: what the timeline is drawn from. */
  months: MonthCount[];
}

/** Reads the status numbers from the index (no Google, no token, no lock). */
export function statusReport(index: MediaIndex): StatusReport {
  return {
    counts: index.counts(),
    failures: index.failures(),
    skipped: index.skippedItems(),
    removed: index.removedItems().map((r) => ({ id: r.id, path: r.path, removedAt: r.removedAt })),
    kept: keptItems(index),
    lastRuns: index.lastRuns(),
    months: monthCounts(index),
  };
}
