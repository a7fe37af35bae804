/**
 * A zip's central directory, read in bounded chunks straight from the file (APPNOTE 4.3.12-16):
 * one small record per entry and nothing kept, where zip.js builds a large object per entry.
 * Only clean archives are read here, with the results zip.js gives them; anything unusual
 * (encryption, other methods, split or ambiguous archives, malformed fields, a cut directory)
 * is flagged so the caller asks zip.js, which then reports it as it always did.
 */
import zlib from "node:zlib";

/** Reads up to `length` bytes at `offset` (fewer at the end of the file). */
export type ReadAt = (offset: number, length: number) => Uint8Array;

/** Where the central directory is and how many entries it declares. */
export interface ZipDirectory {
  offset: number;
  size: number;
  count: number;
}

/** One central-directory record, with the fields zip.js would derive from it. */
export interface ZipDirEntry {
  /** Position in the directory, 0-based. */
  index: number;
  /** The name as zip.js decodes it (always UTF-8, or the Info-ZIP Unicode path field). */
  name: string;
  directory: boolean;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** The DOS time (local), replaced by a Unix, extended-timestamp or NTFS time as zip.js does. */
  mtime: Date;
}

/** An entry zip.js must list (`entry`), or from which on zip.js must list everything (`rest`). */
export interface ZipJsNeeded {
  index: number;
  zipJs: "entry" | "rest";
  reason: string;
}

const EOCD = 0x06054b50;
const EOCD_BYTES = 22;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_EOCD_BYTES = 56;
const CENTRAL = 0x02014b50;
const CENTRAL_BYTES = 46;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;
/** Directory bytes read at once; a record is at most 46 + 3 × 65,535 bytes. */
const CHUNK_BYTES = 1024 * 1024;
const MIN_DATE = new Date(1980, 0, 1);

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(v: DataView, at: number): number | undefined {
  const n = v.getBigUint64(at, true);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(n);
}

/**
 * The central directory of a clean single-disk archive, or `undefined` when the file needs
 * zip.js's lenient search (no or several end records, appended or prepended data, zip64 records
 * that disagree, a split archive), or is no zip at all.
 */
export function locateDirectory(read: ReadAt, size: number): ZipDirectory | undefined {
  if (size < EOCD_BYTES) return undefined;
  const tailStart = Math.max(0, size - EOCD_BYTES - MAX16);
  const tail = read(tailStart, size - tailStart);
  if (tail.length !== size - tailStart) return undefined;
  const tv = view(tail);
  let at = -1;
  for (let i = tail.length - EOCD_BYTES; i >= 0; i--) {
    if (tv.getUint32(i, true) !== EOCD) continue;
    if (tailStart + i + EOCD_BYTES + tv.getUint16(i + 20, true) !== size) continue;
    if (at >= 0) return undefined; // Two end records reach the end: zip.js decides.
    at = i;
  }
  if (at < 0) return undefined;
  const eocd = tailStart + at;
  const lastDisk = tv.getUint16(at + 4, true);
  const dirDisk = tv.getUint16(at + 6, true);
  let count = tv.getUint16(at + 10, true);
  let dirSize = tv.getUint32(at + 12, true);
  let dirOffset = tv.getUint32(at + 16, true);
  let dirEnd = eocd;
  if (dirOffset === MAX32 || dirSize === MAX32 || count === MAX16 || dirDisk === MAX16) {
    if (eocd < ZIP64_LOCATOR_BYTES + ZIP64_EOCD_BYTES) return undefined;
    const loc = view(read(eocd - ZIP64_LOCATOR_BYTES, ZIP64_LOCATOR_BYTES));
    if (loc.byteLength < ZIP64_LOCATOR_BYTES || loc.getUint32(0, true) !== ZIP64_LOCATOR) {
      return undefined;
    }
    const recAt = u64(loc, 8);
    if (loc.getUint32(4, true) !== 0 || recAt !== eocd - ZIP64_LOCATOR_BYTES - ZIP64_EOCD_BYTES) {
      return undefined;
    }
    const rec = view(read(recAt, ZIP64_EOCD_BYTES));
    if (rec.byteLength < ZIP64_EOCD_BYTES || rec.getUint32(0, true) !== ZIP64_EOCD) {
      return undefined;
    }
    // A version 2 record (extensible data, an encrypted directory) is zip.js's to read.
    if (u64(rec, 4) !== ZIP64_EOCD_BYTES - 12) return undefined;
    const total = u64(rec, 32);
    const size64 = u64(rec, 40);
    const offset64 = u64(rec, 48);
    if (total === undefined || size64 === undefined || offset64 === undefined) return undefined;
    if (rec.getUint32(16, true) !== 0 || rec.getUint32(20, true) !== 0) return undefined;
    // Fields not saturated must agree with the zip64 record: zip.js would keep the 32-bit ones.
    if (count !== MAX16 && count !== total) return undefined;
    if (dirSize !== MAX32 && dirSize !== size64) return undefined;
    if (dirOffset !== MAX32 && dirOffset !== offset64) return undefined;
    if (lastDisk !== MAX16 && lastDisk !== 0) return undefined;
    count = total;
    dirSize = size64;
    dirOffset = offset64;
    dirEnd = recAt;
  } else if (lastDisk !== 0 || dirDisk !== 0) {
    return undefined;
  }
  if (dirOffset + dirSize !== dirEnd) return undefined;
  return { offset: dirOffset, size: dirSize, count };
}

/**
 * Every record of `dir` in order, read `CHUNK_BYTES` at a time. A record that zip.js must list
 * itself comes as a `ZipJsNeeded` of kind `entry`; a directory that breaks off, or holds more
 * than it declares, ends with one of kind `rest` (zip.js lists, or fails, from there).
 */
export function* walkDirectory(
  read: ReadAt,
  dir: ZipDirectory,
): Generator<ZipDirEntry | ZipJsNeeded> {
  let buf: Uint8Array = new Uint8Array(0);
  let v = view(buf); // one view per chunk read, not per record
  let bufAt = 0; // directory position of buf[0]
  let pos = 0;
  const have = (n: number): boolean => {
    if (pos - bufAt + n <= buf.length) return true;
    if (pos + n > dir.size) return false;
    const want = Math.max(n, Math.min(CHUNK_BYTES, dir.size - pos));
    buf = read(dir.offset + pos, want);
    v = view(buf);
    bufAt = pos;
    return buf.length >= n;
  };
  for (let index = 0; index < dir.count; index++) {
    if (!have(CENTRAL_BYTES)) {
      yield { index, zipJs: "rest", reason: "directory ends early" };
      return;
    }
    let at = pos - bufAt;
    if (v.getUint32(at, true) !== CENTRAL) {
      yield { index, zipJs: "rest", reason: "no central header" };
      return;
    }
    const total = CENTRAL_BYTES + v.getUint16(at + 28, true) + v.getUint16(at + 30, true) +
      v.getUint16(at + 32, true);
    if (!have(total)) {
      yield { index, zipJs: "rest", reason: "directory ends early" };
      return;
    }
    at = pos - bufAt;
    yield parseRecord(buf, v, at, index);
    pos += total;
  }
  if (pos !== dir.size) yield { index: dir.count, zipJs: "rest", reason: "directory size differs" };
}

/** One central-directory record at `at` of `buf`; all its bytes are in `buf`. */
function parseRecord(
  buf: Uint8Array,
  v: DataView,
  at: number,
  index: number,
): ZipDirEntry | ZipJsNeeded {
  const flags = v.getUint16(at + 8, true);
  const method = v.getUint16(at + 10, true);
  if ((flags & 1) !== 0) return { index, zipJs: "entry", reason: "encrypted" };
  if (method !== 0 && method !== 8) return { index, zipJs: "entry", reason: "method" };
  const nameLen = v.getUint16(at + 28, true);
  const extraLen = v.getUint16(at + 30, true);
  const rawName = buf.subarray(at + CENTRAL_BYTES, at + CENTRAL_BYTES + nameLen);
  const extraAt = at + CENTRAL_BYTES + nameLen;
  let uncompressedSize: number | undefined = v.getUint32(at + 24, true);
  let compressedSize: number | undefined = v.getUint32(at + 20, true);
  let localHeaderOffset: number | undefined = v.getUint32(at + 42, true);
  if (v.getUint16(at + 34, true) !== 0) return { index, zipJs: "entry", reason: "disk" };
  const versionMadeBy = v.getUint16(at + 4, true);
  const external = v.getUint32(at + 38, true);
  const dosTime = v.getUint16(at + 12, true);
  const dosDate = v.getUint16(at + 14, true);

  // Extra fields: where each known one is (the last of a type wins, as in zip.js's map).
  let zip64 = -1, unicodePath = -1, pkUnix = -1, unixType1 = -1, extTime = -1, ntfs = -1;
  let off = extraAt;
  const extraEnd = extraAt + extraLen;
  while (off < extraEnd) {
    if (off + 4 > extraEnd) return { index, zipJs: "entry", reason: "extra field" };
    const type = v.getUint16(off, true);
    const len = v.getUint16(off + 2, true);
    if (off + 4 + len > extraEnd) return { index, zipJs: "entry", reason: "extra field" };
    if (type === 0x0001) zip64 = off;
    else if (type === 0x7075) unicodePath = off;
    else if (type === 0x000d) pkUnix = off;
    else if (type === 0x5855) unixType1 = off;
    else if (type === 0x5455) extTime = off;
    else if (type === 0x000a) ntfs = off;
    else if (type === 0x9901) return { index, zipJs: "entry", reason: "AES" };
    off += 4 + len;
  }

  // Zip64: the saturated fields, in APPNOTE order, follow each other in the 0x0001 field.
  const wide = uncompressedSize === MAX32 || compressedSize === MAX32 ||
    localHeaderOffset === MAX32;
  if (wide) {
    if (zip64 < 0) return { index, zipJs: "entry", reason: "zip64 field missing" };
    const len = v.getUint16(zip64 + 2, true);
    let p = zip64 + 4;
    const next = (): number | undefined => {
      if (p + 8 > zip64 + 4 + len) return undefined;
      const n = u64(v, p);
      p += 8;
      return n;
    };
    if (uncompressedSize === MAX32) uncompressedSize = next();
    if (compressedSize === MAX32) compressedSize = next();
    if (localHeaderOffset === MAX32) localHeaderOffset = next();
    if (
      uncompressedSize === undefined || compressedSize === undefined ||
      localHeaderOffset === undefined
    ) {
      return { index, zipJs: "entry", reason: "zip64 field" };
    }
  }

  let name = utf8.decode(rawName);
  if (unicodePath >= 0 && (flags & 0x800) === 0) {
    const len = v.getUint16(unicodePath + 2, true);
    const data = unicodePath + 4;
    if (
      len >= 5 && v.getUint8(data) === 1 &&
      v.getUint32(data + 1, true) === zlib.crc32(rawName) >>> 0
    ) {
      name = utf8.decode(buf.subarray(data + 5, data + len));
    }
  }

  let mtime = dosDateTime(dosDate, dosTime);
  for (const f of [pkUnix, unixType1]) {
    if (f >= 0 && v.getUint16(f + 2, true) >= 8) mtime = new Date(v.getInt32(f + 8, true) * 1000);
  }
  if (extTime >= 0 && v.getUint16(extTime + 2, true) >= 5) {
    mtime = new Date(v.getInt32(extTime + 5, true) * 1000);
  }
  if (ntfs >= 0) mtime = ntfsTime(v, ntfs) ?? mtime;

  const upper = external >>> 16;
  const directory = (upper & 0o170000) === 0o040000 ||
    ((versionMadeBy >> 8) === 0 && (external & 0x10) !== 0) || name.endsWith("/");
  return {
    index,
    name,
    directory,
    method,
    crc32: v.getUint32(at + 16, true),
    compressedSize,
    uncompressedSize,
    localHeaderOffset,
    mtime,
  };
}

/**
 * Each DOS date and time's instant, worked out once: a part's entries share a few (the export's
 * time), and reading local time is the slow part of listing a directory.
 */
const dosInstants = new Map<number, number>();
const DOS_CACHE_MAX = 4096;

/** A DOS date and time, read as local time (as zip.js does), not before 1980. */
function dosDateTime(date: number, time: number): Date {
  const key = date * 65536 + time;
  const ms = dosInstants.get(key);
  if (ms !== undefined) return new Date(ms);
  const d = dosLocal(date, time);
  if (dosInstants.size >= DOS_CACHE_MAX) dosInstants.clear();
  dosInstants.set(key, d.getTime());
  return d;
}

function dosLocal(date: number, time: number): Date {
  const d = new Date(
    1980 + (date >> 9),
    ((date >> 5) & 15) - 1,
    date & 31,
    time >> 11,
    (time >> 5) & 63,
    (time & 31) * 2,
    0,
  );
  return d < MIN_DATE ? new Date(MIN_DATE) : d;
}

/** The modification time of an NTFS field's first attribute of tag 1, when it is whole. */
function ntfsTime(v: DataView, field: number): Date | undefined {
  const end = field + 4 + v.getUint16(field + 2, true);
  let off = field + 4 + 4; // after the field header and 4 reserved bytes
  while (off + 4 <= end) {
    const tag = v.getUint16(off, true);
    const size = v.getUint16(off + 2, true);
    if (tag === 1) {
      if (size !== 24 || off + 4 + 24 > end) return undefined;
      const raw = v.getBigUint64(off + 4, true);
      return new Date(Number(raw / 10000n - 11644473600000n));
    }
    off += 4 + size;
  }
  return undefined;
}
