/**
 * Every part of a Takeout export (zip, tgz, extracted folder) as one virtual tree, keyed by the
 * path below the localised Google Photos folder (takeout-format.md §0.1, §1.1, §1.2). Pass one
 * lists the entries and parses the small JSON files; media bodies are opened later (zip, folder)
 * or handed over while the archive is read front to back (tgz, which has no index).
 */
import { Reader, TextWriter, ZipReader } from "@zip.js/zip.js";
import type { FileEntry } from "@zip.js/zip.js";
import { createTarDecoder } from "modern-tar";
import { basename, join, relative, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import type { EventSink } from "../events.ts";
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
  /** The body of a zip or folder entry; errors surface while reading the stream. */
  open(entry: TakeoutEntry): Promise<ReadableStream<Uint8Array>>;
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

/** Zip central-directory reads go through one handle; entry bodies open their own. */
class FileRangeReader extends Reader<string> {
  #path: string;
  #file: Deno.FsFile | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    super(path);
    this.#path = path;
  }

  override async init(): Promise<void> {
    this.#file = await Deno.open(this.#path, { read: true });
    this.size = (await this.#file.stat()).size;
  }

  override readUint8Array(index: number, length: number): Promise<Uint8Array> {
    // seek + read on one handle must not interleave.
    const job = this.#queue.then(() => this.#read(index, length));
    this.#queue = job.catch(() => {});
    return job;
  }

  async #read(index: number, length: number): Promise<Uint8Array> {
    const file = this.#file!;
    const n = Math.max(0, Math.min(length, this.size - index));
    const buf = new Uint8Array(n);
    await file.seek(index, Deno.SeekMode.Start);
    let off = 0;
    while (off < n) {
      const r = await file.read(buf.subarray(off));
      if (r === null) break;
      off += r;
    }
    return off === n ? buf : buf.subarray(0, off);
  }

  /** A range as a native stream on its own handle, so entries can be read side by side. */
  override createReadable(
    options: { offset?: number; size?: number; chunkSize?: number } = {},
  ): ReadableStream<Uint8Array> {
    const start = options.offset ?? 0;
    const end = options.size === undefined ? this.size : Math.min(this.size, start + options.size);
    const path = this.#path;
    let file: Deno.FsFile | undefined;
    let pos = start;
    const chunk = Math.max(64 * 1024, options.chunkSize ?? 512 * 1024);
    return new ReadableStream<Uint8Array>({
      type: "bytes",
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
    entries: Map<TakeoutEntry, FileEntry>;
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

/** Reads a zip's central directory and its JSON files. */
async function scanZip(state: SourceState, problems: SourceProblem[]): Promise<void> {
  const file = new FileRangeReader(state.path);
  const reader = new ZipReader(file, { useWebWorkers: false, filenameEncoding: "utf-8" });
  let listing: Awaited<ReturnType<typeof reader.getEntries>>;
  try {
    listing = await reader.getEntries();
  } catch (err) {
    file.close();
    if (!(await isZipMagic(state.path))) {
      throw new UsageError(
        `Cannot read "${state.path}": not a zip archive (${describe(err)})`,
        { cause: err },
      );
    }
    problems.push({
      source: state.path,
      message: `archive is truncated or corrupt, its listing is unreadable: ${describe(err)}`,
    });
    return;
  }
  const entries = new Map<TakeoutEntry, FileEntry>();
  state.zip = { reader, file, entries };
  for (const z of listing) {
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
    entries.set(entry, z as FileEntry);
    const p: Pending = { entry, known: placed.known };
    state.pending.push(p);
  }
  // JSON files are small; read them in listing order, which is file order.
  for (const p of state.pending) {
    if (!isJsonName(p.entry.name) || skipJson(p.entry)) continue;
    const z = entries.get(p.entry)!;
    try {
      const text = await z.getData(new TextWriter(), { checkCrc32: true });
      p.json = parseJsonFile(text);
    } catch (err) {
      problems.push({ source: state.path, entry: p.entry.inner, message: describe(err) });
      p.json = { kind: "other" };
    }
  }
}

function skipJson(entry: TakeoutEntry): boolean {
  return entry.dir === "" && ROOT_NON_SIDECARS.has(entry.name.toLowerCase());
}

/** Walks an extracted folder and reads its JSON files. */
async function scanFolder(state: SourceState, problems: SourceProblem[]): Promise<void> {
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
    open: (entry) => openEntry(states, entry),
    close: async () => {
      for (const s of states) {
        if (s.zip) {
          await s.zip.reader.close();
          s.zip.file.close();
        }
      }
    },
  };
  try {
    // Random-access parts first, so a tgz's media can be paired with their sidecars anywhere.
    for (const s of states) {
      opts.onEvent?.({ type: "info", message: `Reading "${s.path}"` });
      if (s.kind === "zip") await scanZip(s, problems);
      else if (s.kind === "folder") await scanFolder(s, problems);
    }
    for (const s of states) {
      if (s.kind === "tgz" || s.kind === "tar") await scanTar(s, problems, opts.onStreamedMedia);
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

async function openEntry(
  states: SourceState[],
  entry: TakeoutEntry,
): Promise<ReadableStream<Uint8Array>> {
  if (entry.streamed) {
    throw new TypeError(`Cannot reopen "${entry.inner}" of "${entry.source}": it was streamed`);
  }
  const s = states.find((st) => st.path === entry.source);
  if (!s) throw new TypeError(`Unknown source "${entry.source}"`);
  if (s.kind === "folder") {
    const f = await Deno.open(join(s.folder!, entry.inner), { read: true });
    return f.readable;
  }
  const z = s.zip?.entries.get(entry);
  if (!z) throw new TypeError(`Unknown entry "${entry.inner}" of "${entry.source}"`);
  const pipe = new TransformStream<Uint8Array, Uint8Array>();
  // getData rejects when the entry is corrupt; the error reaches the reader through the stream.
  z.getData(pipe.writable, { checkCrc32: true }).catch(() => {});
  return pipe.readable;
}
