/**
 * The `takeout_entries` table: which item each imported Takeout entry became, by the entry's path
 * below the Google Photos folder, size and fingerprint (a zip's CRC-32, a tar's or folder's
 * time), so a later import recognises an unchanged entry without reading it; and the
 * `takeout_json` table: what each JSON file of an export said, by the same key, so an unchanged
 * sidecar is not read again either.
 */
import type { Row, Sql } from "./_handle.ts";
import { toMediaRow } from "./_rows.ts";
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

/** `takeoutEntryId` of a row whose entry columns are selected as `t_key`, `t_size`, `t_fingerprint`. */
function rowEntryId(r: Row): string {
  return takeoutEntryId({
    key: r.t_key as string,
    size: Number(r.t_size),
    fingerprint: r.t_fingerprint as string,
  });
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
    const rows = this.#sql.stmt(
      `SELECT t.entry_key AS t_key, t.size AS t_size, t.fingerprint AS t_fingerprint, m.*
       FROM takeout_entries t JOIN media_items m ON m.id = t.media_id
       WHERE m.downloaded_at IS NOT NULL`,
    ).all() as Row[];
    const items = new Map<string, MediaRow>();
    const out = new Map<string, MediaRow>();
    for (const r of rows) {
      const id = r.id as string;
      let row = items.get(id);
      if (!row) items.set(id, row = toMediaRow(r));
      out.set(rowEntryId(r), row);
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
    const rows = this.#sql.stmt(
      `SELECT entry_key AS t_key, size AS t_size, fingerprint AS t_fingerprint, info
       FROM takeout_json WHERE reader = ?`,
    ).all(reader) as Row[];
    const out = new Map<string, string>();
    for (const r of rows) out.set(rowEntryId(r), r.info as string);
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
