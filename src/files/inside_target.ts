/**
 * Keeping every write inside TARGET: a path from the index or an export is checked lexically, and
 * the folder written into is checked by its real path, because a folder of TARGET may be a symlink
 * pointing out of it (SPEC "What TARGET holds").
 */
import { dirname, join, relative } from "node:path";
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
  const realTarget = await realTargetOf(target);
  let existing = dir;
  for (;;) {
    try {
      assertRealInside(realTarget, await Deno.realPath(existing), target, relPath);
      return existing;
    } catch (err) {
      const up = dirname(existing);
      if (!(err instanceof Deno.errors.NotFound) || up === existing) throw err;
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

async function realTargetOf(target: string): Promise<string> {
  try {
    return await Deno.realPath(target);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    await Deno.mkdir(target, { recursive: true });
    return await Deno.realPath(target);
  }
}

function assertRealInside(realTarget: string, real: string, target: string, relPath: string) {
  if (real !== realTarget && !isInside(realTarget, real)) {
    throw new RangeError(
      `Path "${relPath}" resolves outside "${target}" (through a symlink to "${real}")`,
    );
  }
}
