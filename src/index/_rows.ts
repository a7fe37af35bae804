/** Turning `media_items` and `albums` rows into the shapes the rest of the program sees. */
import type { SQLInputValue, SQLOutputValue } from "node:sqlite";
import type { Row, Sql } from "./_handle.ts";
import type { AlbumRow, MediaRow, Source } from "./types.ts";

/**
 * The `media_items` columns a `MediaRow` is made of, in the order `mediaRowAt` reads them. A query
 * of many rows selects them by name and asks for arrays (`Sql.arrayStmt`): V8 builds and reads an
 * array of values several times faster than an object per row with some 35 named properties.
 */
export const MEDIA_COLUMNS = [
  "id",
  "source",
  "original_name",
  "path",
  "folder",
  "dup_no",
  "mime_type",
  "media_type",
  "capture_time",
  "date_source",
  "width",
  "height",
  "camera_make",
  "camera_model",
  "description",
  "latitude",
  "longitude",
  "altitude",
  "favourite",
  "archived",
  "trashed",
  "video_status",
  "product_url",
  "people",
  "companion_of",
  "companion_role",
  "fidelity",
  "size",
  "sha256",
  "downloaded_at",
  "first_seen_at",
  "last_seen_at",
  "removed_at",
] as const;

const selectLists = new Map<string, string>();

/** `MEDIA_COLUMNS` of table alias `alias` as a select list: `m.id, m.source, …` (made once). */
export function mediaColumns(alias: string): string {
  let list = selectLists.get(alias);
  if (list === undefined) {
    selectLists.set(alias, list = MEDIA_COLUMNS.map((c) => `${alias}.${c}`).join(", "));
  }
  return list;
}

/** A `media_items` row by column name (a `SELECT *` or `m.*` row). */
export function toMediaRow(r: Row): MediaRow {
  return mediaRowAt(MEDIA_COLUMNS.map((c) => r[c]), 0);
}

/** The `MediaRow` whose `MEDIA_COLUMNS` are `v[at]`, `v[at + 1]`, … (an array row). */
export function mediaRowAt(
  v: ArrayLike<SQLInputValue | SQLOutputValue | undefined>,
  at: number,
): MediaRow {
  const people = v[at + 23];
  return {
    id: v[at] as string,
    source: v[at + 1] as Source,
    originalName: v[at + 2] as string,
    path: v[at + 3] as string,
    folder: v[at + 4] as string,
    dupNo: Number(v[at + 5]),
    mimeType: (v[at + 6] as string | null) ?? null,
    mediaType: v[at + 7] as "photo" | "video",
    captureTime: (v[at + 8] as string | null) ?? null,
    dateSource: v[at + 9] as MediaRow["dateSource"],
    width: numOrNull(v[at + 10]),
    height: numOrNull(v[at + 11]),
    cameraMake: (v[at + 12] as string | null) ?? null,
    cameraModel: (v[at + 13] as string | null) ?? null,
    description: (v[at + 14] as string | null) ?? null,
    latitude: numOrNull(v[at + 15]),
    longitude: numOrNull(v[at + 16]),
    altitude: numOrNull(v[at + 17]),
    favourite: Number(v[at + 18]) === 1,
    archived: Number(v[at + 19]) === 1,
    trashed: Number(v[at + 20]) === 1,
    videoStatus: (v[at + 21] as string | null) ?? null,
    productUrl: (v[at + 22] as string | null) ?? null,
    people: people ? JSON.parse(people as string) as string[] : null,
    companionOf: (v[at + 24] as string | null) ?? null,
    companionRole: (v[at + 25] as string | null) ?? null,
    fidelity: (v[at + 26] as string | null) ?? null,
    size: numOrNull(v[at + 27]),
    sha256: (v[at + 28] as string | null) ?? null,
    downloadedAt: (v[at + 29] as string | null) ?? null,
    firstSeenAt: v[at + 30] as string,
    lastSeenAt: v[at + 31] as string,
    removedAt: (v[at + 32] as string | null) ?? null,
  };
}

/** The first `media_items` row that `where` (its WHERE, ORDER BY and LIMIT clauses) selects. */
export function mediaRowWhere(
  sql: Sql,
  where: string,
  ...params: SQLInputValue[]
): MediaRow | undefined {
  const values = sql.arrayStmt(`SELECT ${mediaColumns("media_items")} FROM media_items ${where}`)
    .array(...params);
  return values ? mediaRowAt(values, 0) : undefined;
}

/** Every `media_items` row that `where` selects, in its order. */
export function mediaRowsWhere(sql: Sql, where: string, ...params: SQLInputValue[]): MediaRow[] {
  return sql.arrayStmt(`SELECT ${mediaColumns("media_items")} FROM media_items ${where}`)
    .arrays(...params).map((v) => mediaRowAt(v, 0));
}

/** An `albums` row. */
export function toAlbumRow(r: Row): AlbumRow {
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

/** A nullable number column. */
export function numOrNull(v: SQLInputValue | SQLOutputValue | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
