/**
 * Writing an imported file with the atomic writer, except that the final name is only known after
 * hashing: the index names an item once its content says whether it is new. A staged file is a
 * finished temporary file inside TARGET (same file system, so placing it is a rename), and placing
 * it checks its final folder like every other write.
 */
import { type FileDigest, TempFile } from "./atomic_file.ts";
import { type ChunkPump, pumpStream } from "./byte_pump.ts";

/**
 * A complete, hashed temporary file waiting for its final name, not yet synced: `readyStaged` or
 * `placeStaged` syncs it, and a copy that turns out to be known is discarded without ever costing a
 * flush.
 */
export interface StagedFile extends FileDigest {
  tempPath: string;
  /** The writer's file, complete (and closed unless staged with `keepOpen`). */
  file: TempFile;
}

/** Options of `stageChunks` and `stageStream`. */
export interface StageOptions {
  /** TARGET. */
  target: string;
  /** The folder of TARGET (relative) the temporary file goes to; made if needed. */
  dir: string;
  /** The entry's name, which the temporary name is derived from. */
  hint: string;
  /**
   * Keep the file open for `readyStaged` or `discardStaged`, which follow at once: syncing then
   * needs no second open. Without it the file is closed, so thousands staged hold no handles.
   */
  keepOpen?: boolean;
}

export type { ChunkPump } from "./byte_pump.ts";

/** A stream as a pump. */
export function streamPump(body: ReadableStream<Uint8Array>): ChunkPump {
  return (sink) => pumpStream(body, sink);
}

/**
 * Writes what `pump` yields into a temporary file in the folder `opts.dir` of TARGET, hashing as it
 * goes. On any error the temporary file is removed and the error rethrown.
 */
export async function stageChunks(pump: ChunkPump, opts: StageOptions): Promise<StagedFile> {
  // An import stages thousands of files into a few hundred folders (it forgets the checks as it
  // starts).
  const file = await TempFile.create(opts.target, opts.dir, { hint: opts.hint, checkOnce: true });
  try {
    await pump((chunk) => file.write(chunk));
    const digest = await file.complete();
    if (!opts.keepOpen) file.close();
    return { ...digest, tempPath: file.tempPath, file };
  } catch (err) {
    await file.discard();
    throw err;
  }
}

/** Streams `body` into a temporary file; see `stageChunks`. */
export function stageStream(
  body: ReadableStream<Uint8Array>,
  opts: StageOptions,
): Promise<StagedFile> {
  return stageChunks(streamPump(body), opts);
}

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
 * Syncs a staged file, gives it its mtime and makes (and checks) the folder of TARGET it is headed
 * to, before its final name is known: done side by side for many files, it leaves `placeStaged`
 * only the rename.
 */
export async function readyStaged(
  staged: StagedFile,
  opts: { dir: string; mtime?: Date },
): Promise<void> {
  await staged.file.ready(opts);
}

/**
 * Syncs a staged file (unless `readyStaged` did), gives it its mtime and renames it to `opts.path` (relative to TARGET, replacing a file
 * there), refusing a folder that resolves outside TARGET through a symlink.
 */
export async function placeStaged(
  staged: StagedFile,
  opts: { path: string; mtime?: Date },
): Promise<void> {
  await staged.file.commit({ path: opts.path, mtime: opts.mtime });
}

/** Removes a staged file that turned out to be a copy of something already kept. */
export async function discardStaged(staged: StagedFile): Promise<void> {
  await staged.file.discard();
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
