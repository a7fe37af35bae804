/** The `albums` and `album_items` tables: albums as sources list them, and their members. */
import { nowIso } from "./db.ts";
import type { Row, Sql } from "./_handle.ts";
import { toAlbumRow, toMediaRow } from "./_rows.ts";
import { isStorableId } from "./_text.ts";
import type { AlbumRow, MediaRow } from "./types.ts";

/** The albums of one index. */
export class AlbumTable {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** One album by id. */
  getAlbum(id: string): AlbumRow | undefined {
    if (!isStorableId(id)) return undefined;
    const row = this.#sql.stmt("SELECT * FROM albums WHERE id = ?").get(id) as Row | undefined;
    return row ? toAlbumRow(row) : undefined;
  }

  /** All albums that are not removed. */
  albums(): AlbumRow[] {
    return (this.#sql.stmt("SELECT * FROM albums WHERE removed_at IS NULL ORDER BY rowid")
      .all() as Row[]).map(toAlbumRow);
  }

  /** Every album row, removed ones included. */
  allAlbumRows(): AlbumRow[] {
    return (this.#sql.stmt("SELECT * FROM albums ORDER BY rowid").all() as Row[]).map(toAlbumRow);
  }

  /**
   * Adds or refreshes an album's listing data (title, shared); false when its id cannot be stored
   * (a NUL, see `_text.ts`) and the album is left out.
   */
  upsertAlbum(
    album: { id: string; title?: string; shared: boolean; source?: string; productUrl?: string },
  ): boolean {
    if (!isStorableId(album.id)) return false;
    const now = nowIso();
    this.#sql.stmt(
      `INSERT INTO albums (id, title, shared, source, product_url, first_seen_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, shared = excluded.shared,
         product_url = COALESCE(excluded.product_url, product_url), last_seen_at = excluded.last_seen_at,
         removed_at = NULL`,
    ).run(
      album.id,
      album.title ?? null,
      album.shared ? 1 : 0,
      album.source ?? "library",
      album.productUrl ?? null,
      now,
      now,
    );
    return true;
  }

  /** Replaces an album's membership (in order) and records the count and title it was listed at. */
  setAlbumItems(
    albumId: string,
    mediaIds: string[],
    listed: { count: number; title: string | null },
  ): void {
    this.#writeMembers(albumId, mediaIds, listed);
  }

  /**
   * Appends items to an album after its current members, keeping those already there (an earlier,
   * partial import recorded them); returns how many were new.
   */
  addAlbumItems(albumId: string, mediaIds: string[]): number {
    return this.#writeMembers(albumId, mediaIds, undefined);
  }

  /**
   * The one writer of `album_items`. With `listed` (a complete listing) the membership is replaced
   * and the listed count and title are recorded; without, items are appended and the count is the
   * members now held. A repeated id keeps its first position either way.
   */
  #writeMembers(
    albumId: string,
    mediaIds: string[],
    listed: { count: number; title: string | null } | undefined,
  ): number {
    return this.#sql.transaction(() => {
      let pos = 0;
      if (listed) {
        this.#sql.stmt("DELETE FROM album_items WHERE album_id = ?").run(albumId);
      } else {
        const max = this.#sql.stmt(
          "SELECT MAX(position) AS p FROM album_items WHERE album_id = ?",
        ).get(albumId) as { p: number | null };
        pos = (max.p ?? -1) + 1;
      }
      let added = 0;
      const insert = this.#sql.stmt(
        "INSERT OR IGNORE INTO album_items (album_id, media_id, position) VALUES (?, ?, ?)",
      );
      for (const id of mediaIds) {
        // An id refused when its item was listed must not land on the item its "_" form names.
        if (!isStorableId(id)) continue;
        if (Number(insert.run(albumId, id, pos).changes) > 0) {
          pos++;
          added++;
        }
      }
      if (listed) {
        this.#sql.stmt("UPDATE albums SET item_count = ?, listed_title = ? WHERE id = ?")
          .run(listed.count, listed.title, albumId);
      } else {
        const count = this.#sql.stmt(
          "SELECT COUNT(*) AS n FROM album_items WHERE album_id = ?",
        ).get(albumId) as { n: number };
        this.#sql.stmt("UPDATE albums SET item_count = ? WHERE id = ?")
          .run(Number(count.n), albumId);
      }
      return added;
    });
  }

  /** The ids of an album's members. */
  albumMemberIds(albumId: string): Set<string> {
    const rows = this.#sql.stmt("SELECT media_id FROM album_items WHERE album_id = ?")
      .all(albumId) as Row[];
    return new Set(rows.map((r) => r.media_id as string));
  }

  /** An album's items in album order. */
  albumItems(albumId: string): MediaRow[] {
    return (this.#sql.stmt(
      `SELECT m.* FROM album_items a JOIN media_items m ON m.id = a.media_id
       WHERE a.album_id = ? ORDER BY a.position`,
    ).all(albumId) as Row[]).map(toMediaRow);
  }

  /** Marks albums of a kind not seen since `listingStart` as removed (after a complete listing). */
  markUnseenAlbumsRemoved(shared: boolean, listingStart: string): AlbumRow[] {
    return this.#sql.transaction(() => {
      const rows = this.#sql.stmt(
        `SELECT * FROM albums WHERE shared = ? AND source = 'library' AND last_seen_at < ? AND removed_at IS NULL`,
      ).all(shared ? 1 : 0, listingStart) as Row[];
      const now = nowIso();
      for (const r of rows) {
        this.#sql.stmt("UPDATE albums SET removed_at = ? WHERE id = ?").run(now, r.id as string);
      }
      return rows.map(toAlbumRow);
    });
  }

  /** Items of live albums that are not on disk yet (a `download` or `sync` fetches them). */
  pendingAlbumItemCount(): number {
    const row = this.#sql.stmt(
      `SELECT COUNT(DISTINCT m.id) AS n FROM album_items a JOIN media_items m ON m.id = a.media_id
       JOIN albums b ON b.id = a.album_id
       WHERE m.downloaded_at IS NULL AND m.removed_at IS NULL AND b.removed_at IS NULL`,
    ).get() as { n: number };
    return Number(row.n);
  }

  /** Records the folder an album lives in (or NULL). */
  setAlbumFolder(albumId: string, folder: string | null): void {
    this.#sql.stmt("UPDATE albums SET folder = ? WHERE id = ?").run(folder, albumId);
  }
}
