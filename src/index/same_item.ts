/**
 * The same-item rules of the index: which row already stands for what a source is about to add,
 * by name and capture time, or by content. One place, so every source decides alike.
 */
import type { Sql } from "./_handle.ts";
import { mediaRowWhere } from "./_rows.ts";
import type { MediaRow, Source } from "./types.ts";

/** Which other items count as the same one; see `ItemTable.findSameItem`. */
export interface SameItemRule {
  /** The asking source: its own rows are other items, never the same one. */
  otherThan: Source;
  /** Only an item whose file is not an original (the copy a Takeout original replaces). */
  belowOriginal?: boolean;
}

/** What a source knows of an item when it asks whether the index already has it. */
export interface SameItemQuery {
  originalName: string;
  captureTime?: string | Date;
  /** Checked when given. */
  mediaType?: "photo" | "video";
}

/** Lookups of items that are already in the index under another source or path. */
export class SameItemLookup {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * The one rule for "another source already indexed this item": the same original name (NFC or
   * NFD, as file systems and exports differ), the same capture time to the second (Takeout's
   * `photoTakenTime` has no milliseconds; stored times are ISO UTC, so the first 19 characters are
   * the second) and, when given, the same media type. Rows of the asking source are left out: its
   * ids are stable, so its row with another id is another item (e.g. a burst frame with the same
   * name and second). An item with a file on disk comes first, then index order.
   */
  findSameItem(item: SameItemQuery, rule: SameItemRule): MediaRow | undefined {
    if (item.captureTime === undefined) return undefined;
    const time = typeof item.captureTime === "string"
      ? item.captureTime
      : item.captureTime.toISOString();
    return mediaRowWhere(
      this.#sql,
      `WHERE original_name IN (?, ?) AND source <> ? AND substr(capture_time, 1, 19) = ?
         AND (? IS NULL OR media_type = ?) AND (? = 0 OR fidelity IS NULL OR fidelity <> 'original')
       ORDER BY downloaded_at IS NULL, rowid LIMIT 1`,
      item.originalName.normalize("NFC"),
      item.originalName.normalize("NFD"),
      rule.otherThan,
      time.slice(0, 19),
      item.mediaType ?? null,
      item.mediaType ?? null,
      rule.belowOriginal ? 1 : 0,
    );
  }

  /** The item whose file on disk has this size and SHA-256, if any. */
  findItemByContent(content: { size: number; sha256: string }): MediaRow | undefined {
    return mediaRowWhere(
      this.#sql,
      "WHERE sha256 = ? AND size = ? ORDER BY rowid LIMIT 1",
      content.sha256,
      content.size,
    );
  }
}
