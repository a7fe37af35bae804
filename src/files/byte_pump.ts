/**
 * Moving bytes chunk by chunk from a stream or a file range into a sink, with reused buffers and
 * handles: at a few hundred MB/s a fresh zeroed megabyte or a new open per read costs real time.
 */

import { alignedBuffer, DIRECT_ALIGN, PositionalFile } from "./positional_file.ts";

/** Receives bytes; the chunk is reused once it returns. `true` stops the read. */
export type ChunkSink = (chunk: Uint8Array) => Promise<boolean | void> | boolean | void;

/** A source of bytes: calls `sink` with each chunk, in order, awaiting it before reusing it. */
export type ChunkPump = (sink: ChunkSink) => Promise<void>;

/**
 * Sees every chunk as it passes; `finish` runs once the source ended (not after an early stop)
 * and throws when the bytes are not what was promised (a size, a checksum).
 */
export interface ByteCheck {
  update(chunk: Uint8Array): void;
  finish(): void;
}

/** Feeds a stream's chunks to a sink, in order; the sink returning true stops it early. */
export async function pumpStream(
  stream: ReadableStream<Uint8Array>,
  sink: ChunkSink,
  check?: ByteCheck,
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

/** A byte range of a file. */
export interface FileRange {
  path: string;
  offset: number;
  size: number;
}

/** Options of `RangePump.pump`. */
export interface RangePumpOptions {
  /** Checks the bytes; with it, a file that ends early is left for `finish` to report. */
  check?: ByteCheck;
  /** Keep the file open for the next ranges of it (many entries of one archive). */
  keepHandle?: boolean;
  /**
   * With `keepHandle`: read around the page cache where the file system allows it (see
   * `PositionalOpenOptions.direct`), for a big file read once. The sink still gets the range's
   * bytes only.
   */
  direct?: boolean;
}

/** Buffer of one `read()`: big enough that the per-read cost of an async read is noise. */
const PUMP_BYTES = 1024 * 1024;
const MAX_BUFFERS = 16;

/**
 * Reads file ranges into reused buffers, keeping files open between ranges: positional reads, so
 * ranges of one archive read side by side share its one handle. One per reader (an import), so
 * nothing outlives it: `close` closes the files it kept.
 */
export class RangePump {
  #buffers: Uint8Array[] = [];
  /** Buffers of direct reads: aligned, and `DIRECT_ALIGN` longer for a range's unaligned ends. */
  #alignedBuffers: Uint8Array[] = [];
  /** Files kept open (or being opened), by path. */
  #files = new Map<string, PositionalFile | Promise<PositionalFile>>();

  /** Reads `range` into `sink`, two buffers in turn. */
  async pump(range: FileRange, sink: ChunkSink, opts: RangePumpOptions = {}): Promise<void> {
    const { path, offset, size } = range;
    const { check, keepHandle = false } = opts;
    const file = keepHandle
      ? await this.#keptFile(path, opts.direct === true)
      : await PositionalFile.open(path);
    const direct = file.direct;
    // Two buffers: the next read runs (off the main thread) while the sink hashes this chunk.
    const bufs = [this.#takeBuffer(file), this.#takeBuffer(file)];
    let pending: Promise<Uint8Array> | undefined;
    try {
      let left = size;
      let turn = 0;
      /** The next up to PUMP_BYTES of the range, read into `buf`; empty at the file's end. */
      const readInto = async (buf: Uint8Array): Promise<Uint8Array> => {
        const at = offset + size - left;
        const want = Math.min(left, PUMP_BYTES);
        if (!direct) return buf.subarray(0, await file.read(buf.subarray(0, want), at));
        // Aligned around the range: the bytes before and after it are read and left out.
        const skip = at % DIRECT_ALIGN;
        const length = Math.ceil((skip + want) / DIRECT_ALIGN) * DIRECT_ALIGN;
        const got = await file.read(buf.subarray(0, length), at - skip);
        return buf.subarray(skip, Math.max(skip, Math.min(got, skip + want)));
      };
      pending = left > 0 ? readInto(bufs[0]) : undefined;
      while (pending) {
        const chunk = await pending;
        pending = undefined;
        if (chunk.length === 0) break;
        left -= chunk.length;
        turn ^= 1;
        pending = left > 0 ? readInto(bufs[turn]) : undefined;
        check?.update(chunk);
        if ((await sink(chunk)) === true) return;
      }
      if (left > 0 && !check) throw new Error(`File "${path}" ended ${left} bytes early`);
      check?.finish();
    } finally {
      // A read still in flight must land before its buffer is reused.
      await pending?.catch(() => {});
      for (const b of bufs) this.#giveBuffer(b, direct);
      if (!keepHandle) file.close();
    }
  }

  /** Closes every kept file; the pump can still be used (it opens them again). */
  close(): void {
    const files = [...this.#files.values()];
    this.#files.clear();
    for (const f of files) {
      if (f instanceof PositionalFile) f.close();
      else f.then((file) => file.close(), () => {});
    }
  }

  #takeBuffer(file: PositionalFile): Uint8Array {
    if (!file.direct) return this.#buffers.pop() ?? new Uint8Array(PUMP_BYTES);
    return this.#alignedBuffers.pop() ?? alignedBuffer(PUMP_BYTES + DIRECT_ALIGN);
  }

  #giveBuffer(buf: Uint8Array, aligned: boolean): void {
    const pool = aligned ? this.#alignedBuffers : this.#buffers;
    if (pool.length < MAX_BUFFERS) pool.push(buf);
  }

  async #keptFile(path: string, direct: boolean): Promise<PositionalFile> {
    const kept = this.#files.get(path);
    if (kept) return await kept;
    const opening = PositionalFile.open(path, { direct });
    this.#files.set(path, opening);
    try {
      const file = await opening;
      if (this.#files.get(path) === opening) this.#files.set(path, file);
      return file;
    } catch (err) {
      // A file that would not open is tried again by the next range.
      if (this.#files.get(path) === opening) this.#files.delete(path);
      throw err;
    }
  }
}

/** A pump that also keeps the first `limit` bytes it passes on, so a caller can look at them. */
export function keepingHead(
  pump: ChunkPump,
  limit: number,
): { pump: ChunkPump; head: () => Uint8Array } {
  const kept = new Uint8Array(limit);
  let got = 0;
  return {
    pump: (sink) =>
      pump((chunk) => {
        if (got < kept.length) {
          const part = chunk.subarray(0, kept.length - got);
          kept.set(part, got);
          got += part.length;
        }
        return sink(chunk);
      }),
    head: () => kept.subarray(0, got),
  };
}
