/**
 * A zip file as zip.js reads it: headers and directories through one handle with synchronous
 * reads, data ranges as native streams on their own handles.
 */
import { Reader } from "@zip.js/zip.js";

/** Read size of entry bodies. */
const CHUNK_BYTES = 256 * 1024;

/** Thrown into zip.js to stop `getData` once the local header is read, before any data. */
export const PROBED = new Error("local header probed");

/** Zip central-directory reads go through one handle; entry bodies open their own. */
export class FileRangeReader extends Reader<string> {
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

  /** Closes the directory handle. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}
