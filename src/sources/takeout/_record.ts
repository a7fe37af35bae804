/**
 * The index record of one Takeout media file: what its sidecar, its folder and its name say.
 * The media-type decisions (VIDEO_EXTS, MIME, mediaTypeOf) live here, unchanged, until the one
 * media-type module replaces them.
 */
import { isoUtc, type MediaRecord } from "../../index/mod.ts";
import { splitExtension } from "../../layout/mod.ts";
import type { FolderInfo, MatchedMedia } from "./match.ts";
import type { CaptureTime, Sidecar } from "./metadata.ts";

/** A media file to import, with what decides its record. */
export interface Work {
  m: MatchedMedia;
  folder: FolderInfo;
  sidecar?: Sidecar;
  trashed: boolean;
}

const VIDEO_EXTS = new Set([
  ".mp4",
  ".mov",
  ".m4v",
  ".3gp",
  ".3g2",
  ".avi",
  ".mkv",
  ".wmv",
  ".mpg",
  ".mpeg",
  ".mts",
  ".m2ts",
  ".webm",
  ".flv",
  ".mp",
  ".mv",
  ".qt",
]);

const MIME: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".heic": "image/heic",
  ".heif": "image/heif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".bmp": "image/bmp",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".dng": "image/x-adobe-dng",
  ".cr2": "image/x-canon-cr2",
  ".nef": "image/x-nikon-nef",
  ".arw": "image/x-sony-arw",
  ".mp4": "video/mp4",
  ".m4v": "video/x-m4v",
  ".mov": "video/quicktime",
  ".qt": "video/quicktime",
  ".3gp": "video/3gpp",
  ".avi": "video/x-msvideo",
  ".mkv": "video/x-matroska",
  ".wmv": "video/x-ms-wmv",
  ".mpg": "video/mpeg",
  ".mpeg": "video/mpeg",
  ".mts": "video/mp2t",
  ".m2ts": "video/mp2t",
  ".webm": "video/webm",
};

function extOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}
function mediaTypeOf(m: MatchedMedia): "photo" | "video" {
  if (m.role === "live" || m.role === "motion") return "video";
  return VIDEO_EXTS.has(extOf(m.name)) ? "video" : "photo";
}

/**
 * The original name: the sidecar title (the name as uploaded, never cut), with the archive file's
 * extension when the title has none or another one (takeout-format.md §1.5, immich-go).
 */
export function originalNameOf(fileName: string, title: string | undefined): string {
  const t = title?.trim().normalize("NFC");
  if (!t) return fileName;
  const fileExt = splitExtension(fileName).extension;
  if (!fileExt) return t;
  const { stem, extension } = splitExtension(t);
  if (extension.toLowerCase() === fileExt.toLowerCase()) return t;
  return (extension ? stem : t) + fileExt;
}

/** The record of `w`, filed at `capture`; `primaryId` is its primary item's id, once known. */
export function takeoutRecord(
  w: Work,
  capture: CaptureTime | undefined,
  primaryId: string | undefined,
): MediaRecord {
  const m = w.m;
  const sc = w.sidecar;
  const rec: MediaRecord = {
    id: "",
    source: "takeout",
    originalName: m.via === "sidecar" || m.via === "title"
      ? originalNameOf(m.name, sc?.title)
      : m.name,
    mediaType: mediaTypeOf(m),
    dateSource: capture?.source ?? "none",
    favourite: sc?.favourite ?? false,
    archived: w.folder.kind === "archive" || (sc?.archived ?? false),
    trashed: w.trashed,
    fidelity: "original",
  };
  const mime = MIME[extOf(m.name)];
  if (mime) rec.mimeType = mime;
  if (capture) rec.captureTime = isoUtc(capture.time);
  if (sc?.description) rec.description = sc.description;
  if (sc?.latitude !== undefined && sc.longitude !== undefined) {
    rec.latitude = sc.latitude;
    rec.longitude = sc.longitude;
    if (sc.altitude !== undefined) rec.altitude = sc.altitude;
  }
  if (sc && sc.people.length > 0) rec.people = sc.people;
  if (m.primary && m.role !== "primary" && primaryId) {
    rec.companionOf = primaryId;
    rec.companionRole = m.role;
  }
  return rec;
}
