/**
 * A zip file as zip.js reads it: headers and directories through one handle with synchronous
 * reads, data ranges as native streams on their own handles; and zip.js's listing of it, opened
 * only for what our own directory reader leaves to zip.js.
 */
import type { Entry, ZipReader } from "@zip.js/zip.js";
import { PositionalFile } from "../../files/positional_file.ts";

/**
 * zip.js, loaded when an archive first needs it: our own directory reader lists what Google
 * writes, and loading zip.js costs a start some 25 ms (55 ms from a cold disk).
 */
let zipJs: Promise<typeof import("@zip.js/zip.js")> | undefined;
function loadZipJs(): Promise<typeof import("@zip.js/zip.js")> {
  return zipJs ??= import("@zip.js/zip.js");
}

/** Read size of entry bodies. */
const CHUNK_BYTES = 1024 * 1024;

/** Thrown into zip.js to stop `getData` once the local header is read, before any data. */
export const PROBED = new Error("local header probed");

/**
 * Zip central-directory reads go through one handle; entry bodies open their own. zip.js takes it
 * as its reader as it is (it asks for `init`, `size`, `readUint8Array` and `createReadable`).
 */
export class FileRangeReader {
  #path: string;
  #file: Deno.FsFile | undefined;
  /** The file's size, once `init` ran. */
  size = 0;

  constructor(path: string) {
    this.#path = path;
  }

  async init(): Promise<void> {
    if (this.#file) return;
    this.#file = await Deno.open(this.#path, { read: true });
    this.size = (await this.#file.stat()).size;
  }

  readUint8Array(index: number, length: number): Promise<Uint8Array> {
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

  #turn: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier `exclusive` call of this file has ended. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(fn);
    this.#turn = run.catch(() => {});
    return run;
  }

  /** While set, zip.js may read headers but no entry data (see `probe`). */
  probing = false;

  /**
   * A range as a native stream of positional reads: entries are read side by side through the
   * handle `readAt` shares, with no open or seek per entry.
   */
  createReadable(
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
    let pos = start;
    const chunk = Math.max(64 * 1024, Math.min(options.chunkSize ?? CHUNK_BYTES, CHUNK_BYTES));
    return new ReadableStream<Uint8Array>({
      // type-bytes-removed
      pull: async (controller) => {
        const want = Math.min(chunk, end - pos);
        if (want <= 0) {
          controller.close();
          return;
        }
        const buf = new Uint8Array(want);
        const r = await this.#withFile((file) => file.read(buf, pos));
        if (r === 0) {
          controller.close();
          return;
        }
        pos += r;
        controller.enqueue(r === want ? buf : buf.subarray(0, r));
      },
    });
  }

  /** The whole file as a stream, as zip.js's own readers have it. */
  get readable(): ReadableStream<Uint8Array> {
    return this.createReadable();
  }

  /** The handle of `readAt` and `createReadable`: positional reads, any number at once. */
  #positional: Promise<PositionalFile> | undefined;

  /** Runs `fn` on the shared handle, or on one of its own once the reader is closed. */
  async #withFile<T>(fn: (file: PositionalFile) => Promise<T>): Promise<T> {
    if (this.#file) {
      this.#positional ??= PositionalFile.open(this.#path);
      return await fn(await this.#positional);
    }
    const own = await PositionalFile.open(this.#path);
    try {
      return await fn(own);
    } finally {
      own.close();
    }
  }

  /**
   * Reads a range; many small reads (the JSON files of pass one) can be under way at once, so on a
   * cold disk their latencies overlap instead of adding up.
   */
  readAt(index: number, length: number): Promise<Uint8Array> {
    return this.#withFile(async (file) => {
      const n = Math.max(0, Math.min(length, this.size - index));
      const buf = new Uint8Array(n);
      const got = await file.readFully(buf, index);
      return got === n ? buf : buf.subarray(0, got);
    });
  }

  /** Closes the directory handle and the one of `readAt`. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
    this.#positional?.then((f) => f.close(), () => {});
    this.#positional = undefined;
  }
}

/**
 * zip.js's listing of a file, read forward on demand: the entries our directory reader cannot
 * read (encrypted, unusual methods or fields), or all entries from one on, with zip.js's errors.
 */
export class ZipJsListing {
  #file: FileRangeReader;
  #reader?: ZipReader<unknown>;
  #entries?: AsyncGenerator<Entry, boolean>;
  #index = -1;
  #last?: Entry;

  constructor(file: FileRangeReader) {
    this.#file = file;
  }

  /** The entry at `index` of the directory; indexes are asked for in increasing order. */
  async at(index: number): Promise<Entry> {
    if (index === this.#index && this.#last) return this.#last;
    if (index < this.#index) throw new TypeError(`Entry ${index} of the zip was already passed`);
    while (this.#index < index) {
      const next = await this.#next();
      if (!next) throw new Error(`the zip directory has no entry ${index + 1}`);
    }
    return this.#last!;
  }

  /** Every entry from `index` on, with its index. */
  async *from(index: number): AsyncGenerator<{ index: number; entry: Entry }> {
    if (index > 0) await this.at(index - 1);
    while (await this.#next()) yield { index: this.#index, entry: this.#last! };
  }

  async #next(): Promise<boolean> {
    // zip.js would stop the whole listing at an unsafe name; our caller skips just that entry.
    if (!this.#reader) {
      const { ZipReader } = await loadZipJs();
      this.#reader = new ZipReader(this.#file, {
        useWebWorkers: false,
        filenameEncoding: "utf-8",
        filenameValidation: "tolerant",
      });
    }
    this.#entries ??= this.#reader.getEntriesGenerator();
    const r = await this.#entries.next();
    if (r.done) {
      this.#last = undefined;
      return false;
    }
    this.#index++;
    this.#last = r.value;
    return true;
  }

  /** Ends zip.js's listing. */
  async close(): Promise<void> {
    await this.#entries?.return(true).catch(() => {});
    await this.#reader?.close().catch(() => {});
    this.#entries = undefined;
    this.#reader = undefined;
    this.#last = undefined;
  }
}
