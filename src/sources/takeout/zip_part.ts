/**
 * A zip part: our own reader walks the central directory (zip64 included) in bounded chunks and
 * each local header gives the data offset; entry data is then read straight from the file, with
 * size and CRC-32 checked. zip.js lists what that reader leaves to it (encrypted entries, other
 * methods, damaged or unusual archives) and reads encrypted entries, so those behave as before.
 */
import type { FileEntry } from "@zip.js/zip.js";
import { UsageError } from "../../errors.ts";
import { type ChunkSink, pumpStream, type RangePump } from "../../files/byte_pump.ts";
import { FileRangeReader, PROBED, ZipJsListing } from "./_zip_file.ts";
import {
  describe,
  type FoundEntry,
  makeEntry,
  readJsonInfo,
  type ScanOptions,
  SharedFields,
  type SourceProblem,
  type TakeoutEntry,
  type TakeoutPart,
} from "./part.ts";
import { FolderPlacer, isJsonName, isRootNonSidecar } from "./tree_rules.ts";
import { locateDirectory, walkDirectory, type ZipDirectory } from "./zip_directory.ts";
import {
  checkedSmall,
  dataStart,
  DataTable,
  DEFLATED,
  EntryCheck,
  fromZipJs,
  type Listed,
  LOCAL_HEADER,
  STORED,
  type ZipData,
} from "./zip_entry_data.ts";

/** Sidecars larger than this are streamed rather than read in one piece. */
const SMALL_ENTRY_BYTES = 4 * 1024 * 1024;
/** Bytes read past a local header's fixed part for its name and extra field (`#readJson`). */
const HEADER_SLACK = 1024;
/** JSON files of pass one read at once: enough to keep a cold disk's queue busy. */
const JSON_READS = 16;

/** A `.zip` part of the export. */
export class ZipPart implements TakeoutPart {
  readonly path: string;
  readonly kind = "zip" as const;
  #pump: RangePump;
  #open?: { zipJs: ZipJsListing; file: FileRangeReader };
  #data = new DataTable();

  /** `pump` reads stored entries, keeping a few handles of this file open between entries. */
  constructor(path: string, pump: RangePump) {
    this.path = path;
    this.#pump = pump;
  }

  /** Reads the central directory, each entry's local header, and the JSON files. */
  async scan(opts: ScanOptions): Promise<FoundEntry[]> {
    const { problems, signal } = opts;
    const file = new FileRangeReader(this.path);
    const zipJs = new ZipJsListing(file);
    this.#open = { zipJs, file };
    const found: FoundEntry[] = [];
    const shared = new SharedFields();
    const placer = new FolderPlacer();
    let listed = 0;
    const jsonReads: { read: Promise<void>; problems: SourceProblem[] }[] = [];
    const running = new Set<Promise<void>>();
    try {
      await file.init();
      const dir = locateDirectory((at, n) => file.readSync(at, n), file.size);
      const listing = dir ? this.#list(file, dir, zipJs) : this.#listZipJs(zipJs, 0);
      for await (const z of listing) {
        signal?.throwIfAborted();
        listed++;
        if (unsafeName(z.name)) {
          problems.push({
            source: this.path,
            entry: z.name,
            message: "unsafe entry name (parent folder, absolute path or backslash): skipped",
          });
          continue;
        }
        if (z.directory) continue;
        const cut = z.name.lastIndexOf("/");
        const placed = placer.place(z.name.slice(0, Math.max(0, cut)), z.name.slice(cut + 1));
        if (!placed) continue;
        // An entry's local header is read with its data (a JSON file's below, a media file's in
        // pass two): an entry the index already knows costs no read beyond the directory (rule 14).
        const readNow = "js" in z || (z.method !== STORED && z.method !== DEFLATED);
        let data: ZipData;
        try {
          data = readNow
            ? await probe(file, z, zipJs)
            : { dataOffset: NaN, compressedSize: z.compressedSize, method: z.method };
        } catch (err) {
          problems.push({ source: this.path, entry: z.name, message: describe(err) });
          continue;
        }
        const entry = makeEntry(placed, {
          size: z.uncompressedSize,
          mtime: z.mtime,
          source: this.path,
          kind: "zip",
          inner: z.name,
          crc32: z.crc32,
          ordinal: this.#data.add(data, z),
        }, shared);
        const p: FoundEntry = { entry, known: placed.known, json: undefined };
        found.push(p);
        const isSidecar = isJsonName(entry.name) && !isRootNonSidecar(entry.dir, entry.name);
        const known = isSidecar ? opts.knownJson?.(entry) : undefined;
        if (known) {
          p.json = known;
          opts.onFound?.(p);
        } else if (isSidecar) {
          // Read side by side; their problems are added in entry order once all are read.
          const own: SourceProblem[] = [];
          const read = readJsonInfo(
            entry,
            async () => new TextDecoder().decode(await this.#readJson(file, entry)),
            own,
          ).then((json) => {
            p.json = json;
            opts.onFound?.(p);
          });
          jsonReads.push({ read, problems: own });
          running.add(read);
          // Its failure (a throwing `onFound`) surfaces through `jsonReads` below, not here.
          read.finally(() => running.delete(read)).catch(() => {});
          if (running.size >= JSON_READS) await Promise.race(running);
        } else {
          opts.onFound?.(p);
        }
      }
      await Promise.all(jsonReads.map((j) => j.read));
    } catch (err) {
      await Promise.allSettled(jsonReads.map((j) => j.read));
      if (signal?.aborted) throw err;
      if (listed === 0 && !(await isZipMagic(this.path))) {
        await this.close();
        throw new UsageError(
          `Cannot read "${this.path}": not a zip archive (${describe(err)})`,
          { cause: err },
        );
      }
      problems.push({
        source: this.path,
        message: `archive is truncated or corrupt, its listing is unreadable: ${describe(err)}`,
      });
    }
    for (const j of jsonReads) problems.push(...j.problems);
    return found;
  }

  /** Our directory reader's entries; zip.js's for what it leaves to zip.js. */
  async *#list(file: FileRangeReader, dir: ZipDirectory, zipJs: ZipJsListing) {
    for (const z of walkDirectory((at, n) => file.readSync(at, n), dir)) {
      if (!("zipJs" in z)) {
        yield z;
      } else if (z.zipJs === "entry") {
        yield fromZipJs(z.index, await zipJs.at(z.index));
      } else {
        yield* this.#listZipJs(zipJs, z.index);
        return;
      }
    }
  }

  async *#listZipJs(zipJs: ZipJsListing, index: number): AsyncGenerator<Listed> {
    for await (const { index: i, entry } of zipJs.from(index)) yield fromZipJs(i, entry);
  }

  /** Reads an entry's data straight from the file, at the offset zip.js found. */
  async read(entry: TakeoutEntry, sink: ChunkSink): Promise<void> {
    const z = entry.source === this.path ? this.#data.get(entry.ordinal) : undefined;
    if (!z || !this.#open) {
      throw new TypeError(`Unknown entry "${entry.inner}" of "${entry.source}"`);
    }
    if (Number.isNaN(z.dataOffset) && z.method === STORED && !z.entry) {
      if (await this.#readStoredWithHeader(entry, z.compressedSize, sink)) return;
    }
    await this.#read(this.#open.file, await this.#dataOf(entry), entry, sink);
  }

  /**
   * A stored entry whose local header was not read yet: header and data as one range, the
   * header's name and extra field in the slack read with it, so most files take one read. False,
   * with nothing passed on, when the header is not such (the probe then finds the data).
   */
  async #readStoredWithHeader(entry: TakeoutEntry, size: number, sink: ChunkSink) {
    const i = entry.ordinal!;
    const at = this.#data.headerOffset(i);
    const fileSize = this.#open!.file.size;
    const check = new EntryCheck(entry, entry.crc32, entry.size);
    let start: number | undefined;
    let pos = 0;
    let usable = true;
    let stopped = false;
    const range = {
      path: this.path,
      offset: at,
      size: Math.max(0, Math.min(LOCAL_HEADER + HEADER_SLACK + size, fileSize - at)),
    };
    await this.#pump.pump(range, async (chunk) => {
      if (start === undefined) {
        start = dataStart(chunk);
        if (start === undefined || start > LOCAL_HEADER + HEADER_SLACK) {
          usable = false;
          return true;
        }
        this.#data.located(i, at + start);
      }
      const from = Math.max(0, start - pos);
      const to = Math.min(chunk.length, start + size - pos);
      pos += chunk.length;
      if (from < to) {
        const part = chunk.subarray(from, to);
        check.update(part);
        if ((await sink(part)) === true) return stopped = true;
      }
      return pos >= start + size;
    }, { keepHandle: true, direct: true });
    if (!usable) return false;
    // A file ended early (`pos` short of the data's end) is reported by the check.
    if (!stopped) check.finish();
    return true;
  }

  /** Where an entry's data is, reading its local header the first time. */
  async #dataOf(entry: TakeoutEntry): Promise<ZipData> {
    const i = entry.ordinal!;
    const z = this.#data.get(i)!;
    if (Number.isNaN(z.dataOffset)) {
      const { file, zipJs } = this.#open!;
      const late = this.#data.listed(i, entry.inner);
      z.dataOffset = (await probe(file, late, zipJs, { late: true })).dataOffset;
      this.#data.located(i, z.dataOffset);
    }
    return z;
  }

  /** Closes the directory handle and zip.js's listing. */
  async close(): Promise<void> {
    if (!this.#open) return;
    const { zipJs, file } = this.#open;
    this.#open = undefined;
    await zipJs.close();
    file.close();
  }

  #read(file: FileRangeReader, z: ZipData, entry: TakeoutEntry, sink: ChunkSink): Promise<void> {
    const check = new EntryCheck(entry, entry.crc32, entry.size);
    if (z.entry) {
      // Encrypted or an unusual method: zip.js's own pipeline.
      const pipe = new TransformStream<Uint8Array, Uint8Array>();
      z.entry.getData(pipe.writable, { checkCrc32: false }).catch(() => {});
      return pumpStream(pipe.readable, sink, check);
    }
    if (z.method === STORED) {
      return this.#pump.pump(
        { path: this.path, offset: z.dataOffset, size: z.compressedSize },
        sink,
        // An archive is read once, front to back: around the page cache, with no kernel copy.
        { check, keepHandle: true, direct: true },
      );
    }
    const raw = file.createReadable({ offset: z.dataOffset, size: z.compressedSize });
    const inflated = raw.pipeThrough(
      new DecompressionStream("deflate-raw") as TransformStream<Uint8Array, Uint8Array>,
    );
    return pumpStream(inflated, sink, check);
  }

  /**
   * A JSON file's bytes: its local header and data in one read when the header's fields fit in
   * the slack read with it (they always do in Google's exports), else header first, then data.
   */
  async #readJson(file: FileRangeReader, entry: TakeoutEntry): Promise<Uint8Array> {
    const i = entry.ordinal!;
    const z = this.#data.get(i)!;
    if (Number.isNaN(z.dataOffset) && !z.entry && z.compressedSize <= SMALL_ENTRY_BYTES) {
      const at = this.#data.headerOffset(i);
      const buf = await file.readAt(at, LOCAL_HEADER + HEADER_SLACK + z.compressedSize);
      const off = dataStart(buf);
      if (off !== undefined && off + z.compressedSize <= buf.length) {
        z.dataOffset = at + off;
        this.#data.located(i, z.dataOffset);
        return checkedSmall(buf.subarray(off, off + z.compressedSize), z, entry);
      }
    }
    return await this.#readSmall(file, await this.#dataOf(entry), entry);
  }

  /** A small entry's bytes in one read, inflated and checked (size, CRC-32). */
  async #readSmall(file: FileRangeReader, z: ZipData, entry: TakeoutEntry): Promise<Uint8Array> {
    if (z.entry || z.compressedSize > SMALL_ENTRY_BYTES) {
      const parts: Uint8Array[] = [];
      await this.#read(file, z, entry, (chunk) => {
        parts.push(chunk.slice());
      });
      return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
    }
    return checkedSmall(await file.readAt(z.dataOffset, z.compressedSize), z, entry);
  }
}

/** A name that could point outside the folder it is read into (zip slip), or a Windows path. */
function unsafeName(name: string): boolean {
  return name.includes("\\") || name.startsWith("/") || /^[A-Za-z]:/.test(name) ||
    // Split only when there is a ".." to find: this runs for every entry of every part.
    (name.includes("..") && name.split("/").includes(".."));
}

async function isZipMagic(path: string): Promise<boolean> {
  try {
    const f = await Deno.open(path, { read: true });
    try {
      const buf = new Uint8Array(4);
      const n = await f.read(buf);
      return n === 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 3 && buf[3] === 4;
    } finally {
      f.close();
    }
  } catch {
    return false;
  }
}

async function probe(
  file: FileRangeReader,
  z: Listed,
  zipJs: ZipJsListing,
  opts: { late?: boolean } = {},
): Promise<ZipData> {
  const data: ZipData = {
    dataOffset: -1,
    compressedSize: z.compressedSize,
    method: z.method,
  };
  if (z.encrypted || (data.method !== STORED && data.method !== DEFLATED)) {
    data.entry = (z.js ?? await zipJs.at(z.index)) as FileEntry;
    return data;
  }
  // zip.js's own probe below finds the data offset too but allocates about 0.5 MB per call; it
  // remains the fallback for anything unexpected.
  const start = dataStart(await file.readAt(z.localHeaderOffset, LOCAL_HEADER));
  if (start !== undefined && z.localHeaderOffset + start + z.compressedSize <= file.size) {
    data.dataOffset = z.localHeaderOffset + start;
    return data;
  }
  // zip.js's listing is walked in order and its probe flags the shared file: one at a time, and a
  // late probe (pass two, or a JSON file read beside the scan) walks a listing of its own.
  return await file.exclusive(async () => {
    const own = opts.late && !z.js ? new ZipJsListing(file) : undefined;
    try {
      const fileEntry = (z.js ?? await (own ?? zipJs).at(z.index)) as FileEntry;
      file.probing = true;
      try {
        await fileEntry.getData(new WritableStream());
      } catch (err) {
        if (err !== PROBED) throw err;
      } finally {
        file.probing = false;
      }
      const offset = fileEntry.localDirectory?.dataOffset;
      if (offset === undefined) throw new Error(`Cannot locate the data of "${z.name}"`);
      data.dataOffset = offset;
      return data;
    } finally {
      await own?.close();
    }
  });
}
