/** Turning Library API items into index records: one place for the mapping. */
import type { MediaItem } from "../../google/types.ts";
import type { MediaRecord, Source } from "../../index/types.ts";
import { parseIsoUtc } from "../../index/db.ts";
import { kindOf, mediaTypeOfName } from "../../media/media_type.ts";

/** Whether a Library item is a video (by MIME type, else by its metadata, else its file name). */
export function isVideoItem(item: MediaItem): boolean {
  const meta = item.mediaMetadata;
  // Metadata may be `{}` for a file without EXIF; the name's extension is the last witness.
  const kind = kindOf(item.mimeType) ??
    (meta?.video ? "video" : meta?.photo ? "photo" : mediaTypeOfName(item.filename ?? "")?.kind);
  return kind === "video";
}

/** The index record of a Library API media item. */
export function recordFromLibraryItem(item: MediaItem, source: Source): MediaRecord {
  const meta = item.mediaMetadata ?? {};
  const video = isVideoItem(item);
  const captureTime = parseIsoUtc(meta.creationTime);
  const camera = video ? meta.video : meta.photo;
  return {
    id: item.id,
    source,
    originalName: item.filename ?? item.id,
    mimeType: item.mimeType,
    mediaType: video ? "video" : "photo",
    captureTime,
    dateSource: captureTime ? "api" : "none",
    width: toInt(meta.width),
    height: toInt(meta.height),
    cameraMake: camera?.cameraMake,
    cameraModel: camera?.cameraModel,
    description: item.description,
    videoStatus: video ? (meta.video?.status ?? "UNSPECIFIED") : undefined,
    productUrl: item.productUrl,
    fidelity: "api",
  };
}

function toInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
