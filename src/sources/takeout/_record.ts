/**
 * The index record of one Takeout media file: what its sidecar, its folder and its name say,
 * typed by the one media-type module (src/media/media_type.ts); and what pass one hands pass two.
 */
import type { FileDigest } from "../../files/hash.ts";
import type { StagedFile } from "../../files/staging.ts";
import { isoUtc, type MediaRecord, type MediaRow } from "../../index/mod.ts";
import { splitExtension } from "../../layout/mod.ts";
import { mediaTypeOfFile } from "../../media/media_type.ts";
import type { FolderInfo, MatchedMedia } from "./match.ts";
import type { KnownEntries } from "./known_entries.ts";
import type { CaptureTime, Sidecar } from "./metadata.ts";
import type { TakeoutEntry } from "./part.ts";

/** An entry's bytes once read: digest, first bytes, and the staged file (none in a dry run). */
export interface Content extends FileDigest {
  head: Uint8Array;
  staged?: StagedFile;
}

/**
 * What pass one left for pass two: streamed bodies, streamed entries the index knew, and the
 * entries the index knew when the import started.
 */
export interface Streamed {
  content: Map<TakeoutEntry, Content>;
  known: Map<TakeoutEntry, MediaRow>;
  entries: KnownEntries;
}

/** A media file to import, with what decides its record. */
export interface Work {
  m: MatchedMedia;
  folder: FolderInfo;
  sidecar?: Sidecar;
  trashed: boolean;
  /** Settles when the work before this one is done: the index is written in work order. */
  turn?: Promise<void>;
}

/**
 * Photo or video and MIME type of a media file: by extension, or by its first bytes when they
 * show the extension unknown or lying; a live or motion part is a video whatever it is called.
 */
export function typeRecord(rec: MediaRecord, m: MatchedMedia, head?: Uint8Array): void {
  const type = mediaTypeOfFile(m.name, head);
  const companionVideo = m.role === "live" || m.role === "motion";
  rec.mediaType = companionVideo ? "video" : type?.kind ?? "photo";
  if (type) rec.mimeType = type.mime;
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
    mediaType: "photo",
    dateSource: capture?.source ?? "none",
    favourite: sc?.favourite ?? false,
    archived: w.folder.kind === "archive" || (sc?.archived ?? false),
    trashed: w.trashed,
    fidelity: "original",
  };
  typeRecord(rec, m);
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
