/**
 * Names of the atomic writer's temporary files: dot-named (scanners skip them), ending in one
 * suffix (the cleaner finds them), stable for a final name (a later run resumes it) or unique.
 */
import { sha256Hex } from "./hash.ts";
import { basename, dirname, join } from "node:path";
import { truncateUtf8 } from "../layout/mod.ts";
import { resolveInside } from "./inside_target.ts";

/** Every temporary file ends with this; its name starts with a dot so scanners skip it. */
export const TEMP_SUFFIX = ".gphotos-tmp";

/** Room for the dot, the hash and the suffix within a 255-byte name. */
const TEMP_STEM_BYTES = 200;

/** The temporary name of a final file name: stable, so a later run can find and resume it. */
export function tempNameFor(name: string): string {
  const tag = sha256Hex(name).slice(0, 8);
  return `.${truncateUtf8(name, TEMP_STEM_BYTES)}.${tag}${TEMP_SUFFIX}`;
}

/** Whether a directory entry is one of our temporary files. */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
}

let sequence = 0;

/** A temporary name no other write uses, recognised by the temp-file cleaner. */
export function uniqueTempName(hint: string): string {
  sequence++;
  return tempNameFor(`${hint}#${Deno.pid}.${sequence}`);
}

/** The size of the temporary file left for `relPath` by an earlier attempt, or 0. */
export async function tempSizeFor(target: string, relPath: string): Promise<number> {
  const finalPath = resolveInside(target, relPath);
  try {
    const info = await Deno.stat(join(dirname(finalPath), tempNameFor(basename(finalPath))));
    return info.isFile ? info.size : 0;
  } catch {
    return 0;
  }
}

/**
 * Removes our temporary files from `dir` (not recursive) except those whose final name is in `keep`;
 * returns the names removed. A missing folder has none.
 */
export async function cleanTempFiles(
  dir: string,
  opts: { keep?: ReadonlySet<string> } = {},
): Promise<string[]> {
  const removed: string[] = [];
  const keepTemp = new Set([...(opts.keep ?? [])].map(tempNameFor));
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !isTempName(entry.name) || keepTemp.has(entry.name)) continue;
      try {
        await Deno.remove(join(dir, entry.name));
        removed.push(entry.name);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return removed;
    throw err;
  }
  return removed;
}
