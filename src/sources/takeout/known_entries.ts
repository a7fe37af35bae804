/**
 * Recognising entries an earlier import already kept (rule 14), from what the archive says without
 * reading the data: the path below the Google Photos folder, the size, and the CRC-32 of a zip's
 * central directory, or the entry time of a tar or folder, which have no checksum to offer.
 */
import { resolveInside } from "../../files/atomic_file.ts";
import { type Warming, warmStats } from "../../files/cache_warmer.ts";
import { QuickStat } from "../../files/quick_stat.ts";
import { isPlainRelative } from "../../layout/mod.ts";
import {
  type IndexPort,
  type MediaRow,
  takeoutEntryId,
  type TakeoutEntryKey,
} from "../../index/mod.ts";
import type { CaptureTime, TakeoutDateSource } from "./metadata.ts";
import type { TakeoutEntry } from "./part.ts";

/** How the index remembers an entry; undefined when the archive gives neither CRC nor time. */
export function entryKeyOf(entry: TakeoutEntry): TakeoutEntryKey | undefined {
  let fingerprint: string;
  if (entry.crc32 !== undefined) {
    fingerprint = `crc32:${(entry.crc32 >>> 0).toString(16).padStart(8, "0")}`;
  } else if (entry.mtime && !Number.isNaN(entry.mtime.getTime())) {
    fingerprint = `mtime:${Math.floor(entry.mtime.getTime() / 1000)}`;
  } else {
    return undefined;
  }
  return { key: entry.key, size: entry.size, fingerprint };
}

/** Entry records written per transaction. */
const RECORD_BATCH = 500;

/**
 * The entries an earlier import kept, read from the index in one query when an import starts, and
 * whether their files are still on disk: an unchanged entry need not be read.
 */
export class KnownEntries {
  #index: IndexPort;
  #target: string;
  /** Entries to record, written in one transaction per batch (see `remember`). */
  #pending: { entry: TakeoutEntryKey; mediaId: string }[] = [];
  /** `takeoutEntryId` -> the item's row as the import found it. */
  #rows: Map<string, MediaRow>;
  #quick = new QuickStat();
  #stat = (path: string) => this.#quick.stat(path);

  /** Stats of the known files on another thread, made while pass one runs (`#foundAtSize`). */
  #warming: Warming;
  /** Path -> its place in the list the worker stats. */
  #warmed = new Map<string, number>();

  constructor(index: IndexPort, target: string) {
    this.#index = index;
    this.#target = target;
    this.#rows = index.downloadedTakeoutEntries();
    const paths: string[] = [];
    for (const row of this.#rows.values()) {
      // Only a path that plainly stays inside TARGET is stat'ed there (an index may be tampered
      // with); any other is left to `fileOnDisk`, which refuses it.
      if (!isPlainRelative(row.path) || this.#warmed.has(row.path)) continue;
      this.#warmed.set(row.path, paths.length);
      paths.push(row.path);
    }
    this.#warming = warmStats(target, paths);
  }

  /** Stops warming the caches: the import is over. */
  close(): void {
    this.#warming.stop();
  }

  /**
   * The item an unchanged entry already is, when its file is still on disk at its size. A file
   * deleted or changed since makes the entry be read again. `current` gives the row as it is now
   * for an item this run has written (its file may have moved).
   */
  async item(
    entry: TakeoutEntry,
    current?: (row: MediaRow) => MediaRow | undefined,
  ): Promise<MediaRow | undefined> {
    const key = entryKeyOf(entry);
    const known = key ? this.#rows.get(takeoutEntryId(key)) : undefined;
    const row = known && current ? current(known) : known;
    if (!row || !row.downloadedAt || row.size !== entry.size) return undefined;
    if (this.#foundAtSize(row)) return row;
    return (await fileOnDisk(this.#target, row, this.#stat)) ? row : undefined;
  }

  /**
   * Whether the worker found the row's file at the row's size: then no stat of the main thread's
   * is needed. A file it did not find (or not yet) is stat'ed here: this run may have written it.
   */
  #foundAtSize(row: MediaRow): boolean {
    const sizes = this.#warming.sizes;
    const i = sizes ? this.#warmed.get(row.path) : undefined;
    if (i === undefined) return false;
    const size = sizes![i];
    return size >= 0 && (row.size === null || size === row.size);
  }

  /**
   * Remembers that `entry` became (or is a copy of) item `id`, so the next import of it reads
   * nothing (rule 14), unless the index already says so. Records are written in batches, one
   * transaction each: a run killed before a batch is written makes the next run read those
   * entries again, nothing worse.
   */
  remember(entry: TakeoutEntry, id: string): void {
    const key = entryKeyOf(entry);
    if (!key || this.#rows.get(takeoutEntryId(key))?.id === id) return;
    this.#pending.push({ entry: key, mediaId: id });
    if (this.#pending.length >= RECORD_BATCH) this.flush();
  }

  /** Writes the records `remember` holds. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#index.recordTakeoutEntries(batch);
  }
}

/**
 * Whether an item's file is in TARGET at the size the index says (any size when it says none), by
 * `stat` (KnownEntries checks thousands with a QuickStat).
 */
export async function fileOnDisk(
  target: string,
  row: MediaRow,
  stat: (path: string) => Promise<Deno.FileInfo> = Deno.stat,
): Promise<boolean> {
  try {
    const info = await stat(resolveInside(target, row.path));
    return info.isFile && (row.size === null || info.size === row.size);
  } catch {
    return false;
  }
}

/** Better date sources rank higher (rule 13); sources of other tools are not ranked. */
const DATE_RANK: Record<string, number> = {
  none: 0,
  entry: 1,
  folder: 2,
  filename: 3,
  exif: 4,
  sidecar: 5,
};

/** An item's date as the index holds it, when a Takeout rule gave it. */
export function rowCapture(row: MediaRow): CaptureTime | undefined {
  if (!row.captureTime || !(row.dateSource in DATE_RANK) || row.dateSource === "none") {
    return undefined;
  }
  return { time: new Date(row.captureTime), source: row.dateSource as TakeoutDateSource };
}

/**
 * Whether `capture` should replace the date an item has: a better source always; another sidecar
 * time only from the copy that decides the item's metadata in this run (`deciding`: the newest
 * export knows a date corrected in Google Photos; an entry time is only the export's date). Dates
 * from the API or the Picker are never replaced.
 */
export function replacesDate(
  capture: CaptureTime | undefined,
  row: MediaRow,
  deciding: boolean,
): boolean {
  if (!capture) return false;
  const old = DATE_RANK[row.dateSource];
  const next = DATE_RANK[capture.source];
  if (old === undefined || next === undefined) return false;
  if (next > old) return true;
  return deciding && next === old && capture.source === "sidecar" && row.captureTime !== null &&
    new Date(row.captureTime).getTime() !== capture.time.getTime();
}
