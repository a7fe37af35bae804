/**
 * A file read at positions: each read is one `pread`, so many ranges of one archive are read
 * through one handle, side by side, with no seek before each. Deno's FsFile has no positional read
 * (a seek and a read are two operations, and they must not interleave on a shared handle);
 * node:fs's `read` with a position is a single operation off the main thread.
 */
import { closeSync, open, read } from "node:fs";

/** A read-only file whose reads name their position. */
export class PositionalFile {
  readonly path: string;
  #fd: number;
  /** Reads under way: the descriptor is closed only once they have landed. */
  #pending = 0;
  #closing = false;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /** Opens `path` for reading. */
  static open(path: string): Promise<PositionalFile> {
    return new Promise((resolve, reject) => {
      open(path, "r", (err, fd) => {
        if (err) reject(err);
        else resolve(new PositionalFile(path, fd));
      });
    });
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
