/**
 * Every part of a Takeout export (zip, tgz, extracted folder) as one virtual tree, keyed by the
 * path below the localised Google Photos folder (takeout-format.md §0.1, §1.1, §1.2). Pass one
 * lists the entries and parses the small JSON files; media bodies are read later (zip, folder:
 * `TakeoutTree.read`) or handed over while the archive is read front to back (tgz, which has no
 * index). zip.js parses the central directories (zip64 included); entry data is then read straight
 * from the file at the data offset, with size and CRC-32 checked.
 */
import { Reader, ZipReader } from "@zip.js/zip.js";
import type { Entry, FileEntry } from "@zip.js/zip.js";
import { createTarDecoder } from "modern-tar";
import { basename, join, relative, resolve } from "node:path";
import zlib from "node:zlib";
import { UsageError } from "../../errors.ts";
import type { EventSink } from "../../events.ts";
import { type JsonInfo, parseJsonFile } from "./metadata.ts";

/** How a part of the export is stored. */
export type SourceKind = "zip" | "tgz" | "tar" | "folder";

/** One file of the export. */
export interface TakeoutEntry {
  /** Path below the Google Photos folder, NFC, `/`-separated: `Photos from 2019/IMG_1.jpg`. */
  key: string;
  /** Folder part of `key` (`""` at the root). */
  dir: string;
  /** File name, NFC. */
  name: string;
  /** The localised Google Photos folder the entry sits in (`Google Fotos`), `""` when none. */
  root: string;
  size: number;
  mtime?: Date;
  /** The archive or folder as given on the command line. */
  source: string;
  kind: SourceKind;
  /** The entry's path inside its archive or folder, as stored, for messages. */
  inner: string;
  /** CRC-32 from the zip central directory. */
  crc32?: number;
  /** True when the body could only be read during pass one (tgz): `open()` refuses it. */
  streamed: boolean;
}

/** A JSON file of the export and what its content says it is. */
export interface JsonFile {
  entry: TakeoutEntry;
  info: JsonInfo;
}

/** Receives an entry's bytes; the chunk is reused once it returns. `true` stops the read. */
export type ChunkSink = (chunk: Uint8Array) => Promise<boolean | void> | boolean | void;

/** A part or entry that could not be read; the rest of the export still imports. */
export interface SourceProblem {
  source: string;
  /** The entry inside the archive, when one is to blame. */
  entry?: string;
  message: string;
}

/** The export as one tree. */
export interface TakeoutTree {
  /** Media entries below a Google Photos folder, in source order. */
  media: TakeoutEntry[];
  /** JSON files below a Google Photos folder, except the root files that are no sidecars. */
  json: JsonFile[];
  problems: SourceProblem[];
  /** Entries outside Google Photos (other products, `archive_browser.html`) and junk. */
  ignored: number;
  /**
   * Reads a zip or folder entry chunk by chunk into a reused buffer (no stream, no garbage per
   * chunk): a chunk is only valid until `sink` returns. Size and CRC-32 are checked at the end;
   * a `sink` returning `true` stops early, unchecked.
   */
  read(entry: TakeoutEntry, sink: ChunkSink): Promise<void>;
  /** Closes open archives. */
  close(): Promise<void>;
}

/** Options of `readTakeout`. */
export interface ReadTakeoutOptions {
  onEvent?: EventSink;
  /**
   * Receives each media body of a stream-only part (tgz) while pass one reads it; must consume or
   * cancel `body`. Without it the bodies are skipped.
   */
  onStreamedMedia?: (entry: TakeoutEntry, body: ReadableStream<Uint8Array>) => Promise<void>;
  /** Stops pass one (between entries); the abort reason is thrown. */
  signal?: AbortSignal;
}

/** Localised names of the Google Photos folder (takeout-format.md §1.2, immich-go#357). */
const PHOTOS_FOLDER_NAMES = new Set(
  [
    "Google Photos",
    "Google Fotos",
    "Google Foto",
    "Google Fotó",
    "Google Fotók",
    "Fotky Google",
    "Google Фото",
    "Google Снимки",
    "Google Zdjęcia",
    "Zdjęcia Google",
    "Google Kuvat",
    "Google Billeder",
    "Google Bilder",
    "Google Foton",
    "Google Φωτογραφίες",
    "Google Fotoğraflar",
    "Google 相册",
    "Google 相簿",
    "Google フォト",
    "Google 포토",
    "Google תמונות",
    "صور Google",
  ].map((n) => n.normalize("NFC").toLowerCase()),
);

/** `Photos from 2019`, and the localised forms some exports use (GPTH Neo 5.1.0). */
export const YEAR_FOLDER =
  /^(?:Photos from|Fotos von|Fotos del|Fotos de|Photos de|Foto dal|Foto del|Foto's uit|Zdjęcia z|Fotky z roku|Фото за) (?:1[89]|20)\d\d$/i;

/** Root files that are not sidecars (takeout-format.md §1.2). */
const ROOT_NON_SIDECARS = new Set([
  "print-subscriptions.json",
  "shared_album_comments.json",
  "user-generated-memory-titles.json",
]);

const TAKEOUT_FOLDER = /^Takeout(?: \d+)?$/;

/** Files that file managers and NAS boxes leave behind. */
function isJunk(segments: string[]): boolean {
  return segments.some((s) =>
    s === "__MACOSX" || s === ".DS_Store" || s.startsWith("._") || s === "@eaDir" ||
    s === "Thumbs.db" || s === "desktop.ini" || s === ".@__thumb" || s.startsWith("SYNOFILE_THUMB")
  );
}

interface Placed {
  root: string;
  rest: string[];
  /** Whether the root name alone says it is Google Photos. */
  known: boolean;
}

/**
 * Finds the Google Photos folder in a path: the folder right below `Takeout/` (or `Takeout 2/`…),
 * else a folder with a known localised name, else (`bare`) the first folder of a folder source.
 */
function place(segments: string[], bare: boolean): Placed | undefined {
  for (let i = 0; i + 2 < segments.length; i++) {
    if (TAKEOUT_FOLDER.test(segments[i])) {
      const root = segments[i + 1];
      return { root, rest: segments.slice(i + 2), known: isPhotosFolderName(root) };
    }
  }
  for (let i = 0; i + 1 < segments.length; i++) {
    if (isPhotosFolderName(segments[i])) {
      return { root: segments[i], rest: segments.slice(i + 1), known: true };
    }
  }
  if (bare && segments.length >= 2) {
    return { root: segments[0], rest: segments.slice(1), known: false };
  }
  if (segments.length >= 1) return { root: "", rest: segments, known: false };
  return undefined;
}

/** True for a localised name of the Google Photos folder. */
export function isPhotosFolderName(name: string): boolean {
  return PHOTOS_FOLDER_NAMES.has(name.normalize("NFC").toLowerCase());
}

function isJsonName(name: string): boolean {
  return name.toLowerCase().endsWith(".json");
}

/** Read size of entry bodies. */
const CHUNK_BYTES = 256 * 1024;

/** Zip central-directory reads go through one handle; entry bodies open their own. */
class FileRangeReader extends Reader<string> {
  #path: string;
  #file: Deno.FsFile | undefined;

  constructor(path: string) {
    super(path);
    this.#path = path;
  }

  override async init(): Promise<void> {
    this.#file = await Deno.open(this.#path, { read: true });
    this.size = (await this.#file.stat()).size;
  }

  override readUint8Array(index: number, length: number): Promise<Uint8Array> {
    return Promise.resolve(this.readSync(index, length));
  }

  /**
   * Reads synchronously: zip.js asks for headers and directories, many small reads where the
   * round trip of an async read would cost more than the read itself. Never interleaves.
   */
  readSync(index: number, length: number): Uint8Array {
    const file = this.#file!;
    const n = Math.max(0, Math.min(length, this.size - index));
    const buf = new Uint8Array(n);
    file.seekSync(index, Deno.SeekMode.Start);
    let off = 0;
    while (off < n) {
      const r = file.readSync(buf.subarray(off));
      if (r === null) break;
      off += r;
    }
    return off === n ? buf : buf.subarray(0, off);
  }

  /** While set, zip.js may read headers but no entry data (see `probe`). */
  probing = false;

  /** A range as a native stream on its own handle, so entries can be read side by side. */
  override createReadable(
    options: { offset?: number; size?: number; chunkSize?: number } = {},
  ): ReadableStream<Uint8Array> {
    if (this.probing) {
      return new ReadableStream({
        start(controller) {
          controller.error(PROBED);
        },
      });
    }
    const start = options.offset ?? 0;
    const end = options.size === undefined ? this.size : Math.min(this.size, start + options.size);
    const path = this.#path;
    let file: Deno.FsFile | undefined;
    let pos = start;
    const chunk = Math.max(64 * 1024, Math.min(options.chunkSize ?? CHUNK_BYTES, CHUNK_BYTES));
    return new ReadableStream<Uint8Array>({
      // type-bytes-removed
      async pull(controller) {
        if (!file) {
          file = await Deno.open(path, { read: true });
          await file.seek(start, Deno.SeekMode.Start);
        }
        const want = Math.min(chunk, end - pos);
        if (want <= 0) {
          file.close();
          file = undefined;
          controller.close();
          return;
        }
        const buf = new Uint8Array(want);
        const r = await file.read(buf);
        if (r === null) {
          file.close();
          file = undefined;
          controller.close();
          return;
        }
        pos += r;
        controller.enqueue(r === want ? buf : buf.subarray(0, r));
      },
      cancel() {
        file?.close();
        file = undefined;
      },
    });
  }

  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}

/** What one source found in pass one, before the Google Photos folders are decided. */
interface Pending {
  entry: TakeoutEntry;
  known: boolean;
  json?: JsonInfo;
}

interface SourceState {
  path: string;
  kind: SourceKind;
  pending: Pending[];
  zip?: {
    reader: ZipReader<unknown>;
    file: FileRangeReader;
    entries: Map<TakeoutEntry, ZipData>;
  };
  folder?: string;
}

function kindOf(path: string, info: Deno.FileInfo): SourceKind | undefined {
  if (info.isDirectory) return "folder";
  const lower = path.toLowerCase();
  if (lower.endsWith(".zip")) return "zip";
  if (lower.endsWith(".tgz") || lower.endsWith(".tar.gz")) return "tgz";
  if (lower.endsWith(".tar")) return "tar";
  return undefined;
}

function makeEntry(
  placed: Placed,
  fields: Omit<TakeoutEntry, "key" | "dir" | "name" | "root" | "streamed"> & { streamed?: boolean },
): TakeoutEntry {
  const rest = placed.rest.map((s) => s.normalize("NFC"));
  const name = rest[rest.length - 1];
  const dir = rest.slice(0, -1).join("/");
  return {
    key: rest.join("/"),
    dir,
    name,
    root: placed.root.normalize("NFC"),
    streamed: false,
    ...fields,
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
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

/**
 * Where an entry's data is, from zip.js. zip.js's entry objects hold every header field (about
 * 8 KB each), so only this is kept: 100,000 entries stay a few megabytes.
 */
interface ZipData {
  dataOffset: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32?: number;
  method: number;
  /** Kept only for what is read through zip.js's own pipeline (encrypted, unusual methods). */
  entry?: FileEntry;
}

/** Thrown into zip.js to stop `getData` once the local header is read, before any data. */
const PROBED = new Error("local header probed");

/** Reads a zip's central directory, each entry's local header, and its JSON files. */
async function scanZip(
  state: SourceState,
  problems: SourceProblem[],
  signal?: AbortSignal,
): Promise<void> {
  const file = new FileRangeReader(state.path);
  const reader = new ZipReader(file, { useWebWorkers: false, filenameEncoding: "utf-8" });
  const entries = new Map<TakeoutEntry, ZipData>();
  state.zip = { reader, file, entries };
  let listed = 0;
  try {
    for await (const z of reader.getEntriesGenerator()) {
      signal?.throwIfAborted();
      listed++;
      if (z.directory) continue;
      const segments = z.filename.split("/").filter((s) => s !== "");
      if (segments.length === 0 || isJunk(segments)) continue;
      const placed = place(segments, false);
      if (!placed) continue;
      const entry = makeEntry(placed, {
        size: z.uncompressedSize,
        mtime: z.lastModDate,
        source: state.path,
        kind: "zip",
        inner: z.filename,
        crc32: z.crc32,
      });
      let data: ZipData;
      try {
        data = await probe(file, z);
      } catch (err) {
        problems.push({ source: state.path, entry: z.filename, message: describe(err) });
        continue;
      }
      entries.set(entry, data);
      const p: Pending = { entry, known: placed.known };
      state.pending.push(p);
      if (isJsonName(entry.name) && !skipJson(entry)) {
        try {
          p.json = parseJsonFile(new TextDecoder().decode(await readSmallEntry(file, data, entry)));
        } catch (err) {
          problems.push({ source: state.path, entry: entry.inner, message: describe(err) });
          p.json = { kind: "other" };
        }
      }
    }
  } catch (err) {
    if (signal?.aborted) throw err;
    if (listed === 0 && !(await isZipMagic(state.path))) {
      await closeZip(state);
      throw new UsageError(
        `Cannot read "${state.path}": not a zip archive (${describe(err)})`,
        { cause: err },
      );
    }
    problems.push({
      source: state.path,
      message: `archive is truncated or corrupt, its listing is unreadable: ${describe(err)}`,
    });
  }
}

async function closeZip(state: SourceState): Promise<void> {
  if (!state.zip) return;
  const { reader, file } = state.zip;
  state.zip = undefined;
  await reader.close().catch(() => {});
  file.close();
  closeHandles(state.path);
}

/** zip.js reads and checks an entry's local header; the data offset is all that is kept. */
async function probe(file: FileRangeReader, z: Entry): Promise<ZipData> {
  const fileEntry = z as FileEntry;
  const data: ZipData = {
    dataOffset: -1,
    compressedSize: z.compressedSize,
    uncompressedSize: z.uncompressedSize,
    crc32: z.crc32,
    method: z.compressionMethod,
  };
  if (z.encrypted || (data.method !== STORED && data.method !== DEFLATED)) {
    data.entry = fileEntry;
    return data;
  }
  // The fixed part of the local header gives the data offset (APPNOTE 4.3.7: name and extra
  // field lengths at bytes 26 and 28). zip.js's own probe below does the same but allocates
  // about 0.5 MB per call; it remains the fallback for anything unexpected.
  const head = file.readSync(z.offset, 30);
  if (
    head.length === 30 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4
  ) {
    const view = new DataView(head.buffer, head.byteOffset, 30);
    const offset = z.offset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
    if (offset + z.compressedSize <= file.size) {
      data.dataOffset = offset;
      return data;
    }
  }
  file.probing = true;
  try {
    await fileEntry.getData(new WritableStream());
  } catch (err) {
    if (err !== PROBED) throw err;
  } finally {
    file.probing = false;
  }
  const offset = fileEntry.localDirectory?.dataOffset;
  if (offset === undefined) throw new Error(`Cannot locate the data of "${z.filename}"`);
  data.dataOffset = offset;
  return data;
}

/** Sidecars larger than this are streamed rather than read in one piece. */
const SMALL_ENTRY_BYTES = 4 * 1024 * 1024;

/** A small entry's bytes in one read, inflated and checked (size, CRC-32). */
async function readSmallEntry(
  file: FileRangeReader,
  z: ZipData,
  entry: TakeoutEntry,
): Promise<Uint8Array> {
  if (z.entry || z.compressedSize > SMALL_ENTRY_BYTES) {
    const parts: Uint8Array[] = [];
    await readZipEntry(file, z, entry, (chunk) => {
      parts.push(chunk.slice());
    });
    return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
  }
  const raw = file.readSync(z.dataOffset, z.compressedSize);
  if (raw.length !== z.compressedSize) throw new Error(`entry "${entry.inner}" is cut short`);
  const data = z.method === DEFLATED ? new Uint8Array(zlib.inflateRawSync(raw)) : raw;
  const check = new Checker(entry, z.crc32, z.uncompressedSize);
  check.update(data);
  check.finish();
  return data;
}

function skipJson(entry: TakeoutEntry): boolean {
  return entry.dir === "" && ROOT_NON_SIDECARS.has(entry.name.toLowerCase());
}

/** Walks an extracted folder and reads its JSON files. */
async function scanFolder(
  state: SourceState,
  problems: SourceProblem[],
  signal?: AbortSignal,
): Promise<void> {
  const top = resolve(state.path);
  state.folder = top;
  const base = basename(top);
  const walk = async (dir: string): Promise<void> => {
    let items: Deno.DirEntry[];
    try {
      items = await Array.fromAsync(Deno.readDir(dir));
    } catch (err) {
      problems.push({ source: state.path, entry: relative(top, dir), message: describe(err) });
      return;
    }
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const item of items) {
      signal?.throwIfAborted();
      const full = join(dir, item.name);
      if (item.isDirectory) {
        if (!isJunk([item.name])) await walk(full);
        continue;
      }
      if (!item.isFile) continue;
      const rel = relative(top, full).split(/[\\/]/);
      if (isJunk(rel)) continue;
      const placed = place([base, ...rel], true);
      if (!placed) continue;
      let info: Deno.FileInfo;
      try {
        info = await Deno.stat(full);
      } catch (err) {
        problems.push({ source: state.path, entry: rel.join("/"), message: describe(err) });
        continue;
      }
      const entry = makeEntry(placed, {
        size: info.size,
        mtime: info.mtime ?? undefined,
        source: state.path,
        kind: "folder",
        inner: rel.join("/"),
      });
      const p: Pending = { entry, known: placed.known };
      if (isJsonName(entry.name) && !skipJson(entry)) {
        try {
          p.json = parseJsonFile(await Deno.readTextFile(full));
        } catch (err) {
          problems.push({ source: state.path, entry: entry.inner, message: describe(err) });
          p.json = { kind: "other" };
        }
      }
      state.pending.push(p);
    }
  };
  await walk(top);
}

/** Reads a tar (gzipped or not) front to back once: JSON parsed, media handed over. */
async function scanTar(
  state: SourceState,
  problems: SourceProblem[],
  onStreamedMedia: ReadTakeoutOptions["onStreamedMedia"],
  signal?: AbortSignal,
): Promise<void> {
  const file = await Deno.open(state.path, { read: true });
  let stream: ReadableStream<Uint8Array> = file.readable;
  if (state.kind === "tgz") stream = gunzip(stream);
  // Strict: a body cut by the end of the data fails instead of ending short.
  const decoder = createTarDecoder({ strict: true });
  // Fed by hand, not piped: an error upstream would abort the decoder and drop the entries it
  // still buffers (up to 1 MB). Ending its input instead lets it deliver every whole entry and
  // fail on the one the cut went through.
  let upstreamError: unknown;
  const feeding = (async () => {
    const writer = decoder.writable.getWriter();
    const reader = stream.getReader();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          upstreamError = err;
          break;
        }
        if (chunk.done) break;
        await writer.write(chunk.value);
      }
      await writer.close();
    } catch {
      // The decoder failed or was cancelled; the loop below reports it.
      await reader.cancel().catch(() => {});
    }
  })();
  let current: string | undefined;
  let currentPending: Pending | undefined;
  let last: string | undefined;
  let seen = 0;
  const report = (err: unknown) => {
    if (currentPending) {
      // Its bytes never arrived whole: leave it out, so its sidecar shows up as unpaired.
      state.pending.splice(state.pending.indexOf(currentPending), 1);
    }
    problems.push({
      source: state.path,
      entry: current ?? (last ? `after "${last}"` : undefined),
      message: `archive is truncated or corrupt: ${describe(upstreamError ?? err)}`,
    });
  };
  try {
    for await (const t of decoder.readable) {
      signal?.throwIfAborted();
      current = t.header.name;
      currentPending = undefined;
      const type = t.header.type ?? "file";
      const segments = t.header.name.split("/").filter((s) => s !== "" && s !== ".");
      const placed = type === "file" && segments.length > 0 && !isJunk(segments)
        ? place(segments, false)
        : undefined;
      seen++;
      if (!placed) {
        await t.body.cancel();
        last = current;
        current = undefined;
        continue;
      }
      const entry = makeEntry(placed, {
        size: t.header.size,
        mtime: t.header.mtime,
        source: state.path,
        kind: state.kind,
        inner: t.header.name,
        streamed: true,
      });
      const p: Pending = { entry, known: placed.known };
      state.pending.push(p);
      currentPending = p;
      if (isJsonName(entry.name)) {
        if (skipJson(entry)) {
          await t.body.cancel();
        } else {
          const text = await new Response(exactLength(t.body, t.header.size)).text();
          try {
            p.json = parseJsonFile(text);
          } catch (err) {
            problems.push({ source: state.path, entry: entry.inner, message: describe(err) });
            p.json = { kind: "other" };
          }
        }
      } else if (onStreamedMedia) {
        await onStreamedMedia(entry, exactLength(t.body, t.header.size));
      } else {
        await t.body.cancel();
      }
      last = current;
      current = undefined;
      currentPending = undefined;
    }
    await feeding;
    // Cut exactly between two entries: the decoder saw a clean end, the gzip trailer did not.
    if (upstreamError) report(upstreamError);
  } catch (err) {
    if (signal?.aborted) {
      await decoder.readable.cancel().catch(() => {});
      throw err;
    }
    if (seen === 0) {
      throw new UsageError(
        `Cannot read "${state.path}": not a ${state.kind === "tgz" ? "gzipped " : ""}tar archive (${
          describe(upstreamError ?? err)
        })`,
        { cause: err },
      );
    }
    report(err);
    await decoder.readable.cancel().catch(() => {});
  } finally {
    await feeding.catch(() => {});
    try {
      file.close();
    } catch {
      // Already closed by the finished stream.
    }
  }
}

/** A body that fails unless it carries exactly `size` bytes. */
function exactLength(body: ReadableStream<Uint8Array>, size: number): ReadableStream<Uint8Array> {
  let got = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        got += chunk.byteLength;
        controller.enqueue(chunk);
      },
      flush() {
        if (got !== size) throw new Error(`entry is cut short: ${got} of ${size} bytes`);
      },
    }),
  );
}

const IDLE = Symbol("idle");

/**
 * Gunzips without losing data to an error. A stream that errors drops what it still queues, so
 * the decompressor is only closed (and checks the gzip trailer) once everything it produced has
 * been read: a cut archive then fails exactly where its readable data ends, and every entry before
 * the cut is delivered whole.
 */
export function gunzip(input: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const ds = new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>;
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  let inputDone = false;
  let waiting = false;
  let closing = false;
  let inputError: unknown;
  const closeWhenDrained = () => {
    if (inputDone && waiting && !closing) {
      closing = true;
      writer.close().catch(() => {});
    }
  };
  (async () => {
    try {
      for await (const chunk of input) await writer.write(chunk);
      inputDone = true;
      closeWhenDrained();
    } catch (err) {
      inputError = err;
      await writer.abort(err).catch(() => {});
    }
  })();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = reader.read();
        // A read on a non-empty queue is already settled; only an empty queue may trigger close.
        let result = await Promise.race([next, Promise.resolve(IDLE)]);
        if (result === IDLE) {
          waiting = true;
          closeWhenDrained();
          result = await next;
          waiting = false;
        }
        const { done, value } = result as ReadableStreamReadResult<Uint8Array>;
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        waiting = false;
        controller.error(inputError ?? err);
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      await input.cancel(reason).catch(() => {});
    },
  });
}

/** Folders whose content says they are a Google Photos folder. */
function photosRoots(states: SourceState[]): Set<string> {
  const roots = new Set<string>();
  for (const s of states) {
    for (const p of s.pending) {
      const e = p.entry;
      const first = e.dir.split("/")[0];
      if (
        p.known || p.json?.kind === "sidecar" || p.json?.kind === "album" ||
        YEAR_FOLDER.test(first) ||
        (e.dir === "" && ROOT_NON_SIDECARS.has(e.name.toLowerCase()))
      ) {
        roots.add(rootId(s, e));
      }
    }
  }
  return roots;
}

/** Roots with a name unify across parts; a nameless root (a bare archive) is its own. */
function rootId(s: SourceState, e: TakeoutEntry): string {
  return e.root === "" ? `\0${s.path}` : e.root.toLowerCase();
}

/**
 * Pass one over every part: lists entries, parses JSON, and decides which folders are Google
 * Photos. A path that is missing, of an unknown kind, or holds no Google Photos Takeout is a
 * `UsageError`; a truncated or corrupt part becomes a problem and the rest goes on.
 */
export async function readTakeout(
  paths: string[],
  opts: ReadTakeoutOptions = {},
): Promise<TakeoutTree> {
  if (paths.length === 0) throw new UsageError("No Takeout archive or folder given");
  const states: SourceState[] = [];
  for (const path of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (err) {
      throw new UsageError(`Cannot read "${path}": ${describe(err)}`, { cause: err });
    }
    const kind = kindOf(path, info);
    if (!kind) {
      throw new UsageError(
        `Cannot read "${path}": expected a .zip, .tgz, .tar.gz or .tar archive or a folder`,
      );
    }
    states.push({ path, kind, pending: [] });
  }
  const problems: SourceProblem[] = [];
  const tree: TakeoutTree = {
    media: [],
    json: [],
    problems,
    ignored: 0,
    read: (entry, sink) => readEntry(states, entry, sink),
    close: async () => {
      for (const s of states) await closeZip(s);
    },
  };
  try {
    // Random-access parts first, so a tgz's media can be paired with their sidecars anywhere.
    for (const s of states) {
      opts.onEvent?.({ type: "info", message: `Reading "${s.path}"` });
      if (s.kind === "zip") await scanZip(s, problems, opts.signal);
      else if (s.kind === "folder") await scanFolder(s, problems, opts.signal);
    }
    for (const s of states) {
      if (s.kind === "tgz" || s.kind === "tar") {
        await scanTar(s, problems, opts.onStreamedMedia, opts.signal);
      }
    }
    const roots = photosRoots(states);
    for (const s of states) {
      let kept = 0;
      for (const p of s.pending) {
        if (!roots.has(rootId(s, p.entry))) {
          tree.ignored++;
          continue;
        }
        kept++;
        if (isJsonName(p.entry.name)) {
          if (p.json) tree.json.push({ entry: p.entry, info: p.json });
          else tree.ignored++;
        } else if (p.entry.name.toLowerCase().endsWith(".html")) {
          tree.ignored++;
        } else {
          tree.media.push(p.entry);
        }
      }
      const broken = problems.some((pr) => pr.source === s.path);
      if (kept === 0 && !broken) {
        throw new UsageError(
          `"${s.path}" is not a Google Photos Takeout: it has no Google Photos folder, photo sidecars or year folders`,
        );
      }
    }
  } catch (err) {
    await tree.close();
    throw err;
  }
  return tree;
}

const STORED = 0;
const DEFLATED = 8;
/** Buffer of one `read()`: big enough that the per-read cost of an async read is noise. */
const PUMP_BYTES = 1024 * 1024;

/** Size and CRC-32 of bytes as they pass, compared with what the archive says at the end. */
class Checker {
  #crc = 0;
  #got = 0;
  constructor(
    readonly entry: TakeoutEntry,
    readonly crc32: number | undefined,
    readonly size: number,
  ) {}
  update(chunk: Uint8Array): void {
    this.#crc = zlib.crc32(chunk, this.#crc);
    this.#got += chunk.byteLength;
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

/** Read buffers, reused from entry to entry: a fresh zeroed megabyte per read costs real time. */
const bufferPool: Uint8Array[] = [];

function takeBuffer(): Uint8Array {
  return bufferPool.pop() ?? new Uint8Array(PUMP_BYTES);
}

function giveBuffer(buf: Uint8Array): void {
  if (bufferPool.length < 16) bufferPool.push(buf);
}

/** Open read handles per file, reused from entry to entry (one per concurrent read). */
const handlePool = new Map<string, Deno.FsFile[]>();

async function takeHandle(path: string): Promise<Deno.FsFile> {
  return handlePool.get(path)?.pop() ?? await Deno.open(path, { read: true });
}

function giveHandle(path: string, file: Deno.FsFile): void {
  const list = handlePool.get(path) ?? [];
  if (list.length >= 8) {
    file.close();
    return;
  }
  list.push(file);
  handlePool.set(path, list);
}

/** Closes the pooled handles of a file. */
function closeHandles(path: string): void {
  for (const f of handlePool.get(path) ?? []) {
    try {
      f.close();
    } catch {
      // Closed already.
    }
  }
  handlePool.delete(path);
}

/** Reads `size` bytes at `offset` of a file into reused buffers. */
async function pumpRange(
  path: string,
  offset: number,
  size: number,
  sink: ChunkSink,
  check?: Checker,
  pooled = false,
): Promise<void> {
  const file = pooled ? await takeHandle(path) : await Deno.open(path, { read: true });
  // Two buffers: the next read runs (off the main thread) while the sink hashes this chunk.
  const bufs = [takeBuffer(), takeBuffer()];
  let pending: Promise<number | null> | undefined;
  let ok = false;
  try {
    await file.seek(offset, Deno.SeekMode.Start);
    let left = size;
    let turn = 0;
    const readInto = (buf: Uint8Array) =>
      file.read(left < buf.length ? buf.subarray(0, left) : buf);
    pending = left > 0 ? readInto(bufs[0]) : undefined;
    while (pending) {
      const r = await pending;
      pending = undefined;
      if (r === null) break;
      const chunk = bufs[turn].subarray(0, r);
      left -= r;
      turn ^= 1;
      pending = left > 0 ? readInto(bufs[turn]) : undefined;
      check?.update(chunk);
      if ((await sink(chunk)) === true) {
        ok = true;
        return;
      }
    }
    if (left > 0 && !check) throw new Error(`File "${path}" ended ${left} bytes early`);
    check?.finish();
    ok = true;
  } finally {
    // A read still in flight must land before its buffer and handle are reused.
    await pending?.catch(() => {});
    for (const b of bufs) giveBuffer(b);
    if (pooled && ok) giveHandle(path, file);
    else file.close();
  }
}

/** Feeds a stream's chunks to a sink, in order; the sink returning true stops it early. */
export async function pumpStream(
  stream: ReadableStream<Uint8Array>,
  sink: ChunkSink,
  check?: Checker,
): Promise<void> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      check?.update(value);
      if ((await sink(value)) === true) {
        await reader.cancel().catch(() => {});
        return;
      }
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
  check?.finish();
}

async function readEntry(
  states: SourceState[],
  entry: TakeoutEntry,
  sink: ChunkSink,
): Promise<void> {
  if (entry.streamed) {
    throw new TypeError(`Cannot reopen "${entry.inner}" of "${entry.source}": it was streamed`);
  }
  const s = states.find((st) => st.path === entry.source);
  if (!s) throw new TypeError(`Unknown source "${entry.source}"`);
  if (s.kind === "folder") {
    const path = join(s.folder!, entry.inner);
    // The size may have changed since pass one: read what is there now.
    const size = (await Deno.stat(path)).size;
    return pumpRange(path, 0, size, sink);
  }
  const z = s.zip?.entries.get(entry);
  if (!z) throw new TypeError(`Unknown entry "${entry.inner}" of "${entry.source}"`);
  return readZipEntry(s.zip!.file, z, entry, sink);
}

/** Reads a zip entry's data straight from the file, at the offset zip.js found. */
function readZipEntry(
  file: FileRangeReader,
  z: ZipData,
  entry: TakeoutEntry,
  sink: ChunkSink,
): Promise<void> {
  const check = new Checker(entry, z.crc32, z.uncompressedSize);
  if (z.entry) {
    // Encrypted or an unusual method: zip.js's own pipeline.
    const pipe = new TransformStream<Uint8Array, Uint8Array>();
    z.entry.getData(pipe.writable, { checkCrc32: false }).catch(() => {});
    return pumpStream(pipe.readable, sink, check);
  }
  if (z.method === STORED) {
    return pumpRange(entry.source, z.dataOffset, z.compressedSize, sink, check, true);
  }
  const raw = file.createReadable({ offset: z.dataOffset, size: z.compressedSize });
  const inflated = raw.pipeThrough(
    new DecompressionStream("deflate-raw") as TransformStream<Uint8Array, Uint8Array>,
  );
  return pumpStream(inflated, sink, check);
}
