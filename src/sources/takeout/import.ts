/**
 * A Takeout export into the same `photos/` and index as an API sync (album folders are the sync
 * layer's step after it: src/sync/takeout_run.ts). Pass one lists every part and pairs sidecars
 * (read_takeout.ts, match.ts); pass two streams each media entry into `photos/YYYY/MM/` through
 * src/files (temp file, hash, rename, mtime).
 * One item, one file: copies with the same bytes (year folder, albums, repeated parts, an earlier
 * import) become one item with album memberships, and an API or picker download of the same photo
 * (same original name and capture time) is replaced in place by the Takeout original.
 */
import type { EventSink } from "../../events.ts";
import { EXIT } from "../../errors.ts";
import type { IndexPort, MediaRecord, MediaRow } from "../../index/mod.ts";
import {
  addAlbumItems,
  findItemByContent,
  findLowerFidelityTwin,
  itemSizes,
} from "../../index/takeout_queries.ts";
import { SNIFF_BYTES } from "../../media/media_type.ts";
import { resolveInside, writeAtomic } from "../../files/atomic_file.ts";
import { keepingHead } from "../../files/byte_pump.ts";
import {
  discardStaged,
  hashChunks,
  headOf,
  placeStaged,
  readFileHead,
  stageChunks,
  type StagedFile,
  streamPump,
} from "../../files/staging.ts";
import { clearStagingDir, STAGING_DIR } from "../../files/staging_dir.ts";
import { forEachLimited } from "../../files/pool.ts";
import { takeoutRecord, typeRecord, type Work } from "./_record.ts";
import { type FolderInfo, type MatchedMedia, matchTree } from "./match.ts";
import { type CaptureTime, chooseCaptureTime, exifDate } from "./metadata.ts";
import { describe, type TakeoutEntry } from "./part.ts";
import { readTakeout, type TakeoutTree } from "./read_takeout.ts";
import { emptyReport, type TakeoutReport } from "./report.ts";
import { xmpSidecar } from "./xmp.ts";

/** Options of `importTakeout`. */
export interface ImportTakeoutOptions {
  /** The backup folder (TARGET). */
  target: string;
  /** `.zip` parts, `.tgz`/`.tar.gz` archives and extracted folders, all one export. */
  paths: string[];
  /** The open index of TARGET; the caller holds the run lock. */
  index: IndexPort;
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
}

/** Files whose first bytes are read for EXIF when no sidecar dates them. */
const EXIF_HEAD_BYTES = 256 * 1024;
const MAX_ORPHAN_WARNINGS = 20;

/** A file staged while its archive streamed past, with its first bytes kept for typing. */
type StreamedFile = StagedFile & { head: Uint8Array };

/** What became of a media file: its item and the time it was filed under. */
interface Resolved {
  id: string;
  capture?: CaptureTime;
}

/** Imports a Takeout export into TARGET; see the module comment. */
export async function importTakeout(opts: ImportTakeoutOptions): Promise<TakeoutReport> {
  const { target } = opts;
  const emit = opts.onEvent ?? (() => {});
  const report = emptyReport();
  // A killed run may have left staged files; they are never final names, so dropping them is safe.
  await clearStagingDir(target);

  const staged = new Map<TakeoutEntry, StreamedFile>();
  emit({ type: "phase", phase: "takeout" });
  let tree: TakeoutTree;
  try {
    tree = await readTakeout(opts.paths, {
      onEvent: emit,
      signal: opts.signal,
      onStreamedMedia: async (entry, body) => {
        const kept = keepingHead(streamPump(body), SNIFF_BYTES);
        const file = await stageChunks(kept.pump, { target, dir: STAGING_DIR, hint: entry.name });
        staged.set(entry, { ...file, head: kept.head() });
        report.bytesWritten += file.size;
      },
    });
  } catch (err) {
    await clearStagingDir(target);
    throw err;
  }
  try {
    const importer = new Importer(opts, tree, staged, report);
    await importer.run();
  } finally {
    await tree.close();
    for (const s of staged.values()) await discardStaged(s);
    await clearStagingDir(target);
  }
  report.problems.unshift(...tree.problems);
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
  #staged: Map<TakeoutEntry, StreamedFile>;
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
    staged: Map<TakeoutEntry, StreamedFile>,
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
    // Then by capture time: " (n)" numbers and album positions follow it, as they follow upload
    // order in the Library, not the zip part Google happened to put a file in.
    const taken = (w: Work) => w.sidecar?.takenTime?.getTime() ?? Number.MAX_VALUE;
    first.sort((a, b) => rank(a) - rank(b) || taken(a) - taken(b));
    second.sort((a, b) => rank(a) - rank(b));
    this.#total = first.length + second.length;
    this.#emit({ type: "phase", phase: "takeout", total: this.#total });
    await this.#pool(first);
    await this.#pool(second);
    this.#recordAlbums(result.folders);
  }

  async #pool(works: Work[]): Promise<void> {
    const width = Math.max(1, this.#opts.concurrency ?? 4);
    let previous = Promise.resolve();
    await forEachLimited(works, width, async (w) => {
      // Transfers overlap, index writes do not: a big file still in flight keeps its " (n)".
      const done = Promise.withResolvers<void>();
      w.turn = previous;
      previous = done.promise;
      try {
        await this.#importOne(w);
      } finally {
        done.resolve();
      }
      this.#done++;
      this.#emit({
        type: "progress",
        phase: "takeout",
        done: this.#done,
        total: this.#total,
        bytes: this.#report.bytesWritten,
      });
    }, { signal: this.#opts.signal });
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

  async #importEntry(w: Work, entry: TakeoutEntry): Promise<void> {
    const { index, target } = this.#opts;
    const m = w.m;
    const streamed = entry.streamed ? this.#staged.get(entry) : undefined;
    let stagedFile: StagedFile | undefined = streamed;
    if (entry.streamed && !stagedFile) {
      throw new Error("its bytes were not read (the archive broke before or inside it)");
    }
    // Capture time: a variant is filed with its primary; otherwise sidecar, EXIF, name, entry.
    let capture: CaptureTime | undefined;
    const primary = m.primary ? this.#resolved.get(m.primary) : undefined;
    if (primary?.capture) capture = primary.capture;
    const kept = keepingHead((sink) => this.#tree.read(entry, sink), SNIFF_BYTES);
    const pump = kept.pump;
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
        folderYear: w.folder.year,
        entryTime: entry.mtime,
      });
    }
    const rec = takeoutRecord(w, capture, m.primary && this.#resolved.get(m.primary)?.id);
    const folder = index.plannedPath(rec, { flat: this.#opts.flat }).folder;

    if (!stagedFile) {
      // Only hash first when the size says the bytes may already be here (a re-import, an
      // album copy): then nothing is written at all.
      if (this.#sizes.has(entry.size)) {
        const digest = await hashChunks(pump);
        await w.turn;
        const known = await this.#known(digest.size, digest.sha256);
        if (known) {
          typeRecord(rec, m, kept.head());
          this.#merge(w, known, rec, capture);
          return;
        }
      }
      stagedFile = await stageChunks(pump, { target, dir: folder, hint: entry.name });
      this.#report.bytesWritten += stagedFile.size;
    } else {
      this.#staged.delete(entry);
    }
    typeRecord(rec, m, streamed?.head ?? kept.head());
    await w.turn;
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
