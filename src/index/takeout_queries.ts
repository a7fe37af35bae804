/**
 * Index queries the Takeout import needs beyond `MediaIndex`: finding an item by content, finding
 * the lower-fidelity API/picker twin of a Takeout original, and adding album members without
 * dropping those an earlier (partial) import recorded.
 */
import type { SQLInputValue } from "node:sqlite";
import type { MediaIndex } from "./media_index.ts";
import type { MediaRow } from "./types.ts";

type Row = Record<string, SQLInputValue>;

/** The item whose file on disk has this size and SHA-256, if any. */
export function findItemByContent(
  index: MediaIndex,
  content: { size: number; sha256: string },
): MediaRow | undefined {
  const { size, sha256 } = content;
  const row = index.stmt(
    "SELECT id FROM media_items WHERE sha256 = ? AND size = ? ORDER BY rowid LIMIT 1",
  ).get(sha256, size) as Row | undefined;
  return row ? index.getItem(row.id as string) : undefined;
}

/**
 * The sizes of the files on disk, read once (size has no index: asking per file would scan the
 * table each time). Only a file of one of these sizes can already be in the backup.
 */
export function itemSizes(index: MediaIndex): Set<number> {
  const rows = index.stmt(
    "SELECT DISTINCT size FROM media_items WHERE size IS NOT NULL",
  ).all() as Row[];
  return new Set(rows.map((r) => Number(r.size)));
}

/**
 * An item from the Library API or the Picker with this original name and capture time (to the
 * second) whose file is not already an original: the item a Takeout original should replace.
 */
export function findLowerFidelityTwin(
  index: MediaIndex,
  photo: { originalName: string; captureTime: Date },
): MediaRow | undefined {
  const { originalName, captureTime } = photo;
  const rows = index.stmt(
    `SELECT id, capture_time FROM media_items
     WHERE original_name IN (?, ?) AND source IN ('library', 'album', 'picker')
       AND (fidelity IS NULL OR fidelity <> 'original') AND capture_time IS NOT NULL
     ORDER BY rowid`,
  ).all(originalName.normalize("NFC"), originalName.normalize("NFD")) as Row[];
  const want = Math.floor(captureTime.getTime() / 1000);
  for (const r of rows) {
    const t = Date.parse(r.capture_time as string);
    if (Number.isFinite(t) && Math.floor(t / 1000) === want) return index.getItem(r.id as string);
  }
  return undefined;
}

/** Appends items to an album after its current members, keeping those already there. */
export function addAlbumItems(
  index: MediaIndex,
  members: { albumId: string; mediaIds: string[] },
): number {
  const { albumId, mediaIds } = members;
  return index.transaction(() => {
    const max = index.stmt(
      "SELECT MAX(position) AS p FROM album_items WHERE album_id = ?",
    ).get(albumId) as { p: number | null };
    let pos = (max.p ?? -1) + 1;
    let added = 0;
    for (const id of mediaIds) {
      const r = index.stmt(
        "INSERT OR IGNORE INTO album_items (album_id, media_id, position) VALUES (?, ?, ?)",
      ).run(albumId, id, pos);
      if (Number(r.changes) > 0) {
        pos++;
        added++;
      }
    }
    const count = index.stmt(
      "SELECT COUNT(*) AS n FROM album_items WHERE album_id = ?",
    ).get(albumId) as { n: number };
    index.stmt("UPDATE albums SET item_count = ? WHERE id = ?").run(Number(count.n), albumId);
    return added;
  });
}
