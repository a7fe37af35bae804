/**
 * `takeout TARGET PATH...`: a Takeout export into the same `photos/`, index and albums as an API
 * sync. Pass one lists every part and pairs sidecars (sources.ts, match.ts); pass two streams each
 * media entry into `photos/YYYY/MM/` with the download engine's temp-file/hash/rename/mtime rules.
 * One item, one file: copies with the same bytes (year folder, albums, repeated parts, an earlier
 * import) become one item with album memberships, and an API or picker download of the same photo
 * (same original name and capture time) is replaced in place by the Takeout original.
 */
import { join } from "node:path";
import type { EventSink } from "../../events.ts";
import { EXIT } from "../../errors.ts";
import { isoUtc, type MediaIndex } from "../../index/mod.ts";
import type { MediaRecord, MediaRow } from "../../index/mod.ts";
import {
  addAlbumItems,
  findItemByContent,
  findLowerFidelityTwin,
  itemSizes,
} from "../../index/takeout_queries.ts";
import { splitExtension } from "../../layout/mod.ts";
import { resolveInside, writeAtomic } from "../../files/atomic_file.ts";
import { type AlbumFoldersSummary, syncAlbumFolders } from "../../sync/album_links.ts";
import {
  type ChunkPump,
  discardStaged,
  hashChunks,
  headOf,
  placeStaged,
  readFileHead,
  stageChunks,
  type StagedFile,
  stageStream,
} from "../../files/staging.ts";
import { type FolderInfo, type MatchedMedia, matchTree } from "./match.ts";
import { type CaptureTime, chooseCaptureTime, exifDate, type Sidecar } from "./metadata.ts";
import { readTakeout, type SourceProblem, type TakeoutEntry, type TakeoutTree } from "./sources.ts";
import { xmpSidecar } from "./xmp.ts";

/** Options of `importTakeout`. */
export interface ImportTakeoutOptions {
  /** The backup folder (TARGET). */
  target: string;
  /** `.zip` parts, `.tgz`/`.tar.gz` archives and extracted folders, all one export. */
  paths: string[];
  /** The open index of TARGET; the caller holds the run lock. */
  index: MediaIndex;
  /** Import what Google had in the trash (flagged trashed) instead of skipping it. */
  includeTrash?: boolean;
  /** Write `<file>.xmp` beside each imported file (date, GPS, description). */
  xmp?: boolean;
  /** `photos/YYYY-MM` instead of `photos/YYYY/MM` for new items. */
  flat?: boolean;
  onEvent?: EventSink;
  signal?: AbortSignal;
  /** Entries streamed side by side (default 4). */
  concurrency?: number;
  /**
   * How album folders are brought up to date after the import (`albums/...` links, as the
   * `albums` command makes them); `false` records albums in the index only.
   */
  albumFolders?: false | { hardlinks?: boolean; omitDate?: boolean; byFirstPhoto?: boolean };
}

/** What an import did; the CLI prints it as a table or JSON. */
export interface TakeoutReport {
  /** Media files below the Google Photos folder(s), each path counted once. */
  mediaFiles: number;
  /** Media files with a sidecar of their own (by name, or by a unique title). */
  matched: number;
  /** Of `matched`, those paired only through the JSON `title`. */
  matchedByTitle: number;
  /** Edited copies and live/motion parts bound to their primary item's sidecar. */
  matchedVariant: number;
  /** Media files imported without any sidecar (dated by EXIF, file name or entry time). */
  withoutSidecar: number;
  /** Sidecars no media file took (a missing part leaves these). */
  orphanSidecars: number;
  /** Files of `Failed Videos/`, not imported. */
  failedVideos: number;
  /** Trashed files left out (see `includeTrash`). */
  skippedTrash: number;
  /** Files of the Locked Folder, imported like others. */
  lockedFolder: number;
  /** New files written to `photos/`. */
  imported: number;
  /** API or picker downloads replaced by the Takeout original. */
  replaced: number;
  /** Files already in the backup with the same content (an earlier import). */
  alreadyPresent: number;
  /** Further copies of an item of this run (album folders, repeated parts). */
  duplicates: number;
  /** Items tied to a primary item (edited copy, live-photo video, motion part). */
  companions: number;
  albums: number;
  albumMemberships: number;
  xmpWritten: number;
  bytesWritten: number;
  /** Entries that could not be imported. */
  failed: number;
  /** Entries outside Google Photos (other products, HTML) and junk. */
  ignored: number;
  /** Unreadable parts and entries, each naming the archive and the entry. */
  problems: SourceProblem[];
  /** What bringing `albums/` up to date did, unless `albumFolders: false`. */
  albumFolders?: AlbumFoldersSummary;
  /** 0, or 4 when some parts or entries failed (the rest imported). */
  exitCode: number;
}

/** Files whose first bytes are read for EXIF when no sidecar dates them. */
const EXIF_HEAD_BYTES = 256 * 1024;
const STAGING_DIR = ".gphotos-takeout-staging";
const MAX_ORPHAN_WARNINGS = 20;

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

function emptyReport(): TakeoutReport {
  return {
    mediaFiles: 0,
    matched: 0,
    matchedByTitle: 0,
    matchedVariant: 0,
    withoutSidecar: 0,
    orphanSidecars: 0,
    failedVideos: 0,
    skippedTrash: 0,
    lockedFolder: 0,
    imported: 0,
    replaced: 0,
    alreadyPresent: 0,
    duplicates: 0,
    companions: 0,
    albums: 0,
    albumMemberships: 0,
    xmpWritten: 0,
    bytesWritten: 0,
    failed: 0,
    ignored: 0,
    problems: [],
    exitCode: EXIT.ok,
  };
}

interface Work {
  m: MatchedMedia;
  folder: FolderInfo;
  sidecar?: Sidecar;
  trashed: boolean;
}

/** What became of a media file: its item and the time it was filed under. */
interface Resolved {
  id: string;
  capture?: CaptureTime;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Imports a Takeout export into TARGET; see the module comment. */
export async function importTakeout(opts: ImportTakeoutOptions): Promise<TakeoutReport> {
  const { target } = opts;
  const emit = opts.onEvent ?? (() => {});
  const report = emptyReport();
  const stagingDir = join(target, STAGING_DIR);
  // A killed run may have left staged files; they are never final names, so dropping them is safe.
  await Deno.remove(stagingDir, { recursive: true }).catch(() => {});

  const staged = new Map<TakeoutEntry, StagedFile>();
  emit({ type: "phase", phase: "takeout" });
  let tree: TakeoutTree;
  try {
    tree = await readTakeout(opts.paths, {
      onEvent: emit,
      signal: opts.signal,
      onStreamedMedia: async (entry, body) => {
        const file = await stageStream(body, { target, dir: STAGING_DIR, hint: entry.name });
        staged.set(entry, file);
        report.bytesWritten += file.size;
      },
    });
  } catch (err) {
    await Deno.remove(stagingDir, { recursive: true }).catch(() => {});
    throw err;
  }
  try {
    const importer = new Importer(opts, tree, staged, report);
    await importer.run();
  } finally {
    await tree.close();
    for (const s of staged.values()) await discardStaged(s);
    await Deno.remove(stagingDir, { recursive: true }).catch(() => {});
  }
  report.problems.unshift(...tree.problems);
  if (opts.albumFolders !== false) {
    const links = opts.albumFolders ?? {};
    report.albumFolders = await syncAlbumFolders(target, opts.index, {
      hardlinks: links.hardlinks,
      omitDate: links.omitDate,
      byFirstPhoto: links.byFirstPhoto,
      flat: opts.flat,
      onEvent: opts.onEvent,
    });
  }
  report.exitCode = report.problems.length > 0 || report.failed > 0 ? EXIT.partial : EXIT.ok;
  emit({
    type: "info",
    message: `Takeout: ${report.imported} imported, ${report.replaced} replaced, ` +
      `${report.alreadyPresent} already in the backup, ${report.duplicates} copies merged, ` +
      `${report.failed} failed`,
  });
  return report;
}

class Importer {
  #opts: ImportTakeoutOptions;
  #tree: TakeoutTree;
  #staged: Map<TakeoutEntry, StagedFile>;
  #report: TakeoutReport;
  #emit: EventSink;
  /** `size:sha256` -> item id, for this run (rows may not carry their hash yet). */
  #bySha = new Map<string, string>();
  /** Ids written by this run, to tell duplicates of this run from earlier imports. */
  #thisRun = new Set<string>();
  #replacedTwins = new Set<string>();
  #resolved = new Map<MatchedMedia, Resolved>();
  #albumMembers = new Map<string, string[]>();
  #done = 0;
  #total = 0;
  /** Sizes of files on disk (earlier runs and this one), to know when hashing first pays. */
  #sizes: Set<number>;

  constructor(
    opts: ImportTakeoutOptions,
    tree: TakeoutTree,
    staged: Map<TakeoutEntry, StagedFile>,
    report: TakeoutReport,
  ) {
    this.#opts = opts;
    this.#tree = tree;
    this.#staged = staged;
    this.#report = report;
    this.#emit = opts.onEvent ?? (() => {});
    this.#sizes = itemSizes(opts.index);
  }

  async run(): Promise<void> {
    const report = this.#report;
    const result = matchTree(this.#tree.media, this.#tree.json);
    report.ignored = this.#tree.ignored;
    report.orphanSidecars = result.orphans.length;
    // A missing part leaves thousands: name a few, count the rest.
    for (const o of result.orphans.slice(0, MAX_ORPHAN_WARNINGS)) {
      this.#emit({
        type: "warning",
        message: `Sidecar "${o.entry.key}" of "${o.entry.source}" has no media file`,
      });
    }
    if (result.orphans.length > MAX_ORPHAN_WARNINGS) {
      this.#emit({
        type: "warning",
        message:
          `${result.orphans.length - MAX_ORPHAN_WARNINGS} more sidecars have no media file ` +
          `(is a part of the export missing?)`,
      });
    }
    const first: Work[] = [];
    const second: Work[] = [];
    for (const m of result.media) {
      report.mediaFiles++;
      const folder = result.folders.get(m.dir) ?? { dir: m.dir, kind: "other" as const };
      if (folder.kind === "failed") {
        report.failedVideos++;
        continue;
      }
      const trashed = folder.kind === "trash" || m.sidecar?.trashed === true;
      if (trashed && !this.#opts.includeTrash) {
        report.skippedTrash++;
        continue;
      }
      if (m.via === "sidecar" || m.via === "title") report.matched++;
      if (m.via === "title") report.matchedByTitle++;
      if (m.via === "variant") report.matchedVariant++;
      if (!m.sidecar) report.withoutSidecar++;
      if (folder.kind === "locked") report.lockedFolder++;
      const w: Work = { m, folder, trashed };
      if (m.sidecar) w.sidecar = m.sidecar;
      (m.primary ? second : first).push(w);
    }
    // Year folders first, so album copies meet an item already written and are only hashed.
    const rank = (w: Work) => (w.folder.kind === "year" ? 0 : w.folder.kind === "album" ? 2 : 1);
    first.sort((a, b) => rank(a) - rank(b));
    second.sort((a, b) => rank(a) - rank(b));
    this.#total = first.length + second.length;
    this.#emit({ type: "phase", phase: "takeout", total: this.#total });
    await this.#pool(first);
    await this.#pool(second);
    this.#recordAlbums(result.folders);
  }

  async #pool(works: Work[]): Promise<void> {
    let next = 0;
    const width = Math.max(1, this.#opts.concurrency ?? 4);
    const worker = async () => {
      while (next < works.length) {
        this.#opts.signal?.throwIfAborted();
        const w = works[next++];
        await this.#importOne(w);
        this.#done++;
        this.#emit({
          type: "progress",
          phase: "takeout",
          done: this.#done,
          total: this.#total,
          bytes: this.#report.bytesWritten,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, works.length) }, worker));
  }

  /** Imports one media file, trying each copy of its path until one reads. */
  async #importOne(w: Work): Promise<void> {
    let lastError: unknown;
    for (const entry of w.m.entries) {
      try {
        await this.#importEntry(w, entry);
        return;
      } catch (err) {
        if (err instanceof DOMException && err.name === "AbortError") throw err;
        lastError = err;
        this.#report.problems.push({
          source: entry.source,
          entry: entry.inner,
          message: `cannot import: ${describe(err)}`,
        });
      }
    }
    this.#report.failed++;
    this.#emit({
      type: "item",
      phase: "takeout",
      id: w.m.entries[0].key,
      status: "failed",
      reason: describe(lastError),
    });
  }

  #record(w: Work, capture: CaptureTime | undefined): MediaRecord {
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
    if (m.primary && m.role !== "primary") {
      const primary = this.#resolved.get(m.primary);
      if (primary) {
        rec.companionOf = primary.id;
        rec.companionRole = m.role;
      }
    }
    return rec;
  }

  async #importEntry(w: Work, entry: TakeoutEntry): Promise<void> {
    const { index, target } = this.#opts;
    const m = w.m;
    let stagedFile = entry.streamed ? this.#staged.get(entry) : undefined;
    if (entry.streamed && !stagedFile) {
      throw new Error("its bytes were not read (the archive broke before or inside it)");
    }
    // Capture time: a variant is filed with its primary; otherwise sidecar, EXIF, name, entry.
    let capture: CaptureTime | undefined;
    const primary = m.primary ? this.#resolved.get(m.primary) : undefined;
    if (primary?.capture) capture = primary.capture;
    const pump: ChunkPump = (sink) => this.#tree.read(entry, sink);
    if (!capture) {
      // Only files no sidecar dates have their first bytes read twice.
      const exif = async () =>
        exifDate(
          stagedFile
            ? await readFileHead(stagedFile.tempPath, EXIF_HEAD_BYTES)
            : await headOf(pump, EXIF_HEAD_BYTES),
        );
      capture = await chooseCaptureTime(entry.name, {
        sidecar: w.sidecar,
        exif,
        entryTime: entry.mtime,
      });
    }
    const rec = this.#record(w, capture);
    const folder = index.plannedPath(rec, { flat: this.#opts.flat }).folder;

    if (!stagedFile) {
      // Only hash first when the size says the bytes may already be here (a re-import, an
      // album copy): then nothing is written at all.
      if (this.#sizes.has(entry.size)) {
        const digest = await hashChunks(pump);
        const known = await this.#known(digest.size, digest.sha256);
        if (known) {
          this.#merge(w, known, rec, capture);
          return;
        }
      }
      stagedFile = await stageChunks(pump, { target, dir: folder, hint: entry.name });
      this.#report.bytesWritten += stagedFile.size;
    } else {
      this.#staged.delete(entry);
    }
    await this.#commit(w, stagedFile, rec, capture);
  }

  /** The item that already has these bytes on disk, from this run or an earlier one. */
  async #known(size: number, sha256: string): Promise<MediaRow | undefined> {
    const { index, target } = this.#opts;
    const id = this.#bySha.get(`${size}:${sha256}`);
    if (id) return index.getItem(id);
    const row = findItemByContent(index, { size, sha256 });
    if (!row || !row.downloadedAt) return undefined;
    // A file deleted since is written again rather than trusted.
    try {
      const info = await Deno.stat(resolveInside(target, row.path));
      return info.isFile && info.size === size ? row : undefined;
    } catch {
      return undefined;
    }
  }

  /** A copy of an item already kept: refresh its metadata and note the album membership. */
  #merge(w: Work, row: MediaRow, rec: MediaRecord, capture: CaptureTime | undefined): void {
    const { index } = this.#opts;
    const fromThisRun = this.#thisRun.has(row.id);
    if (!fromThisRun) {
      // A newer export may know more (a favourite set, a caption added since).
      index.upsertItems([{ ...rec, id: row.id, companionOf: undefined }]);
      if (row.fidelity !== "original" && row.size !== null && row.sha256 !== null) {
        // The API download was byte-identical to the original after all.
        index.markDownloaded(row.id, { size: row.size, sha256: row.sha256, fidelity: "original" });
      }
      this.#report.alreadyPresent++;
    } else {
      this.#report.duplicates++;
    }
    this.#resolved.set(w.m, { id: row.id, capture: capture });
    this.#addMember(w, row.id);
    this.#emit({
      type: "item",
      phase: "takeout",
      id: row.id,
      path: row.path,
      status: "skipped",
      reason: fromThisRun ? "same content as another copy" : "already in the backup",
    });
  }

  async #commit(
    w: Work,
    staged: StagedFile,
    rec: MediaRecord,
    capture: CaptureTime | undefined,
  ): Promise<void> {
    const { index, target } = this.#opts;
    const key = `${staged.size}:${staged.sha256}`;
    const earlier = this.#bySha.has(key)
      ? undefined
      : findItemByContent(index, { size: staged.size, sha256: staged.sha256 });
    const earlierOnDisk = earlier?.downloadedAt ? await exists(target, earlier) : false;
    // From here to the index writes nothing awaits, so two copies in flight cannot both become
    // items: the second finds the first in #bySha.
    const knownId = this.#bySha.get(key);
    const known = knownId ? index.getItem(knownId) : earlier;
    if (known && (knownId || earlierOnDisk)) {
      await discardStaged(staged);
      this.#merge(w, known, rec, capture);
      return;
    }
    let twin: MediaRow | undefined;
    if (w.m.role === "primary" && capture) {
      twin = findLowerFidelityTwin(index, {
        originalName: rec.originalName,
        captureTime: capture.time,
      });
      if (twin && (this.#replacedTwins.has(twin.id) || this.#bySha.has(key))) twin = undefined;
    }
    let row: MediaRow;
    if (twin) {
      this.#replacedTwins.add(twin.id);
      this.#bySha.set(key, twin.id);
      index.upsertItems([{ ...rec, id: twin.id, companionOf: undefined }]);
      row = index.getItem(twin.id)!;
    } else if (known) {
      // Known content whose file went missing: put it back where the index says it lives.
      this.#bySha.set(key, known.id);
      row = known;
    } else {
      const id = `takeout:${staged.sha256}`;
      this.#bySha.set(key, id);
      index.upsertItems([{ ...rec, id }], { flat: this.#opts.flat });
      row = index.getItem(id)!;
    }
    this.#thisRun.add(row.id);
    this.#resolved.set(w.m, { id: row.id, capture });
    try {
      await placeStaged(staged, { path: row.path, mtime: capture?.time });
    } catch (err) {
      await discardStaged(staged);
      index.recordFailure(row.id, "takeout", describe(err));
      throw err;
    }
    index.markDownloaded(row.id, {
      size: staged.size,
      sha256: staged.sha256,
      fidelity: "original",
    });
    this.#sizes.add(staged.size);
    if (twin) this.#report.replaced++;
    else this.#report.imported++;
    if (rec.companionOf) this.#report.companions++;
    this.#addMember(w, row.id);
    if (this.#opts.xmp) await this.#writeXmp(row, rec, capture);
    this.#emit({
      type: "item",
      phase: "takeout",
      id: row.id,
      path: row.path,
      status: twin ? "updated" : "added",
      reason: twin ? "replaced by the Takeout original" : w.sidecar ? undefined : "no sidecar",
    });
  }

  async #writeXmp(
    row: MediaRow,
    rec: MediaRecord,
    capture: CaptureTime | undefined,
  ): Promise<void> {
    const text = xmpSidecar({
      captureTime: capture?.time,
      latitude: rec.latitude,
      longitude: rec.longitude,
      altitude: rec.altitude,
      description: rec.description,
      favourite: rec.favourite,
      people: rec.people,
    });
    const bytes = new TextEncoder().encode(text);
    await writeAtomic(this.#opts.target, `${row.path}.xmp`, ReadableStream.from([bytes]), {
      mtime: capture?.time,
    });
    this.#report.xmpWritten++;
  }

  #addMember(w: Work, id: string): void {
    if (w.folder.kind !== "album") return;
    const list = this.#albumMembers.get(w.folder.dir);
    if (list) list.push(id);
    else this.#albumMembers.set(w.folder.dir, [id]);
  }

  #recordAlbums(folders: Map<string, FolderInfo>): void {
    const { index } = this.#opts;
    for (const f of folders.values()) {
      if (f.kind !== "album" || !f.album) continue;
      const id = takeoutAlbumId(f.dir);
      index.upsertAlbum({
        id,
        title: f.album.title || undefined,
        shared: f.album.shared,
        source: "takeout",
      });
      this.#report.albums++;
      const members = this.#albumMembers.get(f.dir) ?? [];
      this.#report.albumMemberships += addAlbumItems(index, { albumId: id, mediaIds: members });
    }
  }
}

/** The index id of the album a Takeout folder holds: stable across exports of the same album. */
export function takeoutAlbumId(dir: string): string {
  return `takeout:${dir.normalize("NFC")}`;
}

async function exists(target: string, row: MediaRow): Promise<boolean> {
  try {
    const info = await Deno.stat(resolveInside(target, row.path));
    return info.isFile && (row.size === null || info.size === row.size);
  } catch {
    return false;
  }
}
