/**
 * The `takeout_entries` table: which item each imported Takeout entry became, by the entry's path
 * below the Google Photos folder, size and fingerprint (a zip's CRC-32, a tar's or folder's
 * time), so a later import recognises an unchanged entry without reading it; and the
 * `takeout_json` table: what each JSON file of an export said, by the same key, so an unchanged
 * sidecar is not read again either.
 */
import type { SQLOutputValue } from "node:sqlite";
import type { Sql } from "./_handle.ts";
import { mediaColumns, mediaRowAt } from "./_rows.ts";
import type { MediaRow } from "./types.ts";

/** An entry of an export as the index remembers it. */
export interface TakeoutEntryKey {
  /** Path below the Google Photos folder, NFC. */
  key: string;
  size: number;
  /** `crc32:<hex>` or `mtime:<s>`. */
  fingerprint: string;
}

/** One string per entry key, for a `Map` of entries (a path holds no NUL). */
export function takeoutEntryId(e: TakeoutEntryKey): string {
  return `${e.key}\0${e.size}\0${e.fingerprint}`;
}

/** `takeoutEntryId` of an array row whose first three values are key, size and fingerprint. */
function arrayEntryId(v: SQLOutputValue[]): string {
  return takeoutEntryId({ key: v[0] as string, size: Number(v[1]), fingerprint: v[2] as string });
}

/** The imported Takeout entries of one index. */
export class TakeoutEntryTable {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Every entry whose item has a file on disk, by `takeoutEntryId`, with that item's row (one
   * object per item), in one query: a re-import recognises thousands of entries without a query
   * each.
   */
  downloadedEntries(): Map<string, MediaRow> {
    const rows = this.#sql.arrayStmt(
      `SELECT t.entry_key, t.size, t.fingerprint, ${mediaColumns("m")}
       FROM takeout_entries t JOIN media_items m ON m.id = t.media_id
       WHERE m.downloaded_at IS NOT NULL`,
    ).arrays();
    const items = new Map<string, MediaRow>();
    const out = new Map<string, MediaRow>();
    for (const v of rows) {
      const id = v[3] as string;
      let row = items.get(id);
      if (!row) items.set(id, row = mediaRowAt(v, 3));
      out.set(arrayEntryId(v), row);
    }
    return out;
  }

  /** Remembers that entries became (or are copies of) items, in one transaction. */
  recordEntries(entries: Iterable<{ entry: TakeoutEntryKey; mediaId: string }>): void {
    this.#sql.transaction(() => {
      const insert = this.#sql.stmt(
        `INSERT INTO takeout_entries (entry_key, size, fingerprint, media_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (entry_key, size, fingerprint) DO UPDATE SET media_id = excluded.media_id`,
      );
      for (const { entry: e, mediaId } of entries) {
        insert.run(e.key, e.size, e.fingerprint, mediaId);
      }
    });
  }

  /**
   * What the JSON files this reader version stored said, by `takeoutEntryId`, in one query (a
   * file stored by another version is read again).
   */
  knownJson(reader: number): Map<string, string> {
    const rows = this.#sql.arrayStmt(
      "SELECT entry_key, size, fingerprint, info FROM takeout_json WHERE reader = ?",
    ).arrays(reader);
    const out = new Map<string, string>();
    for (const v of rows) out.set(arrayEntryId(v), v[3] as string);
    return out;
  }

  /** Stores what JSON files said (`info`), in one transaction. */
  recordJson(files: Iterable<{ entry: TakeoutEntryKey; info: string }>, reader: number): void {
    this.#sql.transaction(() => {
      const insert = this.#sql.stmt(
        `INSERT INTO takeout_json (entry_key, size, fingerprint, reader, info) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (entry_key, size, fingerprint)
         DO UPDATE SET reader = excluded.reader, info = excluded.info`,
      );
      for (const { entry: e, info } of files) {
        insert.run(e.key, e.size, e.fingerprint, reader, info);
      }
    });
  }
}
