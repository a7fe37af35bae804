/**
 * Writing an imported file the way downloads are written (temporary dot-file, SHA-256 while
 * streaming, rename when complete, capture time as mtime), except that the final name is only
 * known after hashing: the index names an item once its content says whether it is new.
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { tempNameFor } from "../sync/atomic_file.ts";

/** A complete, hashed temporary file waiting for its final name. */
export interface StagedFile {
  tempPath: string;
  size: number;
  sha256: string;
}

let sequence = 0;

/** A temporary name no other write of this run uses, recognised by the sync temp-file cleaner. */
function uniqueTempName(hint: string): string {
  sequence++;
  return tempNameFor(`${hint}#${Deno.pid}.${sequence}`);
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) offset += await file.write(data.subarray(offset));
}

/**
 * Streams `head` chunks then `body` into a temporary file in `dir` (created if needed), hashing as
 * it goes. On any error the temporary file is removed and the error rethrown.
 */
export async function stageStream(
  dir: string,
  hint: string,
  body: ReadableStream<Uint8Array>,
  head: Uint8Array[] = [],
): Promise<StagedFile> {
  await Deno.mkdir(dir, { recursive: true });
  const tempPath = join(dir, uniqueTempName(hint));
  const file = await Deno.open(tempPath, { write: true, createNew: true });
  const hash = createHash("sha256");
  let size = 0;
  const reader = body.getReader();
  try {
    for (const chunk of head) {
      await writeAll(file, chunk);
      hash.update(chunk);
      size += chunk.byteLength;
    }
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await writeAll(file, value);
      hash.update(value);
      size += value.byteLength;
    }
    file.close();
  } catch (err) {
    await reader.cancel().catch(() => {});
    try {
      file.close();
    } catch {
      // Closed already.
    }
    await Deno.remove(tempPath).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
  return { tempPath, size, sha256: hash.digest("hex") };
}

/** Size and SHA-256 of a stream, without writing it anywhere. */
export async function hashStream(
  body: ReadableStream<Uint8Array>,
  head: Uint8Array[] = [],
): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for (const chunk of head) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Gives a staged file its mtime and renames it to `finalPath` (replacing a file there). When the
 * staging folder is on another device, copies to a temporary file beside `finalPath` first, so
 * the final name still only ever holds a complete file.
 */
export async function placeStaged(
  staged: StagedFile,
  finalPath: string,
  mtime?: Date,
): Promise<void> {
  const dir = dirname(finalPath);
  await Deno.mkdir(dir, { recursive: true });
  if (mtime && !Number.isNaN(mtime.getTime())) {
    await Deno.utime(staged.tempPath, mtime, mtime);
  }
  try {
    await Deno.rename(staged.tempPath, finalPath);
  } catch (err) {
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

function isCrossDevice(err: unknown): boolean {
  return err instanceof Error && ("code" in err && (err as { code?: string }).code === "EXDEV" ||
    /cross-device|EXDEV/i.test(err.message));
}

/** Removes a staged file that turned out to be a copy of something already kept. */
export async function discardStaged(staged: StagedFile): Promise<void> {
  await Deno.remove(staged.tempPath).catch(() => {});
}

/**
 * Reads up to `limit` bytes from the start of a stream without losing them: returns those chunks
 * and the stream of the rest.
 */
export async function peekHead(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<{ head: Uint8Array[]; rest: ReadableStream<Uint8Array> }> {
  const reader = body.getReader();
  const head: Uint8Array[] = [];
  let got = 0;
  let ended = false;
  try {
    while (got < limit) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      head.push(value);
      got += value.byteLength;
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  }
  const rest = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (ended) {
        controller.close();
        return;
      }
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        controller.error(err);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, rest };
}

/** The bytes of `head` as one array, at most `limit` long. */
export function joinHead(head: Uint8Array[], limit: number): Uint8Array {
  let length = 0;
  for (const c of head) length += c.byteLength;
  const out = new Uint8Array(Math.min(length, limit));
  let offset = 0;
  for (const c of head) {
    if (offset >= out.length) break;
    const part = c.subarray(0, out.length - offset);
    out.set(part, offset);
    offset += part.length;
  }
  return out;
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
