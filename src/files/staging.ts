/**
 * Writing an imported file the way downloads are written (temporary dot-file, SHA-256 while
 * streaming, rename when complete, capture time as mtime), except that the final name is only
 * known after hashing: the index names an item once its content says whether it is new.
 */
import { dirname, join } from "node:path";
import { tempNameFor } from "./atomic_file.ts";
import { sha256 } from "./hash.ts";
import { type ChunkSink, pumpStream } from "./byte_pump.ts";

/** A complete, hashed temporary file waiting for its final name. */
export interface StagedFile {
  tempPath: string;
  size: number;
  sha256: string;
}

let sequence = 0;

/** Folders known to exist, so 10,000 files into one month folder cost one mkdir. */
const madeDirs = new Set<string>();

async function ensureDir(dir: string): Promise<void> {
  if (madeDirs.has(dir)) return;
  await Deno.mkdir(dir, { recursive: true });
  if (madeDirs.size > 10_000) madeDirs.clear();
  madeDirs.add(dir);
}

/** A temporary name no other write of this run uses, recognised by the sync temp-file cleaner. */
function uniqueTempName(hint: string): string {
  sequence++;
  return tempNameFor(`${hint}#${Deno.pid}.${sequence}`);
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) offset += await file.write(data.subarray(offset));
}

/** A source of bytes: calls `sink` with each chunk, in order, awaiting it before reusing it. */
export type ChunkPump = (sink: ChunkSink) => Promise<void>;

/** A stream as a pump. */
export function streamPump(body: ReadableStream<Uint8Array>): ChunkPump {
  return (sink) => pumpStream(body, sink);
}

/**
 * Writes what `pump` yields into a temporary file in `dir` (created if needed), hashing as it
 * goes. On any error the temporary file is removed and the error rethrown.
 */
export async function stageChunks(
  pump: ChunkPump,
  opts: { dir: string; hint: string },
): Promise<StagedFile> {
  const { dir, hint } = opts;
  await ensureDir(dir);
  const tempPath = join(dir, uniqueTempName(hint));
  let file: Deno.FsFile;
  try {
    file = await Deno.open(tempPath, { write: true, createNew: true });
  } catch (err) {
    // Removed since it was made (a user tidying up mid-run): make it again.
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    await Deno.mkdir(dir, { recursive: true });
    file = await Deno.open(tempPath, { write: true, createNew: true });
  }
  const hash = sha256();
  let size = 0;
  try {
    await pump(async (chunk) => {
      // The write runs off the main thread while the hash runs on it.
      const written = writeAll(file, chunk);
      hash.update(chunk);
      size += chunk.byteLength;
      await written;
    });
    file.close();
  } catch (err) {
    try {
      file.close();
    } catch {
      // Closed already.
    }
    await Deno.remove(tempPath).catch(() => {});
    throw err;
  }
  return { tempPath, size, sha256: hash.hex() };
}

/** Streams `body` into a temporary file in `opts.dir`; see `stageChunks`. */
export function stageStream(
  body: ReadableStream<Uint8Array>,
  opts: { dir: string; hint: string },
): Promise<StagedFile> {
  return stageChunks(streamPump(body), opts);
}

// Kept here for the Takeout import, which hashes a pump before staging it.
export { hashChunks } from "./hash.ts";

/** The first `limit` bytes `pump` yields, copied out of its reused buffer. */
export async function headOf(pump: ChunkPump, limit: number): Promise<Uint8Array> {
  const out = new Uint8Array(limit);
  let got = 0;
  await pump((chunk) => {
    const part = chunk.subarray(0, limit - got);
    out.set(part, got);
    got += part.length;
    return got >= limit;
  });
  return out.subarray(0, got);
}

/**
 * Gives a staged file its mtime and renames it to `finalPath` (replacing a file there). When the
 * staging folder is on another device, copies to a temporary file beside `finalPath` first, so
 * the final name still only ever holds a complete file.
 */
export async function placeStaged(
  staged: StagedFile,
  opts: { path: string; mtime?: Date },
): Promise<void> {
  const { path: finalPath, mtime } = opts;
  const dir = dirname(finalPath);
  await ensureDir(dir);
  if (mtime && !Number.isNaN(mtime.getTime())) {
    await Deno.utime(staged.tempPath, mtime, mtime);
  }
  try {
    await Deno.rename(staged.tempPath, finalPath);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound && (await exists(staged.tempPath))) {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.rename(staged.tempPath, finalPath);
      return;
    }
    if (!isCrossDevice(err)) throw err;
    const near = join(dir, uniqueTempName("copy"));
    try {
      await Deno.copyFile(staged.tempPath, near);
      if (mtime && !Number.isNaN(mtime.getTime())) await Deno.utime(near, mtime, mtime);
      await Deno.rename(near, finalPath);
    } catch (copyErr) {
      await Deno.remove(near).catch(() => {});
      throw copyErr;
    }
    await Deno.remove(staged.tempPath).catch(() => {});
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

function isCrossDevice(err: unknown): boolean {
  return err instanceof Error && ("code" in err && (err as { code?: string }).code === "EXDEV" ||
    /cross-device|EXDEV/i.test(err.message));
}

/** Removes a staged file that turned out to be a copy of something already kept. */
export async function discardStaged(staged: StagedFile): Promise<void> {
  await Deno.remove(staged.tempPath).catch(() => {});
}

/** The first `limit` bytes of a file. */
export async function readFileHead(path: string, limit: number): Promise<Uint8Array> {
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(limit);
  let offset = 0;
  while (offset < limit) {
    const n = await file.read(buf.subarray(offset));
    if (n === null) break;
    offset += n;
  }
  return buf.subarray(0, offset);
}
