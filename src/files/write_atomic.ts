/**
 * Whole-file writes on the atomic writer: a stream to its final name, and a small file (the token,
 * a report) that two processes may write at once, each through a temporary file of its own.
 */
import { basename } from "node:path";
import { type CommitOptions, type FileDigest, TempFile } from "./atomic_file.ts";
import { resolveInside } from "./inside_target.ts";

/** Options of `writeAtomic`. */
export interface WriteAtomicOptions extends CommitOptions {
  signal?: AbortSignal;
}

/** Options of `writeFileAtomic`. */
export interface WriteFileOptions {
  /** Permission bits (such as 0o600 for the token file). */
  mode?: number;
  mtime?: Date;
}

/**
 * Streams `body` to `TARGET/relPath` atomically: temporary file, SHA-256 while streaming, rename only
 * when complete (and matching `expectedSize`), mtime set. On any failure the temporary file is removed.
 */
export async function writeAtomic(
  target: string,
  relPath: string,
  body: ReadableStream<Uint8Array>,
  opts: WriteAtomicOptions = {},
): Promise<FileDigest> {
  const temp = await TempFile.open(target, relPath);
  try {
    await temp.append(body, { signal: opts.signal });
    return await temp.commit(opts);
  } catch (err) {
    await temp.discard();
    throw err;
  }
}

/**
 * Writes a whole small file (the token, a report) to `TARGET/relPath` atomically, through a
 * temporary file of its own, so two processes writing it at once each leave a whole file.
 */
export async function writeFileAtomic(
  target: string,
  relPath: string,
  data: Uint8Array | string,
  opts: WriteFileOptions = {},
): Promise<FileDigest> {
  resolveInside(target, relPath);
  const temp = await TempFile.create(target, posixDirname(relPath), {
    hint: basename(relPath),
    mode: opts.mode,
  });
  try {
    await temp.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
    return await temp.commit({ path: relPath, mtime: opts.mtime });
  } catch (err) {
    await temp.discard();
    throw err;
  }
}

/** The folder of a TARGET-relative path, "." for TARGET itself. */
function posixDirname(relPath: string): string {
  const cut = relPath.replaceAll("\\", "/").lastIndexOf("/");
  return cut < 0 ? "." : relPath.slice(0, cut);
}
