/**
 * What our zip reader knows of each entry: where its data is (a table of typed arrays, so 100,000
 * entries stay a few megabytes), how it was listed, its local header, and the size and CRC-32 check
 * its bytes pass as they are read.
 */
import type { Entry, FileEntry } from "@zip.js/zip.js";
import zlib from "node:zlib";
import type { ByteCheck } from "../../files/byte_pump.ts";
import type { TakeoutEntry } from "./part.ts";

export const STORED = 0;
export const DEFLATED = 8;

/** Where an entry's data is, while pass one works it out. */
export interface ZipData {
  dataOffset: number;
  compressedSize: number;
  method: number;
  /** Kept only for what is read through zip.js's own pipeline (encrypted, unusual methods). */
  entry?: FileEntry;
}

/**
 * Where each entry's data is, by the entry's `ordinal`; its size and CRC-32 are the entry's own.
 * Typed arrays rather than an object per entry: 100,000 entries stay a few megabytes.
 */
export class DataTable {
  /** Data offset, NaN until the local header was read (`locate`). */
  #offsets = new Float64Array(1024);
  #sizes = new Float64Array(1024);
  #methods = new Uint16Array(1024);
  /** Local header offset and listing index, for a data offset found only when first read. */
  #headers = new Float64Array(1024);
  #listed = new Float64Array(1024);
  /** The few entries read through zip.js, by ordinal. */
  #zipJs = new Map<number, FileEntry>();
  #count = 0;

  /** Adds `d`; returns its ordinal. */
  add(d: ZipData, z?: Listed): number {
    const i = this.#count++;
    if (i === this.#offsets.length) {
      this.#offsets = grown(this.#offsets, new Float64Array(i * 2));
      this.#sizes = grown(this.#sizes, new Float64Array(i * 2));
      this.#methods = grown(this.#methods, new Uint16Array(i * 2));
      this.#headers = grown(this.#headers, new Float64Array(i * 2));
      this.#listed = grown(this.#listed, new Float64Array(i * 2));
    }
    this.#offsets[i] = d.dataOffset;
    this.#sizes[i] = d.compressedSize;
    this.#methods[i] = d.method;
    this.#headers[i] = z?.localHeaderOffset ?? -1;
    this.#listed[i] = z?.index ?? -1;
    if (d.entry) this.#zipJs.set(i, d.entry);
    return i;
  }

  /** The data of entry `i`, or undefined when this table has no such entry. */
  get(i: number | undefined): ZipData | undefined {
    if (i === undefined || !Number.isInteger(i) || i < 0 || i >= this.#count) return undefined;
    return {
      dataOffset: this.#offsets[i],
      compressedSize: this.#sizes[i],
      method: this.#methods[i],
      entry: this.#zipJs.get(i),
    };
  }

  /** Where entry `i`'s local header starts (its data follows the header's variable fields). */
  headerOffset(i: number): number {
    return this.#headers[i];
  }

  /** What a late probe of entry `i` needs, as listed. */
  listed(i: number, name: string): Listed {
    return {
      index: this.#listed[i],
      name,
      directory: false,
      method: this.#methods[i],
      compressedSize: this.#sizes[i],
      uncompressedSize: -1,
      localHeaderOffset: this.headerOffset(i),
      mtime: new Date(NaN),
    };
  }

  /** Keeps the data offset a late probe found. */
  located(i: number, offset: number): void {
    this.#offsets[i] = offset;
  }
}

function grown<T extends Float64Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Size and CRC-32 of bytes as they pass, compared with what the archive says at the end. */
export class EntryCheck implements ByteCheck {
  #crc = 0;
  #got = 0;
  constructor(
    readonly entry: TakeoutEntry,
    readonly crc32: number | undefined,
    readonly size: number,
  ) {}
  update(chunk: Uint8Array): void {
    this.#got += chunk.byteLength;
    // Stop at once, not at the end: a lying size (a zip bomb) would fill memory or the disk first.
    if (this.#got > this.size) throw this.tooLong();
    this.#crc = zlib.crc32(chunk, this.#crc);
  }
  /** The error of bytes past the size the directory gives. */
  tooLong(): Error {
    return new Error(
      `entry "${this.entry.inner}" is corrupt: longer than the ${this.size} bytes its directory says`,
    );
  }
  finish(): void {
    if (this.#got !== this.size) {
      throw new Error(
        `entry "${this.entry.inner}" is cut short: ${this.#got} of ${this.size} bytes`,
      );
    }
    if (this.crc32 !== undefined && this.#crc >>> 0 !== this.crc32 >>> 0) {
      throw new Error(`entry "${this.entry.inner}" is corrupt: CRC-32 mismatch`);
    }
  }
}

/** One entry as listed, by our directory reader or by zip.js (`js`). */
export interface Listed {
  index: number;
  name: string;
  directory: boolean;
  method: number;
  /** Unset for AES entries (zip.js: their CRC is not kept). */
  crc32?: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  mtime: Date;
  encrypted?: boolean;
  js?: Entry;
}

export function fromZipJs(index: number, z: Entry): Listed {
  return {
    index,
    name: z.filename,
    directory: z.directory,
    method: z.compressionMethod,
    crc32: z.crc32,
    compressedSize: z.compressedSize,
    uncompressedSize: z.uncompressedSize,
    localHeaderOffset: z.offset,
    mtime: z.lastModDate,
    encrypted: z.encrypted,
    js: z,
  };
}

/** A small entry's raw bytes inflated and checked (size, CRC-32). */
export function checkedSmall(raw: Uint8Array, z: ZipData, entry: TakeoutEntry): Uint8Array {
  if (raw.length !== z.compressedSize) throw new Error(`entry "${entry.inner}" is cut short`);
  const check = new EntryCheck(entry, entry.crc32, entry.size);
  const data = z.method === DEFLATED ? inflateAtMost(raw, entry.size, check) : raw;
  check.update(data);
  check.finish();
  return data;
}

/** Inflates `raw`, refusing to make more than `size` bytes of it (`check` says why). */
function inflateAtMost(raw: Uint8Array, size: number, check: EntryCheck): Uint8Array {
  try {
    return new Uint8Array(zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, size) }));
  } catch (err) {
    throw err instanceof RangeError ? check.tooLong() : err;
  }
}

/** Bytes of a local header's fixed part. */
export const LOCAL_HEADER = 30;

/**
 * Where an entry's data starts, counted from its local header at the start of `head`: the fixed
 * part gives the name and extra field lengths (APPNOTE 4.3.7, bytes 26 and 28). Undefined when
 * `head` is no local header.
 */
export function dataStart(head: Uint8Array): number | undefined {
  if (
    head.length < LOCAL_HEADER || head[0] !== 0x50 || head[1] !== 0x4b || head[2] !== 3 ||
    head[3] !== 4
  ) {
    return undefined;
  }
  const view = new DataView(head.buffer, head.byteOffset, LOCAL_HEADER);
  return LOCAL_HEADER + view.getUint16(26, true) + view.getUint16(28, true);
}
