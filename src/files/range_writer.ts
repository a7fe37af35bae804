/**
 * Positional writes into a temporary file: a byte range of a split transfer streams into the same
 * temporary file as the head, at its own offset, through a handle of its own (so no two writers
 * share a file position). The whole file is hashed once before its rename (`finish({ whole })`).
 */
import type { TempFile } from "./atomic_file.ts";
import { BodyReadError } from "./write_errors.ts";

/** Options of `RangeWriter.append`. */
export interface RangeAppendOptions {
  signal?: AbortSignal;
  /** Stop at this offset (read before every chunk: a range may be split again while it runs). */
  until: () => number;
  /** Told of every chunk written, with the offset reached. */
  onBytes?: (n: number, pos: number) => void;
  /** Awaited after every chunk when it returns a promise: the bandwidth limit. */
  throttle?: (n: number) => Promise<void> | undefined;
}

/** Writes a body into a temporary file from an offset on. */
export class RangeWriter {
  readonly #file: Deno.FsFile;
  readonly #label: string;
  #pos: number;

  private constructor(file: Deno.FsFile, pos: number, label: string) {
    this.#file = file;
    this.#pos = pos;
    this.#label = label;
  }

  /** Opens a second handle on `temp`'s file, positioned at `offset`; refuses a swapped-in symlink. */
  static async open(temp: TempFile, offset: number): Promise<RangeWriter> {
    const info = await Deno.lstat(temp.tempPath);
    if (!info.isFile) throw new Error(`Temporary file "${temp.tempPath}" is not a plain file`);
    const file = await Deno.open(temp.tempPath, { write: true });
    try {
      const opened = await file.stat();
      // Opening follows a symlink planted between the check and the open: the same file or nothing.
      if (opened.ino !== info.ino || opened.dev !== info.dev) {
        throw new Error(`Temporary file "${temp.tempPath}" changed while it was opened`);
      }
      await file.seek(offset, Deno.SeekMode.Start);
    } catch (err) {
      file.close();
      throw err;
    }
    return new RangeWriter(file, offset, temp.tempPath);
  }

  /** The offset the next byte goes to. */
  get pos(): number {
    return this.#pos;
  }

  /**
   * Writes `body` from the current offset until `until()` or its end. A failed read is thrown as
   * BodyReadError with the bytes before it written and counted, so the range can resume.
   */
  async append(body: ReadableStream<Uint8Array>, opts: RangeAppendOptions): Promise<void> {
    const reader = body.getReader({ mode: "byob" });
    let buf = new ArrayBuffer(64 * 1024);
    try {
      for (;;) {
        opts.signal?.throwIfAborted();
        const room = opts.until() - this.#pos;
        if (room <= 0) {
          await reader.cancel().catch(() => {});
          return;
        }
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read(new Uint8Array(buf));
        } catch (err) {
          throw new BodyReadError(this.#label, err);
        }
        if (chunk.done || !chunk.value) return;
        // Read again: a split while this read waited moves the end closer.
        const value = chunk.value.subarray(0, Math.max(0, opts.until() - this.#pos));
        let off = 0;
        while (off < value.byteLength) off += await this.#file.write(value.subarray(off));
        this.#pos += value.byteLength;
        opts.onBytes?.(value.byteLength, this.#pos);
        const wait = opts.throttle?.(value.byteLength);
        if (wait) await wait;
        buf = chunk.value.buffer as ArrayBuffer;
      }
    } catch (err) {
      await reader.cancel().catch(() => {});
      throw err;
    } finally {
      reader.releaseLock();
    }
  }

  /** Closes the handle (the data is synced when the whole file is finished). */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // Already closed.
    }
  }
}
