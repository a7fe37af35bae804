/**
 * Where the atomic writer's temporary files live: one folder, `TARGET/.gphotos-tmp/`, on TARGET's
 * file system (so a finished file is renamed into place) and where no item can land (every item path
 * starts with `photos/`). A temporary name is never derived from an item's own name, so no item can
 * look like a temporary file: a stable name is a hash of the final path (a later run finds and
 * resumes it), a unique one is made of the process id and a counter.
 */
import { sha256Hex } from "./hash.ts";
import { basename, dirname, join } from "node:path";
import { truncateUtf8 } from "../layout/mod.ts";
import {
  existingAncestorInside,
  isDirInside,
  makeDirInside,
  rememberCheck,
  resolveInside,
  wasChecked,
} from "./inside_target.ts";

/** The folder of TARGET (relative) that holds every temporary file of the program. */
export const TEMP_DIR = ".gphotos-tmp";

/** A temporary file of a final path: its hash, so the name holds nothing an item chose. */
const STABLE_NAME = /^[0-9a-f]{64}\.part$/;

/** A temporary file of one process: `u<pid>-<counter>-<random>.part`. */
const UNIQUE_NAME = /^u\d+-\d+-[0-9a-f]{8}\.part$/;

/** A unique temporary file untouched this long belongs to a process that is gone. */
const UNIQUE_STALE_MS = 60 * 60 * 1000;

/** The temporary name of a final path relative to TARGET: stable, so a later run can resume it. */
export function tempNameFor(relPath: string): string {
  return `${sha256Hex(relPath.replaceAll("\\", "/"))}.part`;
}

/** The absolute temporary path of the final path `relPath` of `target`. */
export function tempPathFor(target: string, relPath: string): string {
  resolveInside(target, relPath);
  return join(target, TEMP_DIR, tempNameFor(relPath));
}

/** Whether an entry of the temporary folder is one of our temporary files. */
export function isTempName(name: string): boolean {
  return STABLE_NAME.test(name) || UNIQUE_NAME.test(name);
}

let sequence = 0;

/** A temporary name no other write uses, recognised by the temp-file cleaner. */
export function uniqueTempName(): string {
  sequence++;
  const random = sha256Hex(crypto.getRandomValues(new Uint8Array(8))).slice(0, 8);
  return `u${Deno.pid}-${sequence}-${random}.part`;
}

/** The size of the temporary file left for `relPath` by an earlier attempt, or 0. */
export async function tempSizeFor(target: string, relPath: string): Promise<number> {
  try {
    const info = await Deno.stat(tempPathFor(target, relPath));
    return info.isFile ? info.size : 0;
  } catch {
    return 0;
  }
}

/**
 * Removes our temporary files from `TARGET/.gphotos-tmp/` (not its subfolders): those of final paths
 * not in `keep`, and unique ones no process has written to for an hour. Nothing outside that folder
 * is ever touched, whatever its name. Returns the names removed.
 */
export async function cleanTempFiles(
  target: string,
  opts: { keep?: ReadonlySet<string> } = {},
): Promise<string[]> {
  const dir = join(target, TEMP_DIR);
  // A symlink put in its place could point anywhere: only the real folder is ours to clean.
  const info = await Deno.lstat(dir).catch(() => undefined);
  if (!info?.isDirectory) return [];
  const keepTemp = new Set([...(opts.keep ?? [])].map(tempNameFor));
  const removed: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || keepTemp.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (!STABLE_NAME.test(entry.name)) {
      if (!UNIQUE_NAME.test(entry.name)) continue;
      const mtime = (await Deno.lstat(path).catch(() => undefined))?.mtime?.getTime();
      if (mtime === undefined || Date.now() - mtime < UNIQUE_STALE_MS) continue;
    }
    try {
      await Deno.remove(path);
      removed.push(entry.name);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return removed;
}

/** Whether the TARGET-relative folder is `.gphotos-tmp` or under it. */
export function isUnderTempDir(relDir: string): boolean {
  const dir = relDir.replaceAll("\\", "/").replace(/^\.\//, "");
  return dir === TEMP_DIR || dir.startsWith(`${TEMP_DIR}/`);
}

/**
 * Checks the final folder `finalDir` (when given) resolves inside TARGET before anything is made,
 * then makes the temporary folder `tempDir` and checks both are on one file system, so the final
 * rename can work: a folder of TARGET may be another file system mounted there.
 */
export async function prepareTempDir(
  target: string,
  tempDir: string,
  finalDir: string | undefined,
  relPath: string,
  opts: { once?: boolean } = {},
): Promise<void> {
  // With `once`, once per pair of folders for the run (see inside_target.ts); a writer that then
  // finds one gone forgets the checks and asks again.
  const key = `${tempDir}\0${finalDir ?? ""}`;
  if (opts.once && wasChecked(target, key)) return;
  const existing = finalDir === undefined
    ? undefined
    : await existingAncestorInside(target, finalDir, relPath);
  await makeDirInside(target, tempDir, relPath);
  if (existing !== undefined) {
    const [a, b] = await Promise.all([Deno.stat(tempDir), Deno.stat(existing)]);
    if (a.dev !== b.dev) throw crossDeviceError(tempDir, finalDir!);
  }
  if (opts.once) rememberCheck(target, key);
}

/** The error of a rename between two file systems, naming both paths. */
export function crossDeviceError(tempPath: string, finalPath: string): Error {
  return new Error(
    `Cannot move "${tempPath}" to "${finalPath}": they are on different file systems ` +
      `(a mount inside TARGET); keep photos/ on the file system of TARGET`,
  );
}

/** Room for the dot, the hash and the suffix within a 255-byte name (the old scheme's). */
const LEGACY_STEM_BYTES = 200;

/**
 * The name an older version gave the temporary file of `relPath`, beside the final file. Only for
 * items the index's transfers table names: such a name alone proves nothing (an item may be called so).
 */
export function legacyTempNameFor(relPath: string): string {
  const name = basename(relPath.replaceAll("\\", "/"));
  return `.${truncateUtf8(name, LEGACY_STEM_BYTES)}.${sha256Hex(name).slice(0, 8)}.gphotos-tmp`;
}

/** TARGET-relative path of the old-scheme temporary file of `relPath`. */
export function legacyTempPathOf(relPath: string): string {
  const rel = relPath.replaceAll("\\", "/");
  const dir = dirname(rel);
  return `${dir === "." ? "" : `${dir}/`}${legacyTempNameFor(rel)}`;
}

/**
 * Moves the old-scheme temporary file of `relPath` into `.gphotos-tmp/`, where a resume looks,
 * unless a temporary file is there already. The caller has checked that the index names the item
 * and that no item owns the old name. Returns whether a file moved.
 */
export async function adoptLegacyTemp(target: string, relPath: string): Promise<boolean> {
  const legacy = await legacyFileOf(target, relPath);
  if (legacy === undefined) return false;
  const temp = tempPathFor(target, relPath);
  if (await Deno.lstat(temp).then(() => true, () => false)) return false;
  await makeDirInside(target, dirname(temp), relPath);
  try {
    await Deno.rename(legacy, temp);
    return true;
  } catch {
    // Another file system (a mount inside TARGET): the transfer starts over instead.
    return false;
  }
}

/**
 * Removes the old-scheme temporary file of `relPath` (same conditions as `adoptLegacyTemp`);
 * returns whether one was there.
 */
export async function removeLegacyTemp(target: string, relPath: string): Promise<boolean> {
  const legacy = await legacyFileOf(target, relPath);
  if (legacy === undefined) return false;
  try {
    await Deno.remove(legacy);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** The old-scheme temporary file of `relPath` when it is a file in a folder inside TARGET. */
async function legacyFileOf(target: string, relPath: string): Promise<string | undefined> {
  const legacy = resolveInside(target, legacyTempPathOf(relPath));
  // Through a folder that links out of TARGET the file is not ours, whatever its name.
  if (!(await isDirInside(target, dirname(legacy)))) return undefined;
  return (await Deno.lstat(legacy).catch(() => undefined))?.isFile ? legacy : undefined;
}
