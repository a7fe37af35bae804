/**
 * Atomic file writes inside TARGET (SPEC "Writes are atomic"): bytes stream to a dot-named temporary
 * file in the destination folder, SHA-256 is computed while streaming, and the file is renamed to its
 * final name only once complete. A killed run leaves at most a temporary file, never a partial file
 * under a final name. No fsync: the guarantee is against a killed process, not a power cut.
 */
import { basename, dirname, join } from "node:path";
import { isInside, truncateUtf8 } from "../layout/mod.ts";
import { type FileDigest, hashRest, type Sha256, sha256, sha256Hex } from "./hash.ts";

export type { FileDigest } from "./hash.ts";

/** Every temporary file ends with this; its name starts with a dot so scanners skip it. */
export const TEMP_SUFFIX = ".gphotos-tmp";

/** Room for the dot, the hash and the suffix within a 255-byte name. */
const TEMP_STEM_BYTES = 200;

/** Options of `TempFile.open`. */
export interface TempFileOptions {
  /** Keep the bytes of a temporary file left by an earlier attempt (their hash is recomputed). */
  resume?: boolean;
}

/** Options of `TempFile.append`. */
export interface AppendOptions {
  signal?: AbortSignal;
  /** Told of every chunk written, for progress. */
  onBytes?: (n: number) => void;
  /**
   * Read a byte stream into one reused buffer (no garbage per chunk: flat memory on huge files).
   * Only for streams that answer BYOB reads properly, such as `fetch` bodies and Deno files.
   */
  byob?: boolean;
}

/** Options of `TempFile.commit` and `writeAtomic`. */
export interface CommitOptions {
  /** The length the server declared; a different byte count refuses the rename. */
  expectedSize?: number;
  /** The capture time, given to the file as mtime. */
  mtime?: Date;
}

/** Options of `writeAtomic`. */
export interface WriteAtomicOptions extends CommitOptions {
  signal?: AbortSignal;
}

/** The byte count differs from the declared length: the transfer was cut or the server lied. */
export class IncompleteFileError extends Error {
  readonly expected: number;
  readonly actual: number;
  constructor(path: string, expected: number, actual: number) {
    super(`File "${path}" is incomplete: got ${actual} bytes, expected ${expected}`);
    this.name = "IncompleteFileError";
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * The absolute final path of `relPath` in `target`, or a RangeError when `relPath` is absolute, has a
 * `..` component or otherwise could escape TARGET (a tampered index, a hostile name).
 */
export function resolveInside(target: string, relPath: string): string {
  if (!isInside(target, relPath) || relPath.startsWith("/") || relPath.startsWith("\\")) {
    throw new RangeError(`Path "${relPath}" is not inside "${target}"`);
  }
  return join(target, relPath);
}

/** The temporary name of a final file name: stable, so a later run can find and resume it. */
export function tempNameFor(name: string): string {
  const tag = sha256Hex(name).slice(0, 8);
  return `.${truncateUtf8(name, TEMP_STEM_BYTES)}.${tag}${TEMP_SUFFIX}`;
}

/** Whether a directory entry is one of our temporary files. */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
}

/** A temporary file on its way to a final name inside TARGET. */
export class TempFile {
  /** Absolute final path. */
  readonly finalPath: string;
  /** Absolute temporary path, in the same folder. */
  readonly tempPath: string;
  #file: Deno.FsFile;
  #hash: Sha256;
  #size: number;
  #closed = false;

  private constructor(
    finalPath: string,
    tempPath: string,
    file: Deno.FsFile,
    hash: Sha256,
    size: number,
  ) {
    this.finalPath = finalPath;
    this.tempPath = tempPath;
    this.#file = file;
    this.#hash = hash;
    this.#size = size;
  }

  /**
   * Opens the temporary file for `relPath` (creating folders), refusing a path outside TARGET or a
   * folder that resolves outside it through a symlink. With `resume`, bytes already there are kept
   * and re-hashed; otherwise it starts empty.
   */
  static async open(
    target: string,
    relPath: string,
    opts: TempFileOptions = {},
  ): Promise<TempFile> {
    const finalPath = resolveInside(target, relPath);
    const dir = dirname(finalPath);
    await Deno.mkdir(dir, { recursive: true });
    await assertRealInside(target, dir, relPath);
    const tempPath = join(dir, tempNameFor(basename(finalPath)));
    const file = await Deno.open(tempPath, {
      read: true,
      write: true,
      create: true,
      truncate: !opts.resume,
    });
    try {
      const hash = sha256();
      // Re-hash what an earlier attempt wrote, streaming so memory stays flat.
      const size = opts.resume ? await hashRest(file, hash) : 0;
      await file.seek(size, Deno.SeekMode.Start);
      return new TempFile(finalPath, tempPath, file, hash, size);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends a body, hashing as it goes. If the stream fails midway, the bytes received so far stay
   * written and counted (so the caller may resume with a Range request) and the error is rethrown.
   */
  async append(
    body: ReadableStream<Uint8Array>,
    opts: AppendOptions = {},
  ): Promise<number> {
    this.#assertOpen();
    // After a failed write the file may hold more than was counted: continue from what was.
    await this.#file.seek(this.#size, Deno.SeekMode.Start);
    let written = 0;
    const take = async (value: Uint8Array) => {
      await writeAll(this.#file, value);
      this.#hash.update(value);
      this.#size += value.byteLength;
      written += value.byteLength;
      opts.onBytes?.(value.byteLength);
    };
    const byob = opts.byob ? byobReader(body) : undefined;
    if (byob) {
      // One buffer per transfer, reused: no garbage per chunk, so memory stays flat on huge files.
      let buf = new ArrayBuffer(CHUNK_BYTES);
      try {
        for (;;) {
          opts.signal?.throwIfAborted();
          const { done, value } = await byob.read(new Uint8Array(buf));
          if (done || !value) break;
          await take(value);
          buf = value.buffer as ArrayBuffer;
        }
      } catch (err) {
        await byob.cancel().catch(() => {});
        throw err;
      } finally {
        byob.releaseLock();
      }
      return written;
    }
    const reader = body.getReader();
    try {
      for (;;) {
        opts.signal?.throwIfAborted();
        const { done, value } = await reader.read();
        if (done) break;
        await take(value);
      }
    } catch (err) {
      await reader.cancel().catch(() => {});
      throw err;
    } finally {
      reader.releaseLock();
    }
    return written;
  }

  /** Drops the bytes written so far, to start again from byte 0 (the server ignored a Range). */
  async restart(): Promise<void> {
    this.#assertOpen();
    await this.#file.truncate(0);
    await this.#file.seek(0, Deno.SeekMode.Start);
    this.#hash = sha256();
    this.#size = 0;
  }

  /**
   * Gives the file its mtime and renames it to the final name, but only when the byte count matches
   * `expectedSize` (when given); otherwise throws IncompleteFileError and leaves the temporary file.
   */
  async commit(opts: CommitOptions = {}): Promise<FileDigest> {
    this.#assertOpen();
    if (opts.expectedSize !== undefined && opts.expectedSize !== this.#size) {
      throw new IncompleteFileError(this.finalPath, opts.expectedSize, this.#size);
    }
    const digest = { size: this.#size, sha256: this.#hash.hex() };
    this.close();
    if (opts.mtime && !Number.isNaN(opts.mtime.getTime())) {
      await Deno.utime(this.tempPath, opts.mtime, opts.mtime);
    }
    await Deno.rename(this.tempPath, this.finalPath);
    return digest;
  }

  /** Closes and deletes the temporary file. */
  async discard(): Promise<void> {
    this.close();
    await Deno.remove(this.tempPath).catch(() => {});
  }

  /** Closes the handle, keeping the temporary file for a later resume. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#file.close();
    } catch {
      // Already closed by a failed operation.
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new TypeError(`Temporary file "${this.tempPath}" is closed`);
  }
}

/**
 * Streams `body` to `TARGET/relPath` atomically: temporary file, SHA-256 while streaming, rename only
 * when complete (and matching `expectedSize`), mtime set. On any failure the temporary file is removed.
 */
export async function writeAtomic(
  target: string,
  relPath: string,
  body: ReadableStream<Uint8Array>,
  opts: WriteAtomicOptions = {},
): Promise<FileDigest> {
  const temp = await TempFile.open(target, relPath);
  try {
    await temp.append(body, { signal: opts.signal });
    return await temp.commit(opts);
  } catch (err) {
    await temp.discard();
    throw err;
  }
}

/** The size of the temporary file left for `relPath` by an earlier attempt, or 0. */
export async function tempSizeFor(target: string, relPath: string): Promise<number> {
  const finalPath = resolveInside(target, relPath);
  try {
    const info = await Deno.stat(join(dirname(finalPath), tempNameFor(basename(finalPath))));
    return info.isFile ? info.size : 0;
  } catch {
    return 0;
  }
}

/**
 * Removes our temporary files from `dir` (not recursive) except those whose final name is in `keep`;
 * returns the names removed. A missing folder has none.
 */
export async function cleanTempFiles(
  dir: string,
  opts: { keep?: ReadonlySet<string> } = {},
): Promise<string[]> {
  const removed: string[] = [];
  const keepTemp = new Set([...(opts.keep ?? [])].map(tempNameFor));
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !isTempName(entry.name) || keepTemp.has(entry.name)) continue;
      try {
        await Deno.remove(join(dir, entry.name));
        removed.push(entry.name);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return removed;
    throw err;
  }
  return removed;
}

/** Size of the buffer a byte stream is read into. */
const CHUNK_BYTES = 64 * 1024;

/** A BYOB reader when the stream is a byte stream (fetch bodies are), else undefined. */
function byobReader(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return body.getReader({ mode: "byob" });
  } catch {
    return undefined;
  }
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) offset += await file.write(data.subarray(offset));
}

/** A folder of TARGET could be a symlink pointing out of it; writing through it would escape. */
async function assertRealInside(target: string, dir: string, relPath: string): Promise<void> {
  const [realTarget, realDir] = await Promise.all([Deno.realPath(target), Deno.realPath(dir)]);
  if (realDir !== realTarget && !isInside(realTarget, realDir)) {
    throw new RangeError(`Path "${relPath}" resolves outside "${target}"`);
  }
}
