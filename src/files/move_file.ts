/**
 * Moving a kept file to another folder of TARGET (an item whose better date files it elsewhere):
 * a rename on the same file system, through the writer's inside-TARGET checks, then its mtime.
 */
import { posix } from "node:path";
import { resolveInside } from "./inside_target.ts";
import { fileWriter } from "./writer.ts";

/**
 * Renames `from` to `to` (both relative to TARGET, the new folder made if needed, a file at `to`
 * replaced) and gives it `mtime`. With `from === to` only the mtime is set.
 */
export async function moveInside(
  target: string,
  from: string,
  to: string,
  opts: { mtime?: Date } = {},
): Promise<void> {
  if (from !== to) {
    const writer = fileWriter(target);
    await writer.mkdir(posix.dirname(to));
    await writer.rename(from, to);
  }
  if (opts.mtime) {
    await Deno.utime(resolveInside(target, to), opts.mtime, opts.mtime);
  }
}

/** Whether a file exists at `path` (relative to TARGET). */
export async function fileExistsInside(target: string, path: string): Promise<boolean> {
  try {
    return (await Deno.stat(resolveInside(target, path))).isFile;
  } catch {
    return false;
  }
}
