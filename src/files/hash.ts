/**
 * The one SHA-256 of the program: of a file on disk, of what a byte pump yields, of a string, and
 * incrementally while bytes stream to disk. node:crypto's hash runs natively; with 1 MiB reads it
 * keeps pace with `sha256sum` (BENCHMARKS.md), and a reused buffer keeps memory flat.
 */
import type { Hash } from "node:crypto";
import process from "node:process";

/**
 * node:crypto, loaded on the first hash: loading it costs every command's start some 50 ms, and
 * many runs (status, an unchanged re-import) never hash.
 */
let nodeCrypto: typeof import("node:crypto") | undefined;
function createHash(algorithm: string): Hash {
  nodeCrypto ??= process.getBuiltinModule("node:crypto") as typeof import("node:crypto");
  return nodeCrypto.createHash(algorithm);
}

/** Bytes per read: large reads keep hashing near the disk's speed. */
export const HASH_BUFFER_BYTES = 1 << 20;

/** Size and SHA-256 (hex) of a complete file or stream. */
export interface FileDigest {
  size: number;
  sha256: string;
}

/** An incremental SHA-256. */
export interface Sha256 {
  /** Adds bytes (or a string, as UTF-8). */
  update(data: Uint8Array | string): Sha256;
  /** The hex digest; the hash cannot be used after. */
  hex(): string;
}

/** A fresh incremental SHA-256. */
export function sha256(): Sha256 {
  const hash = createHash("sha256");
  const self: Sha256 = {
    update(data) {
      hash.update(data);
      return self;
    },
    hex: () => hash.digest("hex"),
  };
  return self;
}

/** The hex SHA-256 of bytes or of a string (as UTF-8). */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Options of `hashFile` and `hashRest`. */
export interface HashReadOptions {
  /** The read buffer, reused by a caller that hashes many files (default: a new 1 MiB one). */
  buffer?: Uint8Array;
  /** Checked between reads: a huge file stops promptly. */
  signal?: AbortSignal;
  /**
   * Told of every chunk before the buffer is reused, with its offset in the file (compare reads
   * EXIF from the first one, so the head costs no extra I/O).
   */
  onChunk?: (chunk: Uint8Array, offset: number) => void | Promise<void>;
}

/** Feeds the rest of an open file, from its current position, into `hash`; returns the bytes read. */
export async function hashRest(
  file: Deno.FsFile,
  hash: Sha256,
  opts: HashReadOptions = {},
): Promise<number> {
  const buffer = opts.buffer ?? new Uint8Array(HASH_BUFFER_BYTES);
  if (buffer.length === 0) throw new RangeError("Hash buffer must not be empty");
  let size = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const n = await fill(file, buffer);
    if (n === 0) break;
    const chunk = buffer.subarray(0, n);
    if (opts.onChunk) await opts.onChunk(chunk, size);
    hash.update(chunk);
    size += n;
    if (n < buffer.length) break;
  }
  return size;
}

/** Size and SHA-256 of a file on disk, streaming through one buffer. */
export async function hashFile(path: string, opts: HashReadOptions = {}): Promise<FileDigest> {
  using file = await Deno.open(path, { read: true });
  const hash = sha256();
  const size = await hashRest(file, hash, opts);
  return { size, sha256: hash.hex() };
}

/** Size and SHA-256 of what `pump` yields (each chunk may be reused once the sink returns). */
export async function hashChunks(
  pump: (sink: (chunk: Uint8Array) => void) => Promise<void>,
): Promise<FileDigest> {
  const hash = sha256();
  let size = 0;
  await pump((chunk) => {
    hash.update(chunk);
    size += chunk.byteLength;
  });
  return { size, sha256: hash.hex() };
}

/**
 * Read buffers for a caller hashing many files at once: one per task in flight, reused, so memory
 * is bounded by the concurrency, not by the number or size of the files.
 */
export class HashBuffers {
  readonly #bytes: number;
  #free: Uint8Array[] = [];

  constructor(bytes: number = HASH_BUFFER_BYTES) {
    this.#bytes = bytes;
  }

  /** Runs `fn` with a buffer no other task uses meanwhile. */
  async use<T>(fn: (buffer: Uint8Array) => Promise<T>): Promise<T> {
    const buffer = this.#free.pop() ?? new Uint8Array(this.#bytes);
    try {
      return await fn(buffer);
    } finally {
      this.#free.push(buffer);
    }
  }
}

/** Reads until `buffer` is full or the file ends; 0 at the end. Full reads keep chunks large. */
async function fill(file: Deno.FsFile, buffer: Uint8Array): Promise<number> {
  let got = 0;
  while (got < buffer.length) {
    const n = await file.read(buffer.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got;
}
