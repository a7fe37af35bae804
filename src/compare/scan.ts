/**
 * Scanning a backup folder: every media file's size, SHA-256 and capture time, read with a
 * bounded pool and one fixed buffer per worker (flat memory whatever the file sizes), and skipped
 * when the scan cache says its path, size and mtime are unchanged since the last compare.
 */
import { join } from "node:path";
import type { EventSink } from "../events.ts";
import { silent } from "../events.ts";
import type { MediaIndex } from "../index/mod.ts";
import { isoUtc } from "../index/mod.ts";
import { splitExtension } from "../layout/mod.ts";
import { mediaTypeOfName } from "../media/media_type.ts";
import { exifTime, type FileTime, mp4CreationTime } from "../media/media_time.ts";
import { HASH_BUFFER_BYTES, HashBuffers, hashRest, sha256 } from "../files/hash.ts";
import { forEachLimited } from "../files/pool.ts";
import {
  type CachedFile,
  dropScanCache,
  loadScanCache,
  saveScanCache,
} from "../index/scan_cache_queries.ts";

/** Version of the reading code; cached results of an older version are read again. */
export const READER_VERSION = 1;

/** Bytes per read: large reads keep hashing near the disk's speed. */
export const READ_CHUNK = HASH_BUFFER_BYTES;

/** Bytes given to the EXIF reader; EXIF sits in the first segments of every format we read. */
const EXIF_HEAD = 256 * 1024;

/** Google's ` (n)` before the extension, as stripDupSuffix sees it. */
const DUP_SUFFIX = / \(([1-9]\d{0,2})\)$/;

/** One media file of the backup folder. */
export interface ScannedFile {
  /** Relative to FOLDER, "/"-separated. */
  path: string;
  /** The file name as found on disk. */
  name: string;
  size: number;
  mtimeMs: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  mediaType: "photo" | "video";
  /** ISO-8601 UTC from EXIF `DateTimeOriginal` or the MP4/MOV header; null when unknown. */
  captureTime: string | null;
  /** True when the file gave its UTC offset; else the time may be local wall-clock time. */
  timeZoned: boolean;
  /** n of a ` (n)` suffix in the name, else null. */
  dupNo: number | null;
  /** True when the cache answered and the file was not read. */
  cached: boolean;
}

/** A file the scan could not read. */
export interface ScanError {
  path: string;
  message: string;
}

/** What a scan found. */
export interface ScanResult {
  /** Real path of FOLDER. */
  root: string;
  /** Media files in folder order (names sorted within each folder). */
  files: ScannedFile[];
  errors: ScanError[];
  /** Files and bytes actually read (not answered by the cache). */
  filesRead: number;
  bytesRead: number;
  /** Files answered by the cache. */
  cached: number;
  /** Bytes of all media files found. */
  totalBytes: number;
}

/** Options of `scanFolder`. */
export interface ScanOptions {
  /** TARGET: its `albums/` and `comparison/` are skipped when FOLDER holds them. */
  target?: string;
  /** The index whose scan cache makes re-runs incremental; no cache without it. */
  index?: MediaIndex;
  /** Files read at once (default 8). */
  concurrency?: number;
  onEvent?: EventSink;
  signal?: AbortSignal;
  /** Called for each file actually read (tests count reads with it). */
  onRead?: (path: string) => void;
}

/** The n of a ` (n)` suffix before the extension (`IMG (2).jpg` → 2), else null. */
export function dupNumber(name: string): number | null {
  const m = DUP_SUFFIX.exec(splitExtension(name).stem);
  return m && m.index > 0 ? Number(m[1]) : null;
}

interface Entry {
  rel: string;
  abs: string;
  name: string;
  mediaType: "photo" | "video";
  size: number;
  mtimeMs: number;
  /** Set when the file vanished or turned out not to be a regular file before it was statted. */
  gone?: boolean;
}

/** Scans FOLDER recursively for media files; see the module comment. */
export async function scanFolder(folder: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const onEvent = opts.onEvent ?? silent;
  const root = await Deno.realPath(folder);
  const targetReal = opts.target ? await realPathOrUndefined(opts.target) : undefined;
  const errors: ScanError[] = [];

  const entries = await walk(root, targetReal, errors, opts.signal);
  const cache = opts.index ? loadScanCache(opts.index, root) : new Map<string, CachedFile>();

  let totalBytes = 0;
  let bytesToRead = 0;
  for (const e of entries) {
    totalBytes += e.size;
    if (!isFresh(cache.get(e.rel), e)) bytesToRead += e.size;
  }
  onEvent({ type: "phase", phase: "compare", total: entries.length, totalBytes: bytesToRead });

  const files: (ScannedFile | undefined)[] = new Array(entries.length);
  const pending: CachedFile[] = [];
  const flush = () => {
    if (opts.index && pending.length > 0) saveScanCache(opts.index, root, pending.splice(0));
  };
  let done = 0;
  let filesRead = 0;
  let bytesRead = 0;
  let cached = 0;
  let lastEvent = 0;
  const progress = (force: boolean) => {
    const now = performance.now();
    // A progress line per file would flood --json output on a large folder.
    if (!force && now - lastEvent < 200) return;
    lastEvent = now;
    onEvent({
      type: "progress",
      phase: "compare",
      done,
      total: entries.length,
      bytes: bytesRead,
      totalBytes: bytesToRead,
    });
  };

  // One buffer per file in flight: flat memory whatever the file sizes.
  const buffers = new HashBuffers(READ_CHUNK);
  const scanOne = async (e: Entry, i: number) => {
    const hit = cache.get(e.rel);
    if (hit && isFresh(hit, e)) {
      files[i] = toScanned(e, hit, true);
      cached++;
    } else {
      try {
        opts.onRead?.(e.rel);
        const read = await buffers.use((buffer) => readMedia(e, buffer));
        filesRead++;
        bytesRead += read.size;
        files[i] = toScanned(e, read.file, false);
        // A file that changed while it was read is reported but not cached: its stamp lies.
        if (read.stable) pending.push(read.file);
        if (pending.length >= 256) flush();
      } catch (err) {
        errors.push({ path: e.rel, message: (err as Error).message });
        onEvent({
          type: "warning",
          message: `Cannot read "${e.rel}": ${(err as Error).message}`,
        });
      }
    }
    done++;
    progress(false);
  };
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? 8, 64));
  try {
    await forEachLimited(entries, concurrency, scanOne, { signal: opts.signal });
  } finally {
    flush();
  }
  progress(true);

  if (opts.index) {
    const seen = new Set(entries.map((e) => e.rel));
    dropScanCache(opts.index, root, [...cache.keys()].filter((p) => !seen.has(p)));
  }
  const found = files.filter((f): f is ScannedFile => f !== undefined);
  return { root, files: found, errors, filesRead, bytesRead, cached, totalBytes };
}

function isFresh(hit: CachedFile | undefined, e: Entry): boolean {
  return hit !== undefined && hit.size === e.size && hit.mtimeMs === e.mtimeMs &&
    hit.reader === READER_VERSION;
}

function toScanned(e: Entry, c: CachedFile, cached: boolean): ScannedFile {
  return {
    path: e.rel,
    name: e.name,
    size: c.size,
    mtimeMs: c.mtimeMs,
    sha256: c.sha256,
    mediaType: e.mediaType,
    captureTime: c.captureTime,
    timeZoned: c.timeZoned,
    dupNo: dupNumber(e.name),
    cached,
  };
}

/** Reads one file: the capture time from its head (or its boxes), the hash from all of it. */
async function readMedia(
  e: Entry,
  buffer: Uint8Array,
): Promise<{ file: CachedFile; size: number; stable: boolean }> {
  using file = await Deno.open(e.abs, { read: true });
  let time: FileTime | undefined;
  const type = mediaTypeOfName(e.name);
  // MP4/QuickTime videos carry their capture time in the `mvhd` box, not in EXIF.
  if (type?.kind === "video" && type.container === "bmff") {
    time = await mp4CreationTime(file, e.size);
    await file.seek(0, Deno.SeekMode.Start);
  }
  const hash = sha256();
  const size = await hashRest(file, hash, {
    buffer,
    onChunk: async (chunk, offset) => {
      // Read before the buffer is reused: the head costs no extra I/O.
      if (offset === 0 && e.mediaType === "photo") {
        time = await exifTime(chunk.subarray(0, EXIF_HEAD));
      }
    },
  });
  const after = await file.stat();
  const mtimeMs = after.mtime?.getTime() ?? 0;
  return {
    file: {
      relPath: e.rel,
      size,
      mtimeMs: e.mtimeMs,
      sha256: hash.hex(),
      captureTime: time ? isoUtc(time.time) : null,
      timeZoned: time?.zoned ?? false,
      reader: READER_VERSION,
    },
    size,
    stable: size === e.size && after.size === e.size && mtimeMs === e.mtimeMs,
  };
}

/**
 * Lists media files under `root` depth-first with names sorted, and stats them. Dotfiles,
 * dot-folders and symlinks are skipped, and so are TARGET's own `albums/` and `comparison/`.
 */
async function walk(
  root: string,
  targetReal: string | undefined,
  errors: ScanError[],
  signal: AbortSignal | undefined,
): Promise<Entry[]> {
  const out: Entry[] = [];
  const stack: string[] = [""];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const rel = stack.pop()!;
    const abs = rel === "" ? root : join(root, rel);
    let names: Deno.DirEntry[];
    try {
      names = [];
      for await (const d of Deno.readDir(abs)) names.push(d);
    } catch (err) {
      errors.push({ path: rel || ".", message: (err as Error).message });
      continue;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const dirs: string[] = [];
    const media: Entry[] = [];
    for (const d of names) {
      if (d.name.startsWith(".") || d.isSymlink) continue;
      const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory) {
        if (targetReal && abs === targetReal && isTargetOutput(d.name)) continue;
        dirs.push(childRel);
      } else if (d.isFile) {
        const mediaType = mediaTypeOfName(d.name)?.kind;
        if (mediaType) {
          media.push({
            rel: childRel,
            abs: join(abs, d.name),
            name: d.name,
            mediaType,
            size: 0,
            mtimeMs: 0,
          });
        }
      }
    }
    await statAll(media, errors);
    for (const m of media) if (!m.gone) out.push(m);
    // Reversed so the stack pops folders in name order.
    for (let i = dirs.length - 1; i >= 0; i--) stack.push(dirs[i]);
  }
  return out;
}

function isTargetOutput(name: string): boolean {
  return name === "albums" || name === "comparison" || name.startsWith("comparison.tmp-") ||
    name.startsWith("comparison.old-");
}

/** Stats a folder's files, a few at a time; a file that vanished is marked gone. */
async function statAll(media: Entry[], errors: ScanError[]): Promise<void> {
  await forEachLimited(media, 32, async (m) => {
    try {
      const st = await Deno.lstat(m.abs);
      if (!st.isFile) {
        m.gone = true;
        return;
      }
      m.size = st.size;
      m.mtimeMs = st.mtime?.getTime() ?? 0;
    } catch (err) {
      m.gone = true;
      errors.push({ path: m.rel, message: (err as Error).message });
    }
  });
}

async function realPathOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await Deno.realPath(path);
  } catch {
    return undefined;
  }
}
