/**
 * Pass two of a Takeout import: each matched media file, in an order decided by rule (year folders
 * first, then capture time, then path), becomes an item or a copy of one. Transfers overlap; index
 * writes happen in work order (`Work.turn`), so which copy decides an item never depends on timing.
 */
import type { EventSink } from "../../events.ts";
import { collectGarbage, GarbageCadence } from "../../heap.ts";
import { isoUtc, type MediaRecord, type MediaRow, refreshChanges } from "../../index/mod.ts";
import { findItemByContent, findLowerFidelityTwin } from "../../index/takeout_queries.ts";
import { WriteBatch } from "../../index/write_batch.ts";
import { SNIFF_BYTES } from "../../media/media_type.ts";
import { keepingHead } from "../../files/byte_pump.ts";
import { fileExistsInside, moveInside } from "../../files/move_file.ts";
import {
  discardStaged,
  hashChunks,
  headOf,
  placeStaged,
  readFileHead,
  readyStaged,
  stageChunks,
} from "../../files/staging.ts";
import { draining, forEachLimited, Pool } from "../../files/pool.ts";
import type { ImportTakeoutOptions } from "./import_options.ts";
import { AlbumMembers } from "./album_records.ts";
import { fileOnDisk, replacesDate, rowCapture } from "./known_entries.ts";
import { type Content, type Streamed, takeoutRecord, typeRecord, type Work } from "./_record.ts";
import { workOrder } from "./work_order.ts";
import { entriesOf, type FolderInfo, type MatchedMedia, matchTree } from "./match.ts";
import { type CaptureTime, chooseCaptureTime, exifDate } from "./metadata.ts";
import { describe, type TakeoutEntry } from "./part.ts";
import type { TakeoutTree } from "./read_takeout.ts";
import { type TakeoutReport, warnOrphans } from "./report.ts";
import { writeXmpSidecar } from "./xmp.ts";

/** Files whose first bytes are read for EXIF when no sidecar dates them. */
const EXIF_HEAD_BYTES = 256 * 1024;
/** Files in flight (read, syncing, or waiting for their turn) per archive reader. */
const IN_FLIGHT_PER_READER = 8;
const GC_EVERY_FILES = 10_000;
/** Index writes are committed this often, not once per file. */
const BATCH_MS = 500;

/** What became of a media file: its item and the time it is filed under. */
interface Resolved {
  id: string;
  capture?: CaptureTime;
}

export { takeoutAlbumId } from "./album_records.ts";

/** Pass two; see the module comment. */
export class Importer {
  #opts: ImportTakeoutOptions;
  #tree: TakeoutTree;
  #streamed: Streamed;
  #report: TakeoutReport;
  #emit: EventSink;
  /** `size:sha256` -> item id, for this run (rows may not carry their hash yet). */
  #bySha = new Map<string, string>();
  /** Ids written by this run, to tell duplicates of this run from earlier imports. */
  #thisRun = new Set<string>();
  /** Ids whose metadata a copy of this run already decided (rule 12: the first copy by rule). */
  #decided = new Set<string>();
  #replacedTwins = new Set<string>();
  /** Only for media a variant takes its id and date from (`#primaries`): 100,000 add up. */
  #resolved = new Map<MatchedMedia, Resolved>();
  #primaries = new Set<MatchedMedia>();
  #albumMembers = new AlbumMembers();
  /** Media entries whose data was read (pass one's streamed ones included), and their count. */
  #read = new WeakSet<TakeoutEntry>();
  #readCount = 0;
  #done = 0;
  #total = 0;
  /** Bytes written in pass two only: staged bytes were shown by pass one's bar. */
  #passBytes = 0;
  /** Slots for reading the archive (`concurrency`). */
  #readers: Pool;
  /** Imported files are let go as the run goes: collected every so many, not at the high water. */
  #gc = new GarbageCadence(GC_EVERY_FILES);
  #batch?: WriteBatch;

  constructor(
    opts: ImportTakeoutOptions,
    tree: TakeoutTree,
    streamed: Streamed,
    report: TakeoutReport,
  ) {
    this.#opts = opts;
    this.#tree = tree;
    this.#streamed = streamed;
    this.#report = report;
    this.#emit = opts.onEvent ?? (() => {});
    this.#readers = new Pool(Math.max(1, opts.concurrency ?? 4));
    for (const e of streamed.content.keys()) this.#countRead(e);
  }

  async run(): Promise<void> {
    const { first, second, folders } = this.#plan();
    // Pass one's listings and the match's tables are garbage now: the heap pass two starts from.
    collectGarbage();
    for (const w of second) if (w.m.primary) this.#primaries.add(w.m.primary);
    this.#total = first.length + second.length;
    this.#emit({ type: "phase", phase: "takeout", total: this.#total });
    // A run killed before a batch's commit leaves files whose rows it lost: the next run reads
    // those entries again and puts them back at the same paths.
    this.#batch = new WriteBatch(this.#opts.index, BATCH_MS);
    try {
      await this.#pool(first);
      await this.#pool(second);
    } finally {
      this.#streamed.entries.flush();
      this.#batch.end();
    }
    this.#recordAlbums(folders);
    this.#report.entriesRead = this.#readCount;
  }

  #countRead(entry: TakeoutEntry): void {
    if (!this.#read.has(entry)) this.#readCount++;
    this.#read.add(entry);
  }

  /**
   * Pairs the tree and puts its media in work order. The tree's lists are emptied: from here each
   * file is held by its work alone, and let go once imported.
   */
  #plan(): { first: Work[]; second: Work[]; folders: Map<string, FolderInfo> } {
    collectGarbage();
    const result = matchTree(this.#tree.media, this.#tree.json);
    this.#tree.media = [];
    this.#tree.json = [];
    this.#report.ignored = this.#tree.ignored;
    warnOrphans(result.orphans, this.#report, this.#emit);
    // Matching's own tables are garbage now: collected before the works are made, the heap does
    // not grow to hold both (the peak of a 100,000-item import's memory).
    collectGarbage();
    const order = workOrder(result, this.#report, this.#opts.includeTrash === true);
    return { ...order, folders: result.folders };
  }

  async #pool(works: Work[]): Promise<void> {
    // Many files wait for their turn at once, so their syncs share the disk's flushes; only
    // `concurrency` of them read the archive at a time.
    const width = this.#readers.size * IN_FLIGHT_PER_READER;
    let previous = Promise.resolve();
    await forEachLimited(draining(works), width, async (w) => {
      // Transfers overlap, index writes do not: a big file still in flight keeps its " (n)".
      const done = Promise.withResolvers<void>();
      w.turn = previous;
      previous = done.promise;
      try {
        await this.#importOne(w);
      } finally {
        done.resolve();
        w.turn = undefined;
      }
      this.#done++;
      this.#gc.tick();
      this.#batch?.tick();
      this.#emit({
        type: "progress",
        phase: "takeout",
        done: this.#done,
        total: this.#total,
        bytes: this.#passBytes,
      });
    }, { signal: this.#opts.signal });
  }

  /** Imports one media file, trying each copy of its path until one reads. */
  async #importOne(w: Work): Promise<void> {
    let lastError: unknown;
    for (const entry of entriesOf(w.m)) {
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
      id: w.m.entry.key,
      status: "failed",
      reason: describe(lastError),
    });
  }

  async #importEntry(w: Work, entry: TakeoutEntry): Promise<void> {
    const { index, target } = this.#opts;
    const m = w.m;
    const primary = m.primary ? this.#resolved.get(m.primary) : undefined;
    // Rule 14: an entry the index knows by path, size and CRC-32 (or time) is not read at all.
    const knownRow = entry.streamed
      ? this.#streamed.known.get(entry)
      : await this.#streamed.entries.item(entry, (row) => this.#current(row));
    if (knownRow) {
      await w.turn;
      // The row as earlier works of this run left it (they may have re-dated it).
      const row = this.#current(knownRow) ?? knownRow;
      // Its bytes are the item's, so EXIF, name and entry time say what they said before.
      const capture = primary?.capture ??
        (w.sidecar?.takenTime
          ? { time: w.sidecar.takenTime, source: "sidecar" as const }
          : rowCapture(row));
      const rec = takeoutRecord(w, capture, primary?.id);
      rec.mediaType = row.mediaType;
      if (row.mimeType) rec.mimeType = row.mimeType;
      this.#report.unchangedEntries++;
      await this.#merge(w, entry, row, rec, capture);
      return;
    }
    let content = entry.streamed ? this.#streamed.content.get(entry) : undefined;
    if (entry.streamed && !content) {
      throw new Error("its bytes were not read (the archive broke before or inside it)");
    }
    let capture: CaptureTime | undefined = primary?.capture;
    const kept = keepingHead((sink) => {
      this.#countRead(entry);
      return this.#tree.read(entry, sink);
    }, SNIFF_BYTES);
    const pump = kept.pump;
    let folder: string;
    let rec: MediaRecord;
    const release = await this.#readers.acquire();
    try {
      if (!capture) {
        // Only files no sidecar dates have their first bytes read twice.
        const exif = async () =>
          exifDate(
            content?.staged
              ? await readFileHead(content.staged.tempPath, EXIF_HEAD_BYTES)
              : content
              ? content.head
              : await headOf(pump, EXIF_HEAD_BYTES),
          );
        capture = await chooseCaptureTime(entry.name, {
          sidecar: w.sidecar,
          exif,
          folderYear: w.folder.year,
          entryTime: entry.mtime,
        });
      }
      rec = takeoutRecord(w, capture, primary?.id);
      folder = index.plannedPath(rec, { flat: this.#opts.flat }).folder;
      if (!content && this.#opts.dryRun) {
        // A dry run only ever hashes.
        content = { ...(await hashChunks(pump)), head: kept.head() };
      } else if (!content) {
        // Staged even when its bytes may be here already (an album copy, a moved entry): a copy
        // found known is discarded before it is synced, so it costs no flush.
        const where = { target, dir: folder, hint: entry.name, keepOpen: true };
        const staged = await stageChunks(pump, where);
        content = { size: staged.size, sha256: staged.sha256, head: kept.head(), staged };
        this.#report.bytesWritten += staged.size;
        this.#passBytes += staged.size;
      } else {
        this.#streamed.content.delete(entry);
      }
    } finally {
      release();
    }
    typeRecord(rec, m, content.head);
    if (this.#opts.dryRun) {
      await w.turn;
      const known = await this.#known(content.size, content.sha256);
      if (known) {
        await this.#merge(w, entry, known, rec, capture);
        return;
      }
    }
    try {
      if (content.staged && !await this.#probablyKnown(content)) {
        await readyStaged(content.staged, { dir: folder, mtime: capture?.time });
      }
      await w.turn;
      await this.#commit(w, entry, content, rec, capture);
    } finally {
      // Staged with `keepOpen`: a failure on the way must not keep its handle.
      content.staged?.file.close();
    }
  }

  /**
   * Whether a copy with these bytes is already kept, asked before the turn (another copy in flight
   * may still change the answer; `#commit` decides): such a copy is not worth syncing.
   */
  async #probablyKnown(content: Content): Promise<boolean> {
    return this.#bySha.has(`${content.size}:${content.sha256}`) ||
      (await this.#known(content.size, content.sha256)) !== undefined;
  }

  /** The item that already has these bytes on disk, from this run or an earlier one. */
  async #known(size: number, sha256: string): Promise<MediaRow | undefined> {
    const { index, target } = this.#opts;
    const id = this.#bySha.get(`${size}:${sha256}`);
    if (id) return index.getItem(id);
    const row = findItemByContent(index, { size, sha256 });
    if (!row || !row.downloadedAt) return undefined;
    // A file deleted since is written again rather than trusted.
    return (await fileOnDisk(target, row)) ? row : undefined;
  }

  /**
   * A copy of an item already kept. The first copy by rule decides its metadata (rule 12); a later
   * copy only when it brings a better date (rule 13), which also moves the file.
   */
  async #merge(
    w: Work,
    entry: TakeoutEntry,
    row: MediaRow,
    rec: MediaRecord,
    capture: CaptureTime | undefined,
  ): Promise<void> {
    const { index } = this.#opts;
    const fromThisRun = this.#thisRun.has(row.id);
    const deciding = !this.#decided.has(row.id);
    const redate = replacesDate(capture, row, deciding);
    // Only what changes is written: an unchanged re-import writes nothing to the index.
    let wrote = false;
    if (deciding || redate) {
      this.#decided.add(row.id);
      // A newer export may know more (a favourite set, a caption added since).
      const update = { ...rec, id: row.id, companionOf: undefined };
      if (refreshChanges(row, update)) {
        index.upsertItems([update]);
        wrote = true;
      }
      if (!fromThisRun && row.fidelity !== "original" && row.size !== null && row.sha256 !== null) {
        // The API download was byte-identical to the original after all.
        index.markDownloaded(row.id, { size: row.size, sha256: row.sha256, fidelity: "original" });
        wrote = true;
      }
    }
    if (redate) {
      await this.#redate(row, capture!);
      wrote = true;
    }
    if (!fromThisRun) this.#report.alreadyPresent++;
    else this.#report.duplicates++;
    this.#recordEntry(entry, row.id);
    const now = wrote ? index.getItem(row.id) ?? row : row;
    if (this.#primaries.has(w.m)) {
      this.#resolved.set(w.m, { id: row.id, capture: rowCapture(now) ?? capture });
    }
    this.#addMember(w, row.id);
    this.#emit({
      type: "item",
      phase: "takeout",
      id: row.id,
      path: now.path,
      status: "skipped",
      reason: fromThisRun ? "same content as another copy" : "already in the backup",
    });
  }

  /** An item's row as it is now: read again when this run has written it. */
  #current(row: MediaRow): MediaRow | undefined {
    return this.#decided.has(row.id) ? this.#opts.index.getItem(row.id) : row;
  }

  /**
   * Gives an item a better date and moves its file to the month folder of that date. The file is
   * renamed first and the index written after, in one transaction: a run killed in between leaves
   * the index pointing at the old path, so the next run finds the file missing, reads the entry,
   * puts it back at the old path and moves it again, over the copy the killed run left.
   */
  async #redate(row: MediaRow, capture: CaptureTime): Promise<void> {
    const { index, target } = this.#opts;
    const time = isoUtc(capture.time);
    const place = index.plannedMove(row.id, time, { flat: this.#opts.flat });
    if (!this.#opts.dryRun) {
      const xmp = await fileExistsInside(target, `${row.path}.xmp`);
      await moveInside(target, row.path, place.path, { mtime: capture.time });
      if (xmp) await moveInside(target, `${row.path}.xmp`, `${place.path}.xmp`);
    }
    index.moveItem(row.id, { captureTime: time, dateSource: capture.source }, place);
    this.#report.redated++;
    this.#emit({
      type: "item",
      phase: "takeout",
      id: row.id,
      path: place.path,
      status: "updated",
      reason: `dated by ${capture.source}` + (place.path !== row.path ? `, moved` : ""),
    });
  }

  async #commit(
    w: Work,
    entry: TakeoutEntry,
    content: Content,
    rec: MediaRecord,
    capture: CaptureTime | undefined,
  ): Promise<void> {
    const { index, target } = this.#opts;
    const key = `${content.size}:${content.sha256}`;
    const earlier = this.#bySha.has(key)
      ? undefined
      : findItemByContent(index, { size: content.size, sha256: content.sha256 });
    const earlierOnDisk = earlier?.downloadedAt ? await fileOnDisk(target, earlier) : false;
    // From here to the index writes nothing awaits, so two copies in flight cannot both become
    // items: the second finds the first in #bySha.
    const knownId = this.#bySha.get(key);
    const known = knownId ? index.getItem(knownId) : earlier;
    if (known && (knownId || earlierOnDisk)) {
      if (content.staged) await discardStaged(content.staged);
      await this.#merge(w, entry, known, rec, capture);
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
      const id = `takeout:${content.sha256}`;
      this.#bySha.set(key, id);
      // The row as inserted; an id already indexed (a copy never placed) is refreshed instead.
      row = index.upsertItems([{ ...rec, id }], { flat: this.#opts.flat }).added[0] ??
        index.getItem(id)!;
      // One copy of the id string for every set below.
      this.#bySha.set(key, row.id);
    }
    this.#thisRun.add(row.id);
    this.#decided.add(row.id);
    try {
      if (content.staged) {
        await placeStaged(content.staged, { path: row.path, mtime: capture?.time });
      }
    } catch (err) {
      if (content.staged) await discardStaged(content.staged);
      index.recordFailure(row.id, "takeout", describe(err));
      throw err;
    }
    index.markDownloaded(row.id, {
      size: content.size,
      sha256: content.sha256,
      fidelity: "original",
    });
    // Put back after a crash between a move's rename and its index write (see #redate).
    if (known && !twin && replacesDate(capture, row, true)) {
      await this.#redate(row, capture!);
      row = index.getItem(row.id)!;
    }
    this.#recordEntry(entry, row.id);
    if (twin) this.#report.replaced++;
    else this.#report.imported++;
    if (rec.companionOf) this.#report.companions++;
    if (this.#primaries.has(w.m)) this.#resolved.set(w.m, { id: row.id, capture });
    this.#addMember(w, row.id);
    if (this.#opts.xmp && !this.#opts.dryRun) {
      await writeXmpSidecar(this.#opts.target, row.path, { ...rec, captureTime: capture?.time });
      this.#report.xmpWritten++;
    }
    this.#emit({
      type: "item",
      phase: "takeout",
      id: row.id,
      path: row.path,
      status: twin ? "updated" : "added",
      reason: twin ? "replaced by the Takeout original" : w.sidecar ? undefined : "no sidecar",
    });
  }

  /** Remembers the entry, so the next import of it reads nothing (rule 14). */
  #recordEntry(entry: TakeoutEntry, id: string): void {
    this.#streamed.entries.remember(entry, id);
  }

  #addMember(w: Work, id: string): void {
    this.#albumMembers.add(w.folder, id);
  }

  #recordAlbums(folders: Map<string, FolderInfo>): void {
    this.#albumMembers.record(this.#opts.index, folders, this.#report);
  }
}
