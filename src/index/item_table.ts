/** The `media_items` table: adding and refreshing items, their paths, flags and files. */
import { nowIso } from "./db.ts";
import type { Row, Sql } from "./_handle.ts";
import { mediaRowsWhere, mediaRowWhere } from "./_rows.ts";
import { isStorableId } from "./_text.ts";
import type { LayoutOptions, MediaRecord, MediaRow, SkippedRow } from "./types.ts";
import {
  clashKey,
  dateFolder,
  dateFromFileName,
  dupBaseName,
  withDupNumber,
} from "../layout/mod.ts";

/** How an upsert changed the index. */
export interface UpsertResult {
  added: MediaRow[];
  updated: number;
  unchanged: number;
  /** Records not stored, with why (an id no Google item can have): a source warns of each. */
  refused: { id: string; reason: string }[];
}

/** Where an item's file lives: its path and the parts of the clash rule. */
export interface ItemPlace {
  path: string;
  folder: string;
  clashKey: string;
  dupNo: number;
}

/** The items of one index. */
export class ItemTable {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** One item by id. */
  getItem(id: string): MediaRow | undefined {
    if (!isStorableId(id)) return undefined;
    return mediaRowWhere(this.#sql, "WHERE id = ?", id);
  }

  /** One item by its relative path. */
  getItemByPath(path: string): MediaRow | undefined {
    return mediaRowWhere(this.#sql, "WHERE path = ?", path);
  }

  /** Whether an item is in the index. */
  hasItem(id: string): boolean {
    if (!isStorableId(id)) return false;
    return this.#sql.stmt("SELECT 1 FROM media_items WHERE id = ?").get(id) !== undefined;
  }

  /**
   * Adds new items (giving each its final path by the name and clash rules) and refreshes known
   * ones, in one transaction. A known item keeps its path: a number, once given, never changes.
   */
  upsertItems(records: MediaRecord[], layout: LayoutOptions = {}): UpsertResult {
    const now = nowIso();
    return this.#sql.transaction(() => {
      const result: UpsertResult = { added: [], updated: 0, unchanged: 0, refused: [] };
      for (const rec of records) {
        if (!isStorableId(rec.id)) {
          result.refused.push({ id: rec.id, reason: refusedIdReason(rec.id, rec.originalName) });
          continue;
        }
        const existing = mediaRowWhere(this.#sql, "WHERE id = ?", rec.id);
        if (!existing) {
          this.#insert(rec, layout, now);
          result.added.push(this.getItem(rec.id)!);
        } else if (this.#update(existing, rec, now)) {
          result.updated++;
        } else {
          result.unchanged++;
        }
      }
      return result;
    });
  }

  /** The relative path a new item would get, without writing it. */
  plannedPath(rec: Pick<MediaRecord, "originalName" | "captureTime">, layout: LayoutOptions = {}): {
    folder: string;
    name: string;
    key: string;
  } {
    const date = rec.captureTime ? new Date(rec.captureTime) : dateFromFileName(rec.originalName);
    const folder = dateFolder(date, { flat: layout.flat });
    const name = dupBaseName(rec.originalName);
    return { folder, name, key: clashKey(name) };
  }

  /**
   * The lowest number from `from` on that no item of `folder` and `key` holds and whose path no
   * other item owns. Lowest, not after the highest: a number freed by `movePastTakenPath` goes to
   * the next item of that name, which after a lost index is often the one whose file is there.
   */
  #freeNumber(folder: string, key: string, name: string, from: number): [number, string] {
    const held = new Set(
      (this.#sql.stmt("SELECT dup_no FROM media_items WHERE folder = ? AND clash_key = ?")
        .all(folder, key) as Row[]).map((r) => Number(r.dup_no)),
    );
    for (let dupNo = from;; dupNo++) {
      if (held.has(dupNo)) continue;
      const path = `${folder}/${withDupNumber(name, dupNo)}`;
      // A truncated or odd name can land on a path another key already owns; step past it.
      if (!this.#sql.stmt("SELECT 1 FROM media_items WHERE path = ?").get(path)) {
        return [dupNo, path];
      }
    }
  }

  /**
   * The item's path is taken on disk by a file that is not its bytes (an index lost, a user's
   * file): gives it the next free ` (n)` after its current one and returns the updated row.
   */
  movePastTakenPath(id: string): MediaRow {
    return this.#sql.transaction(() => {
      const row = this.getItem(id);
      if (!row) throw new RangeError(`No item "${id}" in the index`);
      const name = dupBaseName(row.originalName);
      const [dupNo, path] = this.#freeNumber(row.folder, clashKey(name), name, row.dupNo + 1);
      this.#sql.stmt("UPDATE media_items SET path = ?, dup_no = ? WHERE id = ?")
        .run(path, dupNo, id);
      return this.getItem(id)!;
    });
  }

  /**
   * Paths of the item's name below its number that no item holds (freed by `movePastTakenPath`)
   * or that an item not yet downloaded holds: after a lost index this item's file may sit there.
   */
  pathsBelow(id: string): { dupNo: number; path: string; pendingHolder?: string }[] {
    const row = this.getItem(id);
    if (!row || row.dupNo <= 1) return [];
    const name = dupBaseName(row.originalName);
    const key = clashKey(name);
    const out: { dupNo: number; path: string; pendingHolder?: string }[] = [];
    for (let dupNo = 1; dupNo < row.dupNo; dupNo++) {
      const holder = this.#sql.stmt(
        "SELECT id, downloaded_at FROM media_items WHERE folder = ? AND clash_key = ? AND dup_no = ?",
      ).get(row.folder, key, dupNo) as Row | undefined;
      if (holder && holder.downloaded_at !== null) continue;
      const path = `${row.folder}/${withDupNumber(name, dupNo)}`;
      const owner = this.getItemByPath(path);
      if (owner && owner.id !== holder?.id) continue;
      out.push(holder ? { dupNo, path, pendingHolder: holder.id as string } : { dupNo, path });
    }
    return out;
  }

  /** Gives an item a number `pathsBelow` returned, once free; returns the updated row. */
  moveToNumber(id: string, dupNo: number): MediaRow {
    return this.#sql.transaction(() => {
      const row = this.getItem(id);
      if (!row) throw new RangeError(`No item "${id}" in the index`);
      const name = dupBaseName(row.originalName);
      const [free, path] = this.#freeNumber(row.folder, clashKey(name), name, dupNo);
      if (free !== dupNo) throw new RangeError(`Number ${dupNo} of "${row.path}" is not free`);
      this.#sql.stmt("UPDATE media_items SET path = ?, dup_no = ? WHERE id = ?")
        .run(path, dupNo, id);
      return this.getItem(id)!;
    });
  }

  /** The next free path for `name` in `folder`, by the " (n)" clash rule. */
  #freePlace(folder: string, name: string, key: string): { path: string; dupNo: number } {
    const [dupNo, path] = this.#freeNumber(folder, key, name, 1);
    return { path, dupNo };
  }

  /**
   * Where an item would live if its capture time were `captureTime`: its own path when the folder
   * stays the same, else the next free path in the new folder. Writes nothing.
   */
  plannedMove(id: string, captureTime: string, layout: LayoutOptions = {}): ItemPlace {
    const row = this.getItem(id);
    if (!row) throw new TypeError(`Unknown item "${id}"`);
    const { folder, name, key } = this.plannedPath(
      { originalName: row.originalName, captureTime },
      layout,
    );
    if (folder === row.folder) {
      return { path: row.path, folder, clashKey: key, dupNo: row.dupNo };
    }
    return { ...this.#freePlace(folder, name, key), folder, clashKey: key };
  }

  /** Gives an item a better capture time and the place `plannedMove` chose, in one transaction. */
  moveItem(
    id: string,
    date: { captureTime: string; dateSource: MediaRecord["dateSource"] },
    place: ItemPlace,
  ): void {
    this.#sql.transaction(() => {
      this.#sql.stmt(
        `UPDATE media_items SET capture_time = ?, date_source = ?, path = ?, folder = ?,
          clash_key = ?, dup_no = ? WHERE id = ?`,
      ).run(
        date.captureTime,
        date.dateSource,
        place.path,
        place.folder,
        place.clashKey,
        place.dupNo,
        id,
      );
    });
  }

  #insert(rec: MediaRecord, layout: LayoutOptions, now: string): void {
    const { folder, name, key } = this.plannedPath(rec, layout);
    const [dupNo, path] = this.#freeNumber(folder, key, name, 1);
    const dateSource = rec.captureTime
      ? rec.dateSource
      : (dateFromFileName(rec.originalName) ? "filename" : "none");
    const captureTime = rec.captureTime ??
      (dateSource === "filename" ? dateFromFileName(rec.originalName)!.toISOString() : null);
    this.#sql.stmt(
      `INSERT INTO media_items (id, source, original_name, path, folder, clash_key, dup_no, mime_type,
        media_type, capture_time, date_source, width, height, camera_make, camera_model, description,
        latitude, longitude, altitude, favourite, archived, trashed, video_status, product_url, people,
        companion_of, companion_role, fidelity, first_seen_at, last_seen_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    ).run(
      rec.id,
      rec.source,
      rec.originalName,
      path,
      folder,
      key,
      dupNo,
      rec.mimeType ?? null,
      rec.mediaType,
      captureTime,
      dateSource,
      rec.width ?? null,
      rec.height ?? null,
      rec.cameraMake ?? null,
      rec.cameraModel ?? null,
      rec.description ?? null,
      rec.latitude ?? null,
      rec.longitude ?? null,
      rec.altitude ?? null,
      rec.favourite ? 1 : 0,
      rec.archived ? 1 : 0,
      rec.trashed ? 1 : 0,
      rec.videoStatus ?? null,
      rec.productUrl ?? null,
      rec.people ? JSON.stringify(rec.people) : null,
      rec.companionOf ?? null,
      rec.companionRole ?? null,
      rec.fidelity ?? null,
      now,
      now,
    );
  }

  /** Refreshes metadata that may change in Google; returns whether anything but last_seen changed. */
  #update(old: MediaRow, rec: MediaRecord, now: string): boolean {
    const next = refreshed(old, rec);
    const changed = differs(old, next);
    if (changed) {
      // Google's word on the item changed (a FAILED video may be READY now): a skip is tried again.
      this.#sql.stmt(
        `UPDATE media_items SET source = ?, mime_type = ?, description = ?, width = ?, height = ?,
          camera_make = ?, camera_model = ?, latitude = ?, longitude = ?, altitude = ?, favourite = ?,
          archived = ?, trashed = ?, video_status = ?, product_url = ?, people = ?, last_seen_at = ?,
          removed_at = NULL, skip_reason = NULL, skipped_at = NULL
         WHERE id = ?`,
      ).run(
        next.source,
        next.mimeType,
        next.description,
        next.width,
        next.height,
        next.cameraMake,
        next.cameraModel,
        next.latitude,
        next.longitude,
        next.altitude,
        next.favourite ? 1 : 0,
        next.archived ? 1 : 0,
        next.trashed ? 1 : 0,
        next.videoStatus,
        next.productUrl,
        next.people ? JSON.stringify(next.people) : null,
        now,
        old.id,
      );
    } else {
      this.#sql.stmt("UPDATE media_items SET last_seen_at = ? WHERE id = ?").run(now, old.id);
    }
    return changed;
  }

  /** Notes that known items were seen by a listing, without changing them. */
  touchItems(ids: Iterable<string>): void {
    const now = nowIso();
    this.#sql.transaction(() => {
      for (const id of ids) {
        if (!isStorableId(id)) continue;
        this.#sql.stmt("UPDATE media_items SET last_seen_at = ?, removed_at = NULL WHERE id = ?")
          .run(now, id);
      }
    });
  }

  /** Sets or clears a flag on the given items (e.g. favourite from a FAVORITES search). */
  setFlag(ids: Iterable<string>, flag: "favourite" | "archived", value: boolean): void {
    const sql = flag === "favourite"
      ? "UPDATE media_items SET favourite = ? WHERE id = ?"
      : "UPDATE media_items SET archived = ? WHERE id = ?";
    this.#sql.transaction(() => {
      for (const id of ids) if (isStorableId(id)) this.#sql.stmt(sql).run(value ? 1 : 0, id);
    });
  }

  /** All items, in index order. */
  allItems(): MediaRow[] {
    return this.#rows("ORDER BY rowid");
  }

  /** Items not yet on disk (and neither removed nor skipped), in index order. */
  pendingItems(opts: { skipVideo?: boolean } = {}): MediaRow[] {
    return this.#rows(
      opts.skipVideo
        ? "WHERE downloaded_at IS NULL AND removed_at IS NULL AND skip_reason IS NULL AND media_type = 'photo' ORDER BY rowid"
        : "WHERE downloaded_at IS NULL AND removed_at IS NULL AND skip_reason IS NULL ORDER BY rowid",
    );
  }

  /**
   * Records that Google says it cannot serve an item (a video whose processing FAILED): not a
   * failure a rerun fixes, so it leaves the pending list until its metadata changes.
   */
  markSkipped(id: string, reason: string): void {
    this.#sql.transaction(() => {
      this.#sql.stmt("UPDATE media_items SET skip_reason = ?, skipped_at = ? WHERE id = ?")
        .run(reason, nowIso(), id);
      this.#sql.stmt("DELETE FROM failures WHERE media_id = ?").run(id);
    });
  }

  /** Items skipped because Google cannot serve them (and not removed), with why. */
  skippedItems(): SkippedRow[] {
    const rows = this.#sql.stmt(
      `SELECT id, path, skip_reason, skipped_at FROM media_items
       WHERE skip_reason IS NOT NULL AND removed_at IS NULL ORDER BY rowid`,
    ).all() as Row[];
    return rows.map((r) => ({
      id: r.id as string,
      path: r.path as string,
      reason: r.skip_reason as string,
      skippedAt: r.skipped_at as string,
    }));
  }

  /** Items recorded as downloaded. */
  downloadedItems(): MediaRow[] {
    return this.#rows("WHERE downloaded_at IS NOT NULL ORDER BY rowid");
  }

  /** Items marked removed from Google (their files stay on disk). */
  removedItems(): MediaRow[] {
    return this.#rows("WHERE removed_at IS NOT NULL ORDER BY rowid");
  }

  /** Every item row that `where` (a WHERE and ORDER BY clause of `media_items`) selects. */
  #rows(where: string): MediaRow[] {
    return mediaRowsWhere(this.#sql, where);
  }

  /** Records a completed download (or import) and clears any failure. */
  markDownloaded(
    id: string,
    file: { size: number; sha256: string; fidelity?: "api" | "picker" | "original" },
  ): void {
    this.#sql.transaction(() => {
      this.#sql.stmt(
        `UPDATE media_items SET size = ?, sha256 = ?, downloaded_at = ?, fidelity = COALESCE(?, fidelity),
          skip_reason = NULL, skipped_at = NULL
         WHERE id = ?`,
      ).run(file.size, file.sha256, nowIso(), file.fidelity ?? null, id);
      this.#sql.stmt("DELETE FROM failures WHERE media_id = ?").run(id);
    });
  }

  /** Forgets a download (the file went missing or changed), so the next run fetches it again. */
  markNotDownloaded(id: string): void {
    this.#sql.stmt(
      "UPDATE media_items SET downloaded_at = NULL, size = NULL, sha256 = NULL WHERE id = ?",
    ).run(id);
  }
}

/** What an upsert of `rec` makes of the metadata of the item `old` (`#update`'s columns). */
function refreshed(old: MediaRow, rec: MediaRecord) {
  return {
    source: old.source === "album" && rec.source === "library" ? "library" : old.source,
    mimeType: rec.mimeType ?? old.mimeType,
    description: rec.description ?? old.description,
    width: rec.width ?? old.width,
    height: rec.height ?? old.height,
    cameraMake: rec.cameraMake ?? old.cameraMake,
    cameraModel: rec.cameraModel ?? old.cameraModel,
    latitude: rec.latitude ?? old.latitude,
    longitude: rec.longitude ?? old.longitude,
    altitude: rec.altitude ?? old.altitude,
    favourite: rec.favourite ?? old.favourite,
    archived: rec.archived ?? old.archived,
    trashed: rec.trashed ?? old.trashed,
    videoStatus: rec.videoStatus ?? old.videoStatus,
    productUrl: rec.productUrl ?? old.productUrl,
    people: rec.people ?? old.people,
  };
}

function differs(old: MediaRow, next: ReturnType<typeof refreshed>): boolean {
  return next.source !== old.source || next.mimeType !== old.mimeType ||
    next.description !== old.description || next.width !== old.width ||
    next.height !== old.height || next.cameraMake !== old.cameraMake ||
    next.cameraModel !== old.cameraModel || next.latitude !== old.latitude ||
    next.longitude !== old.longitude || next.altitude !== old.altitude ||
    next.favourite !== old.favourite || next.archived !== old.archived ||
    next.trashed !== old.trashed || next.videoStatus !== old.videoStatus ||
    next.productUrl !== old.productUrl ||
    JSON.stringify(next.people) !== JSON.stringify(old.people) || old.removedAt !== null;
}

/**
 * Whether upserting `rec` would change the known item `row` beyond its last-seen time: when not, a
 * source that only re-reads what it wrote before (a Takeout re-import) need not write at all.
 */
export function refreshChanges(row: MediaRow, rec: MediaRecord): boolean {
  return differs(row, refreshed(row, rec));
}

/** Why a record with an id that cannot be stored was left out. */
export function refusedIdReason(id: string, name?: string): string {
  return `Item ${JSON.stringify(id)}${
    name === undefined ? "" : ` ("${name.replaceAll("\0", "_")}")`
  }` +
    " skipped: its id holds a NUL character, which no Google id has";
}
