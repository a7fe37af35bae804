/**
 * The `takeout_entries` table: which item each imported Takeout entry became, by the entry's path
 * below the Google Photos folder, size and fingerprint (a zip's CRC-32, a tar's or folder's
 * time), so a later import recognises an unchanged entry without reading it.
 */
import type { Row, Sql } from "./_handle.ts";

/** An entry of an export as the index remembers it. */
export interface TakeoutEntryKey {
  /** Path below the Google Photos folder, NFC. */
  key: string;
  size: number;
  /** `crc32:<hex>` or `mtime:<s>`. */
  fingerprint: string;
}

/** The imported Takeout entries of one index. */
export class TakeoutEntryTable {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** The item an entry with this path, size and fingerprint became, if any. */
  itemOfEntry(e: TakeoutEntryKey): string | undefined {
    const row = this.#sql.stmt(
      "SELECT media_id FROM takeout_entries WHERE entry_key = ? AND size = ? AND fingerprint = ?",
    ).get(e.key, e.size, e.fingerprint) as Row | undefined;
    return row ? (row.media_id as string) : undefined;
  }

  /** Remembers that an entry became (or is a copy of) an item. */
  recordEntry(e: TakeoutEntryKey, mediaId: string): void {
    this.#sql.stmt(
      `INSERT INTO takeout_entries (entry_key, size, fingerprint, media_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (entry_key, size, fingerprint) DO UPDATE SET media_id = excluded.media_id`,
    ).run(e.key, e.size, e.fingerprint, mediaId);
  }
}
