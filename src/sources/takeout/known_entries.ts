/**
 * Recognising entries an earlier import already kept (rule 14), from what the archive says without
 * reading the data: the path below the Google Photos folder, the size, and the CRC-32 of a zip's
 * central directory, or the entry time of a tar or folder, which have no checksum to offer.
 */
import { resolveInside } from "../../files/atomic_file.ts";
import type { IndexPort, MediaRow, TakeoutEntryKey } from "../../index/mod.ts";
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

/**
 * The item an unchanged entry already is, when its file is still on disk at its size: then the
 * entry need not be read. A file deleted or changed since makes the entry be read again.
 */
export async function knownEntryItem(
  index: IndexPort,
  target: string,
  entry: TakeoutEntry,
): Promise<MediaRow | undefined> {
  const key = entryKeyOf(entry);
  if (!key) return undefined;
  const id = index.itemOfTakeoutEntry(key);
  const row = id ? index.getItem(id) : undefined;
  if (!row || !row.downloadedAt || row.size !== entry.size) return undefined;
  try {
    const info = await Deno.stat(resolveInside(target, row.path));
    return info.isFile && info.size === row.size ? row : undefined;
  } catch {
    return undefined;
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
