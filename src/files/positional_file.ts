/**
 * A file read at positions: each read is one `pread`, so many ranges of one archive are read
 * through one handle, side by side, with no seek before each. Deno's FsFile has no positional read
 * (a seek and a read are two operations, and they must not interleave on a shared handle);
 * node:fs's `read` with a position is a single operation off the main thread.
 */
import { closeSync, constants, open, read } from "node:fs";

/**
 * Offsets, lengths and buffer addresses of direct reads are multiples of this: 4096 serves disks
 * of 512- and 4096-byte blocks alike.
 */
export const DIRECT_ALIGN = 4096;

/**
 * A buffer for direct reads. JavaScript cannot ask where an ArrayBuffer lies, but a WebAssembly
 * memory starts on a page boundary, so its bytes are aligned for any disk.
 */
export function alignedBuffer(size: number): Uint8Array {
  const pages = Math.ceil(size / 65536);
  return new Uint8Array(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, size);
}

/** Options of `PositionalFile.open`. */
export interface PositionalOpenOptions {
  /**
   * Read around the page cache (`O_DIRECT`) where the file system allows it: the disk's DMA lands
   * in the caller's buffer and the kernel copies nothing, which halves the CPU a big archive read
   * once costs. Reads must then be aligned (`DIRECT_ALIGN`) into an `alignedBuffer`; a file system
   * that refuses it gives an ordinary file (`direct` false).
   */
  direct?: boolean;
}

/** A read-only file whose reads name their position. */
export class PositionalFile {
  readonly path: string;
  /** Reads bypass the page cache and must be aligned (`PositionalOpenOptions.direct`). */
  readonly direct: boolean;
  #fd: number;
  /** Reads under way: the descriptor is closed only once they have landed. */
  #pending = 0;
  #closing = false;

  private constructor(path: string, fd: number, direct: boolean) {
    this.path = path;
    this.#fd = fd;
    this.direct = direct;
  }

  /** Opens `path` for reading. */
  static async open(path: string, opts: PositionalOpenOptions = {}): Promise<PositionalFile> {
    if (opts.direct && constants.O_DIRECT) {
      const fd = await openFd(path, constants.O_RDONLY | constants.O_DIRECT).catch(() => undefined);
      if (fd !== undefined) {
        // A file system may take the flag and still refuse aligned reads: then read as usual.
        const file = new PositionalFile(path, fd, true);
        try {
          await file.read(alignedBuffer(DIRECT_ALIGN), 0);
          return file;
        } catch {
          file.close();
        }
      }
    }
    return new PositionalFile(path, await openFd(path, constants.O_RDONLY), false);
  }

  /** Reads into `buf` from `position`: one `pread`; the count may be short, 0 at the end. */
  read(buf: Uint8Array, position: number): Promise<number> {
    if (this.#closing) return Promise.reject(new Error(`File "${this.path}" is closed`));
    this.#pending++;
    return new Promise((resolve, reject) => {
      read(this.#fd, buf, 0, buf.length, position, (err, n) => {
        this.#pending--;
        if (this.#closing && this.#pending === 0) closeSync(this.#fd);
        if (err) reject(err);
        else resolve(n);
      });
    });
  }

  /** Fills `buf` from `position` unless the file ends first; returns the bytes read. */
  async readFully(buf: Uint8Array, position: number): Promise<number> {
    let off = 0;
    while (off < buf.length) {
      const n = await this.read(buf.subarray(off), position + off);
      if (n === 0) break;
      off += n;
    }
    return off;
  }

  /** Closes the file once the reads under way have landed; later reads are refused. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    // A descriptor closed under a read in flight could be reused by another open before it lands.
    if (this.#pending === 0) closeSync(this.#fd);
  }
}

function openFd(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => {
    open(path, flags, (err, fd) => {
      if (err) reject(err);
      else resolve(fd);
    });
  });
}
