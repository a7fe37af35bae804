/** The index: typed, prepared queries over `gphotos.sqlite`. Nothing else touches SQL. */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { nowIso, openDatabase, openDatabaseReadOnly, transaction } from "./db.ts";
import type {
  AlbumRow,
  FailureRow,
  LayoutOptions,
  MediaRecord,
  MediaRow,
  Source,
} from "./types.ts";
import {
  clashKey,
  dateFolder,
  dateFromFileName,
  dupBaseName,
  withDupNumber,
} from "../layout/mod.ts";

type Row = Record<string, SQLInputValue>;

/** How an upsert changed the index. */
export interface UpsertResult {
  added: MediaRow[];
  updated: number;
  unchanged: number;
}

/** Counts for `status`. */
export interface IndexCounts {
  bySourceAndType: { source: string; mediaType: string; items: number; downloaded: number }[];
  total: number;
  downloaded: number;
  pending: number;
  removed: number;
  failed: number;
  bytesOnDisk: number;
  albums: number;
}

/** A finished or running run. */
export interface RunRow {
  id: number;
  command: string;
  startedAt: string;
  finishedAt: string | null;
  status: string | null;
  listingComplete: boolean;
  apiCalls: number | null;
  mediaFetches: number | null;
}

/** The index of one TARGET. Open with `MediaIndex.open(target)`; close when done. */
export class MediaIndex {
  readonly db: DatabaseSync;
  #statements = new Map<string, StatementSync>();

  #onClose: () => void;

  constructor(db: DatabaseSync, opts: { onClose?: () => void } = {}) {
    this.db = db;
    this.#onClose = opts.onClose ?? (() => {});
  }

  /** Opens (creating and migrating) the index of TARGET. */
  static open(target: string): MediaIndex {
    return new MediaIndex(openDatabase(target));
  }

  /** Opens the index of TARGET for reading only (also on a read-only disk). */
  static openReadOnly(target: string): MediaIndex {
    const { db, cleanup } = openDatabaseReadOnly(target);
    return new MediaIndex(db, { onClose: cleanup });
  }

  /** Closes the database. */
  close(): void {
    try {
      this.db.close();
    } finally {
      this.#onClose();
    }
  }

  /** A cached prepared statement. */
  stmt(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return transaction(this.db, fn);
  }

  // ---- media items ----

  /** One item by id. */
  getItem(id: string): MediaRow | undefined {
    const row = this.stmt("SELECT * FROM media_items WHERE id = ?").get(id) as Row | undefined;
    return row ? toMediaRow(row) : undefined;
  }

  /** One item by its relative path. */
  getItemByPath(path: string): MediaRow | undefined {
    const row = this.stmt("SELECT * FROM media_items WHERE path = ?").get(path) as Row | undefined;
    return row ? toMediaRow(row) : undefined;
  }

  /**
   * Adds new items (giving each its final path by the name and clash rules) and refreshes known
   * ones, in one transaction. A known item keeps its path: a number, once given, never changes.
   */
  upsertItems(records: MediaRecord[], layout: LayoutOptions = {}): UpsertResult {
    const now = nowIso();
    return this.transaction(() => {
      const result: UpsertResult = { added: [], updated: 0, unchanged: 0 };
      for (const rec of records) {
        const existing = this.stmt("SELECT * FROM media_items WHERE id = ?").get(rec.id) as
          | Row
          | undefined;
        if (!existing) {
          this.#insert(rec, layout, now);
          result.added.push(this.getItem(rec.id)!);
        } else if (this.#update(toMediaRow(existing), rec, now)) {
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

  #insert(rec: MediaRecord, layout: LayoutOptions, now: string): void {
    const { folder, name, key } = this.plannedPath(rec, layout);
    const max = this.stmt(
      "SELECT MAX(dup_no) AS n FROM media_items WHERE folder = ? AND clash_key = ?",
    ).get(folder, key) as { n: number | null };
    let dupNo = (max.n ?? 0) + 1;
    let path = `${folder}/${withDupNumber(name, dupNo)}`;
    // A truncated or odd name can land on a path another key already owns; step past it.
    while (this.stmt("SELECT 1 FROM media_items WHERE path = ?").get(path)) {
      dupNo++;
      path = `${folder}/${withDupNumber(name, dupNo)}`;
    }
    const dateSource = rec.captureTime
      ? rec.dateSource
      : (dateFromFileName(rec.originalName) ? "filename" : "none");
    const captureTime = rec.captureTime ??
      (dateSource === "filename" ? dateFromFileName(rec.originalName)!.toISOString() : null);
    this.stmt(
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
    const next = {
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
    const changed = next.source !== old.source || next.mimeType !== old.mimeType ||
      next.description !== old.description || next.width !== old.width ||
      next.height !== old.height || next.cameraMake !== old.cameraMake ||
      next.cameraModel !== old.cameraModel || next.latitude !== old.latitude ||
      next.longitude !== old.longitude || next.altitude !== old.altitude ||
      next.favourite !== old.favourite || next.archived !== old.archived ||
      next.trashed !== old.trashed || next.videoStatus !== old.videoStatus ||
      next.productUrl !== old.productUrl ||
      JSON.stringify(next.people) !== JSON.stringify(old.people) || old.removedAt !== null;
    if (changed) {
      this.stmt(
        `UPDATE media_items SET source = ?, mime_type = ?, description = ?, width = ?, height = ?,
          camera_make = ?, camera_model = ?, latitude = ?, longitude = ?, altitude = ?, favourite = ?,
          archived = ?, trashed = ?, video_status = ?, product_url = ?, people = ?, last_seen_at = ?,
          removed_at = NULL
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
      this.stmt("UPDATE media_items SET last_seen_at = ? WHERE id = ?").run(now, old.id);
    }
    return changed;
  }

  /** Notes that known items were seen by a listing, without changing them. */
  touchItems(ids: Iterable<string>): void {
    const now = nowIso();
    this.transaction(() => {
      for (const id of ids) {
        this.stmt("UPDATE media_items SET last_seen_at = ?, removed_at = NULL WHERE id = ?").run(
          now,
          id,
        );
      }
    });
  }

  /** Whether an item is in the index. */
  hasItem(id: string): boolean {
    return this.stmt("SELECT 1 FROM media_items WHERE id = ?").get(id) !== undefined;
  }

  /** Sets or clears a flag on the given items (e.g. favourite from a FAVORITES search). */
  setFlag(ids: Iterable<string>, flag: "favourite" | "archived", value: boolean): void {
    const sql = flag === "favourite"
      ? "UPDATE media_items SET favourite = ? WHERE id = ?"
      : "UPDATE media_items SET archived = ? WHERE id = ?";
    this.transaction(() => {
      for (const id of ids) this.stmt(sql).run(value ? 1 : 0, id);
    });
  }

  /**
   * After a listing of `source` that completed without error, marks the items it did not see
   * (last seen before `listingStart`) as removed. Never called after a partial listing.
   */
  markUnseenRemoved(
    source: Source,
    listingStart: string,
    opts: { keepArchived?: boolean } = {},
  ): MediaRow[] {
    return this.transaction(() => {
      const rows = this.stmt(
        `SELECT * FROM media_items WHERE source = ? AND last_seen_at < ? AND removed_at IS NULL
         AND (archived = 0 OR ? = 0)`,
      ).all(source, listingStart, opts.keepArchived ? 1 : 0) as Row[];
      const now = nowIso();
      for (const r of rows) {
        this.stmt("UPDATE media_items SET removed_at = ? WHERE id = ?").run(now, r.id as string);
      }
      return rows.map(toMediaRow);
    });
  }

  /** All items, in index order. */
  allItems(): MediaRow[] {
    return (this.stmt("SELECT * FROM media_items ORDER BY rowid").all() as Row[]).map(toMediaRow);
  }

  /** Items not yet on disk (and not removed), in index order. */
  pendingItems(opts: { skipVideo?: boolean } = {}): MediaRow[] {
    const sql = opts.skipVideo
      ? "SELECT * FROM media_items WHERE downloaded_at IS NULL AND removed_at IS NULL AND media_type = 'photo' ORDER BY rowid"
      : "SELECT * FROM media_items WHERE downloaded_at IS NULL AND removed_at IS NULL ORDER BY rowid";
    return (this.stmt(sql).all() as Row[]).map(toMediaRow);
  }

  /** Items recorded as downloaded. */
  downloadedItems(): MediaRow[] {
    return (this.stmt(
      "SELECT * FROM media_items WHERE downloaded_at IS NOT NULL ORDER BY rowid",
    ).all() as Row[]).map(toMediaRow);
  }

  /** Records a completed download (or import) and clears any failure. */
  markDownloaded(
    id: string,
    file: { size: number; sha256: string; fidelity?: "api" | "picker" | "original" },
  ): void {
    this.transaction(() => {
      this.stmt(
        `UPDATE media_items SET size = ?, sha256 = ?, downloaded_at = ?, fidelity = COALESCE(?, fidelity)
         WHERE id = ?`,
      ).run(file.size, file.sha256, nowIso(), file.fidelity ?? null, id);
      this.stmt("DELETE FROM failures WHERE media_id = ?").run(id);
    });
  }

  /** Forgets a download (the file went missing or changed), so the next run fetches it again. */
  markNotDownloaded(id: string): void {
    this.stmt(
      "UPDATE media_items SET downloaded_at = NULL, size = NULL, sha256 = NULL WHERE id = ?",
    ).run(id);
  }

  /** Records a failed attempt: last error and attempt count. */
  recordFailure(id: string, phase: string, error: string): void {
    this.stmt(
      `INSERT INTO failures (media_id, phase, last_error, attempts, last_attempt_at)
       VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (media_id) DO UPDATE SET phase = excluded.phase, last_error = excluded.last_error,
         attempts = attempts + 1, last_attempt_at = excluded.last_attempt_at`,
    ).run(id, phase, error, nowIso());
  }

  /** Clears a failure record. */
  clearFailure(id: string): void {
    this.stmt("DELETE FROM failures WHERE media_id = ?").run(id);
  }

  /** Failed items with their reasons. */
  failures(): FailureRow[] {
    const rows = this.stmt(
      `SELECT f.*, m.path AS path, m.original_name AS original_name FROM failures f
       LEFT JOIN media_items m ON m.id = f.media_id ORDER BY f.last_attempt_at`,
    ).all() as Row[];
    return rows.map((r) => ({
      mediaId: r.media_id as string,
      phase: r.phase as string,
      lastError: r.last_error as string,
      attempts: Number(r.attempts),
      lastAttemptAt: r.last_attempt_at as string,
      path: (r.path as string | null) ?? null,
      originalName: (r.original_name as string | null) ?? null,
    }));
  }

  /** Numbers for `status`. */
  counts(): IndexCounts {
    const groups = this.stmt(
      `SELECT source, media_type, COUNT(*) AS items, COUNT(downloaded_at) AS downloaded
       FROM media_items WHERE removed_at IS NULL GROUP BY source, media_type ORDER BY source, media_type`,
    ).all() as Row[];
    const one = (sql: string) => Number((this.stmt(sql).get() as { n: number | null }).n ?? 0);
    return {
      bySourceAndType: groups.map((g) => ({
        source: g.source as string,
        mediaType: g.media_type as string,
        items: Number(g.items),
        downloaded: Number(g.downloaded),
      })),
      total: one("SELECT COUNT(*) AS n FROM media_items WHERE removed_at IS NULL"),
      downloaded: one(
        "SELECT COUNT(*) AS n FROM media_items WHERE removed_at IS NULL AND downloaded_at IS NOT NULL",
      ),
      pending: one(
        "SELECT COUNT(*) AS n FROM media_items WHERE removed_at IS NULL AND downloaded_at IS NULL",
      ),
      removed: one("SELECT COUNT(*) AS n FROM media_items WHERE removed_at IS NOT NULL"),
      failed: one("SELECT COUNT(*) AS n FROM failures"),
      bytesOnDisk: one("SELECT SUM(size) AS n FROM media_items WHERE downloaded_at IS NOT NULL"),
      albums: one("SELECT COUNT(*) AS n FROM albums WHERE removed_at IS NULL"),
    };
  }

  /** Items marked removed from Google (their files stay on disk). */
  removedItems(): MediaRow[] {
    return (this.stmt(
      "SELECT * FROM media_items WHERE removed_at IS NOT NULL ORDER BY rowid",
    ).all() as Row[]).map(toMediaRow);
  }

  // ---- albums ----

  /** One album by id. */
  getAlbum(id: string): AlbumRow | undefined {
    const row = this.stmt("SELECT * FROM albums WHERE id = ?").get(id) as Row | undefined;
    return row ? toAlbumRow(row) : undefined;
  }

  /** All albums that are not removed. */
  albums(): AlbumRow[] {
    return (this.stmt("SELECT * FROM albums WHERE removed_at IS NULL ORDER BY rowid")
      .all() as Row[])
      .map(toAlbumRow);
  }

  /** Adds or refreshes an album's listing data (title, shared). */
  upsertAlbum(
    album: { id: string; title?: string; shared: boolean; source?: string; productUrl?: string },
  ): void {
    const now = nowIso();
    this.stmt(
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
  }

  /** Replaces an album's membership (in order) and records the count and title it was listed at. */
  setAlbumItems(
    albumId: string,
    mediaIds: string[],
    listed: { count: number; title: string | null },
  ): void {
    this.transaction(() => {
      this.stmt("DELETE FROM album_items WHERE album_id = ?").run(albumId);
      const seen = new Set<string>();
      let pos = 0;
      for (const id of mediaIds) {
        if (seen.has(id)) continue;
        seen.add(id);
        this.stmt("INSERT INTO album_items (album_id, media_id, position) VALUES (?, ?, ?)").run(
          albumId,
          id,
          pos++,
        );
      }
      this.stmt("UPDATE albums SET item_count = ?, listed_title = ? WHERE id = ?").run(
        listed.count,
        listed.title,
        albumId,
      );
    });
  }

  /** An album's items in album order. */
  albumItems(albumId: string): MediaRow[] {
    return (this.stmt(
      `SELECT m.* FROM album_items a JOIN media_items m ON m.id = a.media_id
       WHERE a.album_id = ? ORDER BY a.position`,
    ).all(albumId) as Row[]).map(toMediaRow);
  }

  /** Marks albums of a kind not seen since `listingStart` as removed (after a complete listing). */
  markUnseenAlbumsRemoved(shared: boolean, listingStart: string): AlbumRow[] {
    return this.transaction(() => {
      const rows = this.stmt(
        `SELECT * FROM albums WHERE shared = ? AND source = 'library' AND last_seen_at < ? AND removed_at IS NULL`,
      ).all(shared ? 1 : 0, listingStart) as Row[];
      const now = nowIso();
      for (const r of rows) {
        this.stmt("UPDATE albums SET removed_at = ? WHERE id = ?").run(now, r.id as string);
      }
      return rows.map(toAlbumRow);
    });
  }

  /** Records the folder an album lives in (or NULL). */
  setAlbumFolder(albumId: string, folder: string | null): void {
    this.stmt("UPDATE albums SET folder = ? WHERE id = ?").run(folder, albumId);
  }

  // ---- runs ----

  /** Starts a run record; returns its id. */
  startRun(command: string): number {
    const r = this.stmt("INSERT INTO runs (command, started_at) VALUES (?, ?)").run(
      command,
      nowIso(),
    );
    return Number(r.lastInsertRowid);
  }

  /** Finishes a run record. */
  finishRun(
    id: number,
    fin: {
      status: string;
      listingComplete?: boolean;
      apiCalls?: number;
      mediaFetches?: number;
      summary?: unknown;
    },
  ): void {
    this.stmt(
      `UPDATE runs SET finished_at = ?, status = ?, listing_complete = ?, api_calls = ?,
        media_fetches = ?, summary = ? WHERE id = ?`,
    ).run(
      nowIso(),
      fin.status,
      fin.listingComplete ? 1 : 0,
      fin.apiCalls ?? null,
      fin.mediaFetches ?? null,
      fin.summary === undefined ? null : JSON.stringify(fin.summary),
      id,
    );
  }

  /** The last finished run of each command. */
  lastRuns(): RunRow[] {
    const rows = this.stmt(
      `SELECT * FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY command) ORDER BY id`,
    ).all() as Row[];
    return rows.map((r) => ({
      id: Number(r.id),
      command: r.command as string,
      startedAt: r.started_at as string,
      finishedAt: (r.finished_at as string | null) ?? null,
      status: (r.status as string | null) ?? null,
      listingComplete: Number(r.listing_complete) === 1,
      apiCalls: r.api_calls == null ? null : Number(r.api_calls),
      mediaFetches: r.media_fetches == null ? null : Number(r.media_fetches),
    }));
  }
}

function toMediaRow(r: Row): MediaRow {
  return {
    id: r.id as string,
    source: r.source as Source,
    originalName: r.original_name as string,
    path: r.path as string,
    folder: r.folder as string,
    dupNo: Number(r.dup_no),
    mimeType: (r.mime_type as string | null) ?? null,
    mediaType: r.media_type as "photo" | "video",
    captureTime: (r.capture_time as string | null) ?? null,
    dateSource: r.date_source as MediaRow["dateSource"],
    width: numOrNull(r.width),
    height: numOrNull(r.height),
    cameraMake: (r.camera_make as string | null) ?? null,
    cameraModel: (r.camera_model as string | null) ?? null,
    description: (r.description as string | null) ?? null,
    latitude: numOrNull(r.latitude),
    longitude: numOrNull(r.longitude),
    altitude: numOrNull(r.altitude),
    favourite: Number(r.favourite) === 1,
    archived: Number(r.archived) === 1,
    trashed: Number(r.trashed) === 1,
    videoStatus: (r.video_status as string | null) ?? null,
    productUrl: (r.product_url as string | null) ?? null,
    people: r.people ? JSON.parse(r.people as string) as string[] : null,
    companionOf: (r.companion_of as string | null) ?? null,
    companionRole: (r.companion_role as string | null) ?? null,
    fidelity: (r.fidelity as string | null) ?? null,
    size: numOrNull(r.size),
    sha256: (r.sha256 as string | null) ?? null,
    downloadedAt: (r.downloaded_at as string | null) ?? null,
    firstSeenAt: r.first_seen_at as string,
    lastSeenAt: r.last_seen_at as string,
    removedAt: (r.removed_at as string | null) ?? null,
  };
}

function toAlbumRow(r: Row): AlbumRow {
  return {
    id: r.id as string,
    title: (r.title as string | null) ?? null,
    shared: Number(r.shared) === 1,
    source: r.source as string,
    itemCount: numOrNull(r.item_count),
    listedTitle: (r.listed_title as string | null) ?? null,
    folder: (r.folder as string | null) ?? null,
    productUrl: (r.product_url as string | null) ?? null,
    firstSeenAt: r.first_seen_at as string,
    lastSeenAt: r.last_seen_at as string,
    removedAt: (r.removed_at as string | null) ?? null,
  };
}

function numOrNull(v: SQLInputValue | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
