/**
 * Keeping every write inside TARGET: a path from the index or an export is checked lexically, and
 * the folder written into is checked by its real path, because a folder of TARGET may be a symlink
 * pointing out of it (SPEC "What TARGET holds").
 */
import { dirname, join, relative, resolve } from "node:path";
import { isInside } from "../layout/mod.ts";

/**
 * The absolute final path of `relPath` in `target`, or a RangeError when `relPath` is absolute, has a
 * `..` component or otherwise could escape TARGET (a tampered index, a hostile name).
 */
export function resolveInside(target: string, relPath: string): string {
  if (!isInside(target, relPath) || relPath.startsWith("/") || relPath.startsWith("\\")) {
    throw new RangeError(`Path "${relPath}" is not inside "${target}"`);
  }
  return join(target, relPath);
}

/** The absolute folder of `relDir` in `target`; "" and "." are TARGET itself. */
export function resolveDirInside(target: string, relDir: string): string {
  return relDir === "" || relDir === "." ? target : resolveInside(target, relDir);
}

/**
 * The deepest folder of `dir` (absolute, lexically inside `target`) that exists, `dir` itself when it
 * does, after checking that it resolves inside TARGET: what a later `mkdir` would build on. Creates
 * nothing but TARGET itself; throws a RangeError naming `relPath` when it would escape.
 */
export async function existingAncestorInside(
  target: string,
  dir: string,
  relPath: string,
): Promise<string> {
  let realTarget = await realTargetOf(target);
  let existing = dir;
  let madeTarget = false;
  for (;;) {
    try {
      assertRealInside(realTarget, await Deno.realPath(existing), target, relPath);
      return existing;
    } catch (err) {
      const up = dirname(existing);
      if (!(err instanceof Deno.errors.NotFound) || up === existing) throw err;
      if (!madeTarget && resolve(existing) === resolve(target)) {
        // TARGET itself is gone since its real path was remembered: made again, as at first.
        madeTarget = true;
        forgetChecks(target);
        realTarget = await realTargetOf(target);
        continue;
      }
      existing = up;
    }
  }
}

/**
 * Makes the folder `dir` (absolute, lexically inside `target`) unless it exists, after checking that
 * what exists of it resolves inside TARGET: nothing is made through a symlink pointing out of TARGET.
 * Throws a RangeError naming `relPath` when it would escape.
 */
export async function makeDirInside(target: string, dir: string, relPath: string): Promise<void> {
  const existing = await existingAncestorInside(target, dir, relPath);
  if (existing === dir) return;
  await Deno.mkdir(dir, { recursive: true });
  // A symlink swapped in while the folders were made is caught here.
  assertRealInside(await realTargetOf(target), await Deno.realPath(dir), target, relPath);
}

/** Whether the existing folder `dir` resolves inside TARGET (false when it is missing). */
export async function isDirInside(target: string, dir: string): Promise<boolean> {
  try {
    await assertDirInside(target, dir, dir);
    return true;
  } catch {
    return false;
  }
}

/** Throws a RangeError when the existing folder `dir` resolves outside TARGET. */
export async function assertDirInside(target: string, dir: string, relPath: string): Promise<void> {
  const [realTarget, real] = await Promise.all([realTargetOf(target), Deno.realPath(dir)]);
  assertRealInside(realTarget, real, target, relPath);
}

/** The TARGET-relative form of an absolute path inside it, for messages and plans. */
export function relativeToTarget(target: string, path: string): string {
  return relative(target, path).replaceAll("\\", "/") || ".";
}

/**
 * What this process already checked inside each TARGET: its real path, and folders (or other
 * checks, by key) found to resolve inside it. A Takeout import writes thousands of files into a few
 * hundred folders; checking each folder once rather than per file saves several `realpath` calls per
 * file, each an operation off the main thread costing more than the check. A folder replaced by a
 * symlink after its check is not seen, as no check before a write can see one replaced after it. A
 * folder removed since makes the write fail with NotFound: the writer then forgets (`forgetChecks`)
 * and checks again.
 */
const checks = new Map<string, { real?: string; done: Set<string> }>();

function checksOf(target: string) {
  let c = checks.get(target);
  if (!c) checks.set(target, c = { done: new Set() });
  return c;
}

/** Whether `key` was checked inside `target` by this process (see `checks`). */
export function wasChecked(target: string, key: string): boolean {
  return checks.get(target)?.done.has(key) ?? false;
}

/** Remembers that `key` was checked inside `target`. */
export function rememberCheck(target: string, key: string): void {
  checksOf(target).done.add(key);
}

/** Forgets every check of `target`: something it holds moved or was removed. */
export function forgetChecks(target: string): void {
  checks.delete(target);
}

/** Like `makeDirInside`, once per folder for this process (see `checks`). */
export async function makeCheckedDirInside(
  target: string,
  dir: string,
  relPath: string,
): Promise<void> {
  if (wasChecked(target, dir)) return;
  await makeDirInside(target, dir, relPath);
  rememberCheck(target, dir);
}

/**
 * Runs `write`; when it finds a folder gone (one checked earlier, since removed), forgets what was
 * checked inside TARGET, checks and makes the folders again (`prepare`) and writes once more.
 */
export async function againIfGone<T>(
  target: string,
  prepare: () => Promise<void>,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    forgetChecks(target);
    await prepare();
    return await write();
  }
}

async function realTargetOf(target: string): Promise<string> {
  const known = checks.get(target)?.real;
  if (known !== undefined) return known;
  let real: string;
  try {
    real = await Deno.realPath(target);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    await Deno.mkdir(target, { recursive: true });
    real = await Deno.realPath(target);
  }
  checksOf(target).real = real;
  return real;
}

function assertRealInside(realTarget: string, real: string, target: string, relPath: string) {
  if (real !== realTarget && !isInside(realTarget, real)) {
    throw new RangeError(
      `Path "${relPath}" resolves outside "${target}" (through a symlink to "${real}")`,
    );
  }
}
