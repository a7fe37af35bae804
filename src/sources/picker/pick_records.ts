/** Turning Picker API items into index records: one place for the mapping. */
import type { PickedMediaItem } from "../../google/types.ts";
import type { MediaRecord } from "../../index/types.ts";
import { parseIsoUtc } from "../../index/db.ts";
import { kindOf, mediaTypeOfName } from "../../media/media_type.ts";

/** Whether a picked item is a video (by type, else MIME type, else its metadata, else its name). */
export function isPickedVideo(item: PickedMediaItem): boolean {
  if (item.type === "VIDEO") return true;
  if (item.type === "PHOTO") return false;
  const file = item.mediaFile;
  const meta = file?.mediaFileMetadata;
  const kind = kindOf(file?.mimeType) ??
    (meta?.videoMetadata ? "video" : meta?.photoMetadata ? "photo" : undefined) ??
    mediaTypeOfName(file?.filename ?? "")?.kind;
  return kind === "video";
}

/** The processing state of a picked video (`UNSPECIFIED` when Google does not say). */
export function pickedVideoStatus(item: PickedMediaItem): string {
  return item.mediaFile?.mediaFileMetadata?.videoMetadata?.processingStatus ?? "UNSPECIFIED";
}

/**
 * The index record of a picked item: `createTime` is the capture time (date source "picker"), the
 * file is what the Picker serves (fidelity "picker": location stripped, videos transcoded).
 */
export function recordFromPickedItem(item: PickedMediaItem): MediaRecord {
  const file = item.mediaFile ?? {};
  const meta = file.mediaFileMetadata ?? {};
  const video = isPickedVideo(item);
  const captureTime = parseIsoUtc(item.createTime);
  const rec: MediaRecord = {
    id: item.id,
    source: "picker",
    // Old snapshots of the Picker reference lack `filename`; the id still makes a unique name.
    originalName: file.filename ?? item.id,
    mimeType: file.mimeType,
    mediaType: video ? "video" : "photo",
    captureTime,
    dateSource: captureTime ? "picker" : "none",
    width: wholeNumber(meta.width),
    height: wholeNumber(meta.height),
    cameraMake: meta.cameraMake,
    cameraModel: meta.cameraModel,
    fidelity: "picker",
  };
  if (video) rec.videoStatus = pickedVideoStatus(item);
  return rec;
}

function wholeNumber(v: unknown): number | undefined {
  // Numbers on the wire here, but tolerate the Library API's strings.
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}
