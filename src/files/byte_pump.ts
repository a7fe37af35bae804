/**
 * Moving bytes chunk by chunk from a stream or a file range into a sink, with reused buffers and
 * handles: at a few hundred MB/s a fresh zeroed megabyte or a new open per read costs real time.
 */

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
  /** Keep the handle open for the next range of the same file (many entries of one archive). */
  keepHandle?: boolean;
}

/** Buffer of one `read()`: big enough that the per-read cost of an async read is noise. */
const PUMP_BYTES = 1024 * 1024;
const MAX_BUFFERS = 16;
const MAX_HANDLES_PER_FILE = 8;

/**
 * Reads file ranges into reused buffers, keeping read handles open between ranges. One per
 * reader (an import), so nothing outlives it: `close` closes the handles it kept.
 */
export class RangePump {
  #buffers: Uint8Array[] = [];
  /** Open read handles per file (one per concurrent read). */
  #handles = new Map<string, Deno.FsFile[]>();

  /** Reads `range` into `sink`, two buffers in turn. */
  async pump(range: FileRange, sink: ChunkSink, opts: RangePumpOptions = {}): Promise<void> {
    const { path, offset, size } = range;
    const { check, keepHandle = false } = opts;
    const file = keepHandle ? await this.#takeHandle(path) : await Deno.open(path, { read: true });
    // Two buffers: the next read runs (off the main thread) while the sink hashes this chunk.
    const bufs = [this.#takeBuffer(), this.#takeBuffer()];
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
      for (const b of bufs) this.#giveBuffer(b);
      if (keepHandle && ok) this.#giveHandle(path, file);
      else file.close();
    }
  }

  /** Closes every kept handle; the pump can still be used (it opens new ones). */
  close(): void {
    for (const list of this.#handles.values()) {
      for (const f of list) {
        try {
          f.close();
        } catch {
          // Closed already.
        }
      }
    }
    this.#handles.clear();
  }

  #takeBuffer(): Uint8Array {
    return this.#buffers.pop() ?? new Uint8Array(PUMP_BYTES);
  }

  #giveBuffer(buf: Uint8Array): void {
    if (this.#buffers.length < MAX_BUFFERS) this.#buffers.push(buf);
  }

  async #takeHandle(path: string): Promise<Deno.FsFile> {
    return this.#handles.get(path)?.pop() ?? await Deno.open(path, { read: true });
  }

  #giveHandle(path: string, file: Deno.FsFile): void {
    const list = this.#handles.get(path) ?? [];
    if (list.length >= MAX_HANDLES_PER_FILE) {
      file.close();
      return;
    }
    list.push(file);
    this.#handles.set(path, list);
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
