/**
 * The one atomic writer of TARGET (SPEC "Writes are atomic"): bytes stream to a temporary file in
 * `TARGET/.gphotos-tmp/` (on TARGET's file system, where no item can land), SHA-256 is computed
 * while streaming, the data is synced to disk and only then is the file renamed to its final name.
 * A killed run or a power cut leaves at most a temporary file, never a partial file under a final
 * name. Every folder written into is checked to resolve inside TARGET before anything is made.
 */
import { lstatOrUndefined } from "./file_info.ts";
import { dirname, join } from "node:path";
import { type FileDigest, type Sha256, sha256 } from "./hash.ts";
import {
  againIfGone,
  makeCheckedDirInside,
  makeDirInside,
  resolveDirInside,
  resolveInside,
} from "./inside_target.ts";
import {
  crossDeviceError,
  isUnderTempDir,
  prepareTempDir,
  TEMP_DIR,
  tempPathFor,
  uniqueTempName,
} from "./temp_names.ts";
import { BodyReadError, IncompleteFileError } from "./write_errors.ts";

// Where they lived before the writer was split; importers need not change.
export { resolveInside } from "./inside_target.ts";
export {
  cleanTempFiles,
  isTempName,
  TEMP_DIR,
  tempNameFor,
  tempPathFor,
  tempSizeFor,
} from "./temp_names.ts";
export { BodyReadError, IncompleteFileError } from "./write_errors.ts";

export type { FileDigest } from "./hash.ts";

/** Options of `TempFile.open`. */
export interface TempFileOptions {
  /** Keep the bytes of a temporary file left by an earlier attempt (their hash is recomputed). */
  resume?: boolean;
  /** Permission bits of the new file (such as 0o600 for the token), not left to the umask alone. */
  mode?: number;
  /**
   * With `resume`: keep hashing and writing on from this many bytes, leaving the bytes after them
   * in place (the ranges of a split transfer, written at their offsets).
   */
  prefix?: number;
}

/** Options of `TempFile.create`. */
export interface CreateTempOptions {
  /** What the file is, for messages (the temporary name holds nothing of it). */
  hint: string;
  /** Permission bits of the new file. */
  mode?: number;
  /**
   * Check each folder once for the whole run rather than for every file (see `checks` in
   * inside_target.ts): for an import writing thousands of files, which calls `forgetChecks` as it
   * starts, so every run checks afresh.
   */
  checkOnce?: boolean;
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
  /** Stop once the file holds this many bytes (read before every chunk; the rest is cancelled). */
  until?: () => number;
  /** Awaited after every chunk when it returns a promise: the bandwidth limit. */
  throttle?: (n: number) => Promise<void> | undefined;
}

/** Options of `TempFile.finish`. */
export interface FinishOptions {
  /** The length the server declared; a different byte count refuses the rename. */
  expectedSize?: number;
  /** Hash the whole file from disk (ranges were written beside the streamed head). */
  whole?: boolean;
}

/** Options of `TempFile.commit` and `writeAtomic`. */
export interface CommitOptions extends FinishOptions {
  /** The capture time, given to the file as mtime. */
  mtime?: Date;
  /**
   * The final path relative to TARGET, when it was not known at `open` (staged files, whose name
   * depends on their content); it replaces a file there.
   */
  path?: string;
}

/** A temporary file on its way to a final name inside TARGET. */
export class TempFile {
  /** TARGET, as given. */
  readonly target: string;
  /** Absolute final path; undefined until `commit` names it (see `create`). */
  readonly finalPath: string | undefined;
  /** Absolute temporary path, in `TARGET/.gphotos-tmp/` (or a folder under it given to `create`). */
  readonly tempPath: string;
  #relPath: string;
  #file: Deno.FsFile;
  #hash: Sha256;
  #size: number;
  #closed = false;
  #digest: FileDigest | undefined;
  /** The data is on disk (`finish`). */
  #synced = false;
  /** The mtime `ready` gave the file, in ms. */
  #mtime: number | undefined;
  /** The absolute folder `ready` made and checked. */
  #readyDir: string | undefined;
  /** A write failed: the file may hold more than was counted, and the hash does. */
  #stale = false;
  /** Folders are checked once per run (`CreateTempOptions.checkOnce`). */
  #checkOnce = false;

  private constructor(
    target: string,
    relPath: string,
    paths: { finalPath?: string; tempPath: string },
    file: Deno.FsFile,
  ) {
    this.target = target;
    this.#relPath = relPath;
    this.finalPath = paths.finalPath;
    this.tempPath = paths.tempPath;
    this.#file = file;
    this.#hash = sha256();
    this.#size = 0;
  }

  /**
   * Opens the temporary file for `relPath`, refusing a path outside TARGET, a folder that resolves
   * outside it through a symlink (before anything is made) or one on another file system than the
   * temporary folder. With `resume`, bytes already there are kept and re-hashed; otherwise it starts
   * empty. The final folder is made by `commit`.
   */
  static async open(
    target: string,
    relPath: string,
    opts: TempFileOptions = {},
  ): Promise<TempFile> {
    const finalPath = resolveInside(target, relPath);
    const tempPath = tempPathFor(target, relPath);
    const prepare = () => prepareTempDir(target, dirname(tempPath), dirname(finalPath), relPath);
    await prepare();
    // Opening follows a symlink: one planted under the temporary name would be written through.
    if ((await lstatOrUndefined(tempPath))?.isSymlink) await Deno.remove(tempPath);
    const file = await againIfGone(target, prepare, () =>
      Deno.open(tempPath, {
        read: true,
        write: true,
        create: true,
        truncate: !opts.resume,
        mode: opts.mode,
      }));
    const temp = new TempFile(target, relPath, { finalPath, tempPath }, file);
    try {
      if (opts.mode !== undefined) await setMode(tempPath, opts.mode);
      if (opts.resume) await temp.#rehash(opts.prefix);
      return temp;
    } catch (err) {
      temp.close();
      throw err;
    }
  }

  /**
   * Creates a new temporary file with a name unique to this process, for a file headed to the folder
   * `relDir` of TARGET (checked like `open`'s) or, when `relDir` is a folder under `.gphotos-tmp/`
   * (Takeout staging), kept there; `commit({ path })` names it later. For files whose final name
   * depends on their content, and for small files two processes may write at once.
   */
  static async create(
    target: string,
    relDir: string,
    opts: CreateTempOptions,
  ): Promise<TempFile> {
    const dir = resolveDirInside(target, relDir);
    // Named by where the file is headed, which is what a reader of the message knows.
    const label = dir === target ? opts.hint : `${relDir}/${opts.hint}`;
    const inTemp = isUnderTempDir(relDir);
    const holder = inTemp ? dir : join(target, TEMP_DIR);
    const prepare = () =>
      prepareTempDir(target, holder, inTemp ? undefined : dir, label, { once: opts.checkOnce });
    await prepare();
    const tempPath = join(holder, uniqueTempName());
    const file = await againIfGone(target, prepare, () =>
      Deno.open(tempPath, {
        read: true,
        write: true,
        createNew: true,
        mode: opts.mode,
      }));
    const temp = new TempFile(target, label, { tempPath }, file);
    temp.#checkOnce = opts.checkOnce === true;
    if (opts.mode !== undefined) {
      await setMode(tempPath, opts.mode).catch(async (err) => {
        await temp.discard();
        throw err;
      });
    }
    return temp;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#size;
  }

  /** Writes one chunk at the end, hashing it; the caller may reuse the chunk once this resolves. */
  async write(chunk: Uint8Array): Promise<void> {
    this.#assertOpen();
    // The write runs off the main thread while the hash runs on it.
    const written = writeAll(this.#file, chunk);
    this.#hash.update(chunk);
    try {
      await written;
    } catch (err) {
      // The hash holds a chunk the count does not: hash again what was counted before going on.
      this.#stale = true;
      throw err;
    }
    this.#size += chunk.byteLength;
  }

  /**
   * Appends a body, hashing as it goes. If reading the body fails midway, the bytes received so far
   * stay written and counted (so the caller may resume with a Range request) and a BodyReadError is
   * thrown; a failed write (a full disk) is thrown as it is.
   */
  async append(
    body: ReadableStream<Uint8Array>,
    opts: AppendOptions = {},
  ): Promise<number> {
    this.#assertOpen();
    // After a failed write the file may hold more than was counted: continue from what was.
    if (this.#stale) await this.#rehash(this.#size);
    let written = 0;
    const until = opts.until;
    /** Writes a chunk, or the part of it below `until`; false once the file is long enough. */
    const take = async (value: Uint8Array): Promise<boolean> => {
      if (until) {
        const room = until() - this.#size;
        if (room <= 0) return false;
        if (value.byteLength > room) value = value.subarray(0, room);
      }
      await this.write(value);
      written += value.byteLength;
      opts.onBytes?.(value.byteLength);
      const wait = opts.throttle?.(value.byteLength);
      if (wait) await wait;
      return until === undefined || this.#size < until();
    };
    const label = this.#relPath;
    const byob = opts.byob ? byobReader(body) : undefined;
    if (byob) {
      // One buffer per transfer, reused: no garbage per chunk, so memory stays flat on huge files.
      let buf = new ArrayBuffer(CHUNK_BYTES);
      try {
        for (;;) {
          opts.signal?.throwIfAborted();
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await byob.read(new Uint8Array(buf));
          } catch (err) {
            throw new BodyReadError(label, err);
          }
          if (chunk.done || !chunk.value) break;
          if (!await take(chunk.value)) {
            await byob.cancel().catch(() => {});
            break;
          }
          buf = chunk.value.buffer as ArrayBuffer;
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
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          throw new BodyReadError(label, err);
        }
        if (chunk.done) break;
        if (!await take(chunk.value)) {
          await reader.cancel().catch(() => {});
          break;
        }
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
    this.#stale = false;
  }

  /**
   * Ends writing without syncing: checks the byte count against `expectedSize`
   * (IncompleteFileError, the file stays open) and returns the digest; calling it again does too.
   * The file stays open for `finish`; `close` may close it first (`finish` then reopens it to sync).
   */
  async complete(opts: FinishOptions = {}): Promise<FileDigest> {
    if (this.#digest) return this.#digest;
    this.#assertOpen();
    if (opts.whole) await this.#rehash();
    if (opts.expectedSize !== undefined && opts.expectedSize !== this.#size) {
      throw new IncompleteFileError(this.finalPath ?? this.tempPath, opts.expectedSize, this.#size);
    }
    if (this.#stale) {
      await this.#rehash(this.#size);
      await this.#file.truncate(this.#size);
    }
    this.#digest = { size: this.#size, sha256: this.#hash.hex() };
    return this.#digest;
  }

  /**
   * Ends writing (see `complete`), syncs the data to disk and closes the file. Returns the digest;
   * calling it again does too.
   */
  async finish(opts: FinishOptions = {}): Promise<FileDigest> {
    const digest = await this.complete(opts);
    if (!this.#synced) {
      // Before the rename: a power cut must not leave a final name on a file whose data never landed.
      if (this.#closed) {
        using file = await Deno.open(this.tempPath, { read: true, write: true });
        await file.syncData();
      } else {
        await this.#file.syncData();
      }
      this.#synced = true;
    }
    this.close();
    return digest;
  }

  /**
   * Does before the final name is known what `commit` would do after: finishes (syncs) the file,
   * gives it `mtime` and makes (and checks) the folder `dir` of TARGET. Many files can get ready
   * side by side, so their syncs share the disk's flushes, leaving `commit` only the rename.
   */
  async ready(opts: { dir?: string; mtime?: Date } = {}): Promise<void> {
    await this.finish();
    if (opts.mtime && !Number.isNaN(opts.mtime.getTime())) {
      await Deno.utime(this.tempPath, opts.mtime, opts.mtime);
      this.#mtime = opts.mtime.getTime();
    }
    if (opts.dir !== undefined) {
      const dir = resolveDirInside(this.target, opts.dir);
      await this.#makeDir(dir, opts.dir);
      this.#readyDir = dir;
    }
  }

  /**
   * Finishes the file (see `finish`), gives it its mtime and renames it to its final name (or
   * `opts.path`), after checking that folder resolves inside TARGET. On a failure the temporary
   * file stays, for the caller to resume or discard.
   */
  async commit(opts: CommitOptions = {}): Promise<FileDigest> {
    const digest = await this.finish(opts);
    const relPath = opts.path ?? this.#relPath;
    const finalPath = opts.path !== undefined
      ? resolveInside(this.target, opts.path)
      : this.finalPath;
    if (finalPath === undefined) {
      throw new TypeError(`Temporary file "${this.tempPath}" has no final name`);
    }
    if (
      opts.mtime && !Number.isNaN(opts.mtime.getTime()) && opts.mtime.getTime() !== this.#mtime
    ) {
      await Deno.utime(this.tempPath, opts.mtime, opts.mtime);
    }
    const dir = dirname(finalPath);
    const make = () => this.#makeDir(dir, relPath);
    if (dir !== this.#readyDir) await make();
    try {
      await againIfGone(this.target, make, () => Deno.rename(this.tempPath, finalPath));
    } catch (err) {
      if (isCrossDevice(err)) throw crossDeviceError(this.tempPath, finalPath);
      throw err;
    }
    return digest;
  }

  #makeDir(dir: string, relPath: string): Promise<void> {
    return this.#checkOnce
      ? makeCheckedDirInside(this.target, dir, relPath)
      : makeDirInside(this.target, dir, relPath);
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

  /** Hashes the first `upTo` bytes (all when undefined) again, streaming so memory stays flat. */
  async #rehash(upTo?: number): Promise<void> {
    await this.#file.seek(0, Deno.SeekMode.Start);
    const hash = sha256();
    const buf = new Uint8Array(256 * 1024);
    let size = 0;
    for (;;) {
      const want = upTo === undefined ? buf.length : Math.min(buf.length, upTo - size);
      if (want === 0) break;
      const n = await this.#file.read(buf.subarray(0, want));
      if (n === null) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
    this.#hash = hash;
    this.#size = size;
    this.#stale = false;
    await this.#file.seek(size, Deno.SeekMode.Start);
  }

  #assertOpen(): void {
    if (this.#closed) throw new TypeError(`Temporary file "${this.tempPath}" is closed`);
  }
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

/** `chmod` as well as the open mode, so a restrictive umask is not all that is relied on. */
async function setMode(path: string, mode: number): Promise<void> {
  if (Deno.build.os !== "windows") await Deno.chmod(path, mode);
}

function isCrossDevice(err: unknown): boolean {
  return err instanceof Error &&
    ((err as { code?: string }).code === "EXDEV" || /cross-device|EXDEV/i.test(err.message));
}
