/**
 * The path rules of album folders and links: what may be touched under `albums/`, folder and link
 * names with their ` (n)`, the symlink text, and the few file checks the link builder makes.
 */
import { posix } from "node:path";
import { foldName, withDupNumber, withFolderDupNumber } from "../layout/mod.ts";
import { UsageError } from "../errors.ts";
import { LinkRefusedError } from "../files/links.ts";
import type { FileWriter } from "../files/writer.ts";

/** The ` (n)` of `folder` when it is `base` numbered, else undefined. */
export function folderNumber(base: string, folder: string): number | undefined {
  if (folder === base) return 1;
  const m = / \((\d+)\)$/.exec(folder);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 2 && withFolderDupNumber(base, n) === folder ? n : undefined;
}

/** The first of `name`, `name (2)`, ... that clashes with nothing used or foreign. */
export function freeName(name: string, used: Set<string>, foreign: Set<string>): string {
  for (let n = 1;; n++) {
    const candidate = withDupNumber(name, n);
    const folded = foldName(candidate);
    if (!used.has(folded) && !foreign.has(folded)) return candidate;
  }
}

/** The symlink text from a link to its item, both relative to TARGET. */
export function relativeTarget(linkPath: string, itemPath: string): string {
  return posix.relative(posix.dirname(linkPath), itemPath);
}

/** A "/"-separated relative path as the platform writes symlink text. */
export function nativeRelative(rel: string): string {
  return Deno.build.os === "windows" ? rel.replaceAll("/", "\\") : rel;
}

/** Whether two stats are of the same file (same inode on the same device). */
export function sameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.ino !== null && a.ino === b.ino && a.dev === b.dev;
}

/** Stats a path (following links or not); undefined when nothing is there. */
export async function statOrUndefined(
  fs: FileWriter,
  path: string,
  follow: boolean,
): Promise<Deno.FileInfo | undefined> {
  try {
    return await (follow ? fs.stat(path) : fs.lstat(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw err;
  }
}

/**
 * Whether a TARGET-relative path lies inside `albums/` at the depth its kind allows: a folder is
 * `albums/X` or `albums/YYYY/X`, a link one level deeper, a parent is `albums/YYYY`.
 */
export function isAlbumPath(path: string, kind: "folder" | "link" | "parent"): boolean {
  const parts = path.split("/");
  if (parts[0] !== "albums") return false;
  const depth = parts.length - 1;
  const ok = kind === "folder"
    ? depth === 1 || depth === 2
    : kind === "link"
    ? depth === 2 || depth === 3
    : depth === 1;
  return ok &&
    parts.every((p) => p !== "" && p !== "." && p !== ".." && !/[\\\0]/.test(p));
}

/** Throws unless a path is inside `albums/` at the depth its kind allows. */
export function assertAlbumPath(path: string, kind: "folder" | "link"): void {
  if (!isAlbumPath(path, kind)) {
    throw new Error(`Refusing album ${kind} "${path}": it is not inside albums/`);
  }
}

/** Turns "the file system cannot link at all" into an error that names the option to use. */
export function linkError(err: unknown, path: string): unknown {
  if (!(err instanceof LinkRefusedError)) return err;
  return new UsageError(
    `Cannot make album link "${path}": ${err.reason}; use --skip-albums to leave album folders out`,
    { cause: err },
  );
}
