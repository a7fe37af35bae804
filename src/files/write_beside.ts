/**
 * A whole small file written outside TARGET (a status page where the user asked for it): a
 * temporary name beside it, fsync, then a rename, so a reader never sees half a page. No
 * `.gphotos-tmp/` is made there: that folder belongs to a TARGET.
 */
import { basename, dirname, join } from "node:path";
import { uniqueTempName } from "./temp_names.ts";

/** Writes `data` to `path` atomically through a temporary file in the same folder. */
export async function writeFileBeside(path: string, data: Uint8Array | string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${uniqueTempName()}`);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    const file = await Deno.open(temp, { write: true, createNew: true });
    try {
      let offset = 0;
      while (offset < bytes.byteLength) offset += await file.write(bytes.subarray(offset));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
}
