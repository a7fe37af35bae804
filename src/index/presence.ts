/**
 * The removal rule's queries. After a run's listings, an item of the Library (source `library` or
 * `album`) is gone only when no listing returned it: not the plain listing, not the archived
 * search, not any album. Every other item the plain listing missed is kept, and `kept_items` says
 * why, for `status`.
 */
import type { MediaIndex } from "./media_index.ts";
import { nowIso } from "./db.ts";
import { type Row, sqlOf } from "./_handle.ts";
import { toMediaRow } from "./_rows.ts";
import type { MediaRow } from "./types.ts";

/** What one run's listings covered. */
export interface ListingCoverage {
  /** When the run's listings started: an item stamped since then was returned by one of them. */
  since: string;
  /** The listings that did not run completely, for people; empty when absence is proven. */
  incomplete: string[];
}

/** What `settleListings` decided. */
export interface Settled {
  /** Items no listing returned, all marked removed; empty unless every listing ran completely. */
  gone: MediaRow[];
  /** Those of `gone` this call marked removed (the others were marked by an earlier run). */
  newlyRemoved: MediaRow[];
  /** Items the plain listing missed that stay, each with its reason in `kept_items`. */
  kept: number;
}

/** An item kept though the plain listing did not return it. */
export interface KeptItem {
  id: string;
  path: string;
  reason: string;
}

/**
 * Applies the removal rule after a complete plain listing; `coverage.since` must precede every
 * listing of the run. With every listing complete, items none returned are marked removed; without,
 * nothing is, and such items are kept with the incomplete listings as their reason. Items an album
 * still holds are never removed (and un-removed when an earlier run marked them).
 */
export function settleListings(index: MediaIndex, coverage: ListingCoverage): Settled {
  const sql = sqlOf(index);
  const complete = coverage.incomplete.length === 0;
  return sql.transaction(() => {
    const now = nowIso();
    const settled: Settled = { gone: [], newlyRemoved: [], kept: 0 };
    sql.stmt("DELETE FROM kept_items").run();
    // Only albums Google lists count: a Takeout album proves nothing about the library today.
    const rows = sql.stmt(
      `SELECT m.*,
         (SELECT COUNT(*) FROM album_items a JOIN albums b ON b.id = a.album_id
          WHERE a.media_id = m.id AND b.removed_at IS NULL AND b.source = 'library') AS album_count,
         (SELECT COALESCE(b.title, '') FROM album_items a JOIN albums b ON b.id = a.album_id
          WHERE a.media_id = m.id AND b.removed_at IS NULL AND b.source = 'library'
          ORDER BY b.rowid LIMIT 1) AS album_title
       FROM media_items m
       WHERE m.source IN ('library', 'album')
         AND NOT (m.source = 'library' AND m.archived = 0 AND m.last_seen_at >= ?)
       ORDER BY m.rowid`,
    ).all(coverage.since) as Row[];
    const keep = sql.stmt("INSERT INTO kept_items (media_id, reason, decided_at) VALUES (?, ?, ?)");
    const setRemoved = sql.stmt("UPDATE media_items SET removed_at = ? WHERE id = ?");
    for (const r of rows) {
      const row = toMediaRow(r);
      const seen = row.lastSeenAt >= coverage.since;
      const albums = Number(r.album_count);
      let reason: string | undefined;
      if (seen && row.archived) reason = "archived in Google";
      else if (albums > 0) reason = inAlbums(r.album_title as string, albums);
      else if (seen) reason = "returned only by an album listing";
      if (reason !== undefined) {
        if (row.removedAt !== null) setRemoved.run(null, row.id);
      } else if (complete) {
        if (row.removedAt === null) {
          setRemoved.run(now, row.id);
          settled.newlyRemoved.push({ ...row, removedAt: now });
        }
        settled.gone.push({ ...row, removedAt: row.removedAt ?? now });
        continue;
      } else if (row.removedAt === null) {
        reason = `not returned by any listing; kept because ${coverage.incomplete.join("; ")}`;
      } else {
        // Proven gone by an earlier run; this run can neither confirm nor refute it.
        continue;
      }
      keep.run(row.id, reason, now);
      settled.kept++;
    }
    return settled;
  });
}

function inAlbums(title: string, count: number): string {
  const name = title === "" ? "an untitled album" : `"${title}"`;
  if (count === 1) return title === "" ? `only in ${name}` : `only in album ${name}`;
  return `only in albums ${name} and ${count - 1} more`;
}

/** Items kept though the last complete plain listing missed them, with why, in index order. */
export function keptItems(index: MediaIndex): KeptItem[] {
  const rows = sqlOf(index).stmt(
    `SELECT k.media_id, m.path, k.reason FROM kept_items k JOIN media_items m ON m.id = k.media_id
     ORDER BY m.rowid`,
  ).all() as Row[];
  return rows.map((r) => ({
    id: r.media_id as string,
    path: r.path as string,
    reason: r.reason as string,
  }));
}
