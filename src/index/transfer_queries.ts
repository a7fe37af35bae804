/** The download engine's own queries: the `transfers` table (schema migrations 3 and 4). */
import type { MediaIndex } from "./media_index.ts";
import { nowIso } from "./db.ts";
import { sqlOf } from "./_handle.ts";

/** What the server declared for a transfer under way. */
export interface TransferRow {
  /** Bytes the whole file has; null when the server did not say. */
  total: number | null;
  etag: string | null;
  /** Size and SHA-256 of the complete temporary file, recorded just before its rename. */
  done: { size: number; sha256: string } | null;
  /** A split transfer's ranges `[start, end, pos]` (bytes start..pos are in); null when unsplit. */
  ranges: [number, number, number][] | null;
}

/** Records the declared length and ETag of a transfer, before its body is written. */
export function recordTransfer(
  index: MediaIndex,
  id: string,
  declared: { total?: number; etag?: string },
): void {
  sqlOf(index).stmt(
    `INSERT INTO transfers (media_id, total, etag, started_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (media_id) DO UPDATE SET total = excluded.total, etag = excluded.etag`,
  ).run(id, declared.total ?? null, declared.etag ?? null, nowIso());
}

/**
 * Records the digest of a transfer's complete temporary file, just before it is renamed: a run
 * killed after the rename then knows the file under the final name is this item's bytes.
 */
export function recordTransferDone(
  index: MediaIndex,
  id: string,
  digest: { size: number; sha256: string },
): void {
  sqlOf(index).stmt(
    `INSERT INTO transfers (media_id, started_at, done_size, done_sha256) VALUES (?, ?, ?, ?)
     ON CONFLICT (media_id) DO UPDATE SET done_size = excluded.done_size,
       done_sha256 = excluded.done_sha256`,
  ).run(id, nowIso(), digest.size, digest.sha256);
}

/** The transfer recorded for an item, if any. */
export function transferOf(index: MediaIndex, id: string): TransferRow | undefined {
  const row = sqlOf(index).stmt(
    "SELECT total, etag, done_size, done_sha256, ranges FROM transfers WHERE media_id = ?",
  ).get(id) as
    | {
      total: number | null;
      etag: string | null;
      done_size: number | null;
      done_sha256: string | null;
      ranges: string | null;
    }
    | undefined;
  if (!row) return undefined;
  return {
    total: row.total === null ? null : Number(row.total),
    etag: row.etag ?? null,
    done: row.done_size === null || row.done_sha256 === null
      ? null
      : { size: Number(row.done_size), sha256: row.done_sha256 },
    ranges: parseRanges(row.ranges),
  };
}

/**
 * Records the ranges of a split transfer (null: not split), before a byte lands at a new offset
 * and as they progress: a recorded position is never past the bytes on disk.
 */
export function recordRanges(
  index: MediaIndex,
  id: string,
  ranges: readonly (readonly [number, number, number])[] | null,
): void {
  sqlOf(index).stmt("UPDATE transfers SET ranges = ? WHERE media_id = ?")
    .run(ranges === null ? null : JSON.stringify(ranges), id);
}

function parseRanges(text: string | null): [number, number, number][] | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text);
    const ok = Array.isArray(v) &&
      v.every((r) =>
        Array.isArray(r) && r.length === 3 && r.every((n) => Number.isSafeInteger(n) && n >= 0) &&
        r[0] <= r[2] && r[2] <= r[1]
      );
    // Unreadable ranges are no ranges: the caller starts the file over, which is always safe.
    return ok ? v : [];
  } catch {
    return [];
  }
}

/** Forgets an item's transfer (done, or its temporary file removed). */
export function forgetTransfer(index: MediaIndex, id: string): void {
  sqlOf(index).stmt("DELETE FROM transfers WHERE media_id = ?").run(id);
}

/** Forgets transfers of items that are downloaded by now (a run killed between two writes). */
export function forgetFinishedTransfers(index: MediaIndex): number {
  const r = sqlOf(index).stmt(
    `DELETE FROM transfers WHERE media_id IN
     (SELECT id FROM media_items WHERE downloaded_at IS NOT NULL)`,
  ).run();
  return Number(r.changes);
}

/** An item whose transfer started, by its final path. */
export interface StartedTransfer {
  id: string;
  path: string;
  /** Still waiting for its file (neither downloaded nor removed from Google). */
  pending: boolean;
}

/** Every item the transfers table names, with its path: the items a temporary file may belong to. */
export function startedTransfers(index: MediaIndex): StartedTransfer[] {
  const rows = sqlOf(index).stmt(
    `SELECT t.media_id AS id, m.path AS path,
            (m.downloaded_at IS NULL AND m.removed_at IS NULL) AS pending
     FROM transfers t JOIN media_items m ON m.id = t.media_id ORDER BY t.rowid`,
  ).all() as { id: string; path: string; pending: number | bigint }[];
  return rows.map((r) => ({ id: r.id, path: r.path, pending: Number(r.pending) === 1 }));
}
