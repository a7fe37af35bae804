/** Turning `media_items` and `albums` rows into the shapes the rest of the program sees. */
import type { SQLInputValue } from "node:sqlite";
import type { Row } from "./_handle.ts";
import type { AlbumRow, MediaRow, Source } from "./types.ts";

/** A `media_items` row. */
export function toMediaRow(r: Row): MediaRow {
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
export function numOrNull(v: SQLInputValue | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
