/**
 * Capture times read from a file's own bytes: EXIF `DateTimeOriginal` for photos, the `mvhd`
 * creation time of an MP4/MOV for videos. Both read only a little of the file.
 */

/**
 * exifr, loaded on the first EXIF read: loading it costs a start some 45 ms (70 ms from a cold
 * disk), and many runs (an unchanged Takeout re-import, status) never read EXIF.
 */
let exifrParse: Promise<typeof import("exifr").parse> | undefined;
function loadExifrParse(): Promise<typeof import("exifr").parse> {
  // A CommonJS package: its functions are on the default export only.
  return exifrParse ??= import("exifr").then((m) => m.default.parse);
}

/** A capture time and whether the file said which zone it was in. */
export interface FileTime {
  time: Date;
  /** True when the file gave its UTC offset; otherwise the time may be wall-clock time. */
  zoned: boolean;
}

const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/**
 * Parses an EXIF date (`YYYY:MM:DD HH:MM:SS`) as UTC, shifted by an `OffsetTime*` value when
 * there is one; undefined for a blank or impossible date (cameras write `0000:00:00 00:00:00`).
 */
export function parseExifDate(text: string, offset?: string): FileTime | undefined {
  const m = EXIF_DATE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (y < 1800 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return undefined;
  }
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const time = new Date(0);
  time.setUTCFullYear(y, mo - 1, d);
  time.setUTCHours(h, mi, s, ms);
  const off = offset ? OFFSET.exec(offset.trim()) : null;
  if (off) {
    const minutes = (Number(off[2]) * 60 + Number(off[3])) * (off[1] === "-" ? -1 : 1);
    time.setTime(time.getTime() - minutes * 60_000);
  }
  if (Number.isNaN(time.getTime())) return undefined;
  return { time, zoned: off !== null };
}

/**
 * The EXIF `DateTimeOriginal` (else `CreateDate`) in the first bytes of a photo; undefined when
 * the format has no EXIF, the head is cut before it, or the date is blank.
 */
export async function exifTime(head: Uint8Array): Promise<FileTime | undefined> {
  let tags: Record<string, unknown> | undefined;
  const parse = await loadExifrParse();
  try {
    tags = await parse(head, {
      pick: ["DateTimeOriginal", "CreateDate", "OffsetTimeOriginal", "OffsetTimeDigitized"],
      reviveValues: false,
      translateValues: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      ifd1: false,
    });
  } catch {
    // A damaged or exotic header is common in old backups; the file is still compared by hash.
    return undefined;
  }
  if (!tags) return undefined;
  for (
    const [key, offKey] of [
      ["DateTimeOriginal", "OffsetTimeOriginal"],
      ["CreateDate", "OffsetTimeDigitized"],
    ]
  ) {
    const v = tags[key];
    if (typeof v === "string") {
      const off = tags[offKey];
      const t = parseExifDate(v, typeof off === "string" ? off : undefined);
      if (t) return t;
    }
  }
  return undefined;
}

/** Seconds from 1904-01-01 (the QuickTime epoch) to 1970-01-01. */
const QT_EPOCH_OFFSET_S = 2_082_844_800;
/** Enough boxes for any real file; stops a crafted file from looping for long. */
const MAX_BOXES = 4096;

/** A file we can read at an offset: a `Deno.FsFile` or anything shaped like one. */
export interface Seekable {
  seek(offset: number | bigint, whence: Deno.SeekMode): Promise<number>;
  read(p: Uint8Array): Promise<number | null>;
}

/**
 * The creation time in the `moov/mvhd` box of an MP4/MOV/3GP file of `size` bytes (version 0
 * and 1), seeking from box to box so a `moov` after a large `mdat` costs a few small reads.
 * Undefined when the file is not ISO-BMFF, has no `mvhd`, or the time is zero (unset).
 */
export async function mp4CreationTime(file: Seekable, size: number): Promise<FileTime | undefined> {
  const header = new Uint8Array(16);
  const moov = await findBox(file, header, 0, size, "moov", true);
  if (!moov) return undefined;
  const mvhd = await findBox(file, header, moov.body, moov.end, "mvhd", false);
  if (!mvhd || mvhd.end - mvhd.body < 12) return undefined;
  const body = new Uint8Array(Math.min(20, mvhd.end - mvhd.body));
  await file.seek(mvhd.body, Deno.SeekMode.Start);
  if (await readFull(file, body) < body.length) return undefined;
  const view = new DataView(body.buffer);
  const version = body[0];
  let seconds: number;
  if (version === 1) {
    if (body.length < 12) return undefined;
    seconds = Number(view.getBigUint64(4));
  } else if (version === 0) {
    seconds = view.getUint32(4);
  } else {
    return undefined;
  }
  if (seconds === 0) return undefined;
  const time = new Date((seconds - QT_EPOCH_OFFSET_S) * 1000);
  if (Number.isNaN(time.getTime())) return undefined;
  // The format says UTC, but many cameras write local time: treat it as possibly unzoned.
  return { time, zoned: false };
}

interface Box {
  body: number;
  end: number;
}

async function findBox(
  file: Seekable,
  header: Uint8Array,
  start: number,
  end: number,
  type: string,
  topLevel: boolean,
): Promise<Box | undefined> {
  const view = new DataView(header.buffer);
  let pos = start;
  for (let n = 0; n < MAX_BOXES && pos + 8 <= end; n++) {
    await file.seek(pos, Deno.SeekMode.Start);
    const got = await readFull(file, header.subarray(0, Math.min(16, end - pos)));
    if (got < 8) return undefined;
    let boxSize = view.getUint32(0);
    const boxType = String.fromCharCode(header[4], header[5], header[6], header[7]);
    // Box types are four printable characters; anything else means this is not ISO-BMFF.
    if (!/^[\x20-\x7e]{4}$/.test(boxType)) return undefined;
    let headerSize = 8;
    if (boxSize === 1) {
      if (got < 16) return undefined;
      boxSize = Number(view.getBigUint64(8));
      headerSize = 16;
    } else if (boxSize === 0) {
      // Size 0 is "to the end of the file", allowed for the last top-level box only.
      if (!topLevel) return undefined;
      boxSize = end - pos;
    }
    if (boxSize < headerSize || pos + boxSize > end) return undefined;
    if (boxType === type) return { body: pos + headerSize, end: pos + boxSize };
    pos += boxSize;
  }
  return undefined;
}

/** Reads until `buf` is full or the file ends; returns the bytes read. */
export async function readFull(file: Seekable, buf: Uint8Array): Promise<number> {
  let off = 0;
  while (off < buf.length) {
    const n = await file.read(buf.subarray(off));
    if (n === null) break;
    off += n;
  }
  return off;
}
