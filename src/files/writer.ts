/**
 * The seam for what the program does to TARGET besides streaming media: folders, links, renames,
 * removals and small files. The real writer performs them, checking that every path lies inside
 * TARGET (also through symlinks); the dry-run writer performs nothing and records the plan, so every
 * writing command can offer `--dry-run` and tests can read what would be written. Reads go to the
 * real file system in both, synchronously while that is quick (`QuickStat`).
 */
import { denoLinkOps } from "./links.ts";
import { QuickStat } from "./quick_stat.ts";
import { dirname, resolve } from "node:path";
import { isInside } from "../layout/mod.ts";
import { writeFileAtomic, type WriteFileOptions } from "./write_atomic.ts";
import { assertDirInside, makeDirInside, relativeToTarget } from "./inside_target.ts";

/** One change to TARGET, planned or made; paths are relative to TARGET with "/". */
export type WriteOp =
  | { op: "mkdir"; path: string }
  | { op: "symlink"; path: string; target: string }
  | { op: "link"; path: string; existing: string }
  | { op: "rename"; path: string; to: string }
  | { op: "remove"; path: string }
  | { op: "write"; path: string; size: number };

/** What may be done to TARGET, and the reads that decide it. Paths are absolute or TARGET-relative. */
export interface FileWriter {
  /** TARGET: every path written must lie inside it. */
  readonly root: string;
  /** True when nothing is performed, only planned. */
  readonly dryRun: boolean;
  stat(path: string): Promise<Deno.FileInfo>;
  lstat(path: string): Promise<Deno.FileInfo>;
  readLink(path: string): Promise<string>;
  readDir(path: string): AsyncIterable<Deno.DirEntry>;
  /** Makes a folder and its missing parents. */
  mkdir(path: string): Promise<void>;
  /** Makes a symlink to a file at `path` whose text is `target`. */
  symlink(target: string, path: string): Promise<void>;
  /** Makes a hard link at `path` to `existing` (which may lie outside TARGET). */
  link(existing: string, path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file, a link or an empty folder; never recursive. */
  remove(path: string): Promise<void>;
  /** Writes a whole small file atomically. */
  writeFile(path: string, data: Uint8Array | string, opts?: WriteFileOptions): Promise<void>;
}

/** A writer that performs nothing and keeps the plan. */
export interface DryRunWriter extends FileWriter {
  /** The changes it was asked for, in order. */
  readonly planned: WriteOp[];
}

/**
 * The reads both writers make on disk, at paths `at` resolves: synchronous while that is quick
 * (`QuickStat`; album folders check thousands of links in a row).
 */
function diskReads(
  at: (path: string) => string,
): Pick<FileWriter, "stat" | "lstat" | "readLink" | "readDir"> {
  const quick = new QuickStat();
  return {
    stat: (path) => quick.stat(at(path)),
    lstat: (path) => quick.lstat(at(path)),
    readLink: (path) => quick.readLink(at(path)),
    readDir: (path) => Deno.readDir(at(path)),
  };
}

/** The writer that changes TARGET. */
export function fileWriter(root: string): FileWriter {
  const at = (path: string) => insideRoot(root, path);
  /** The folder a new entry goes in must resolve inside TARGET. */
  const parentChecked = async (path: string) => {
    const abs = at(path);
    await assertDirInside(root, dirname(abs), relativeToTarget(root, abs));
    return abs;
  };
  return {
    root,
    dryRun: false,
    ...diskReads(at),
    mkdir: async (path) => {
      const abs = at(path);
      await makeDirInside(root, abs, relativeToTarget(root, abs));
    },
    symlink: async (target, path) => await denoLinkOps.symlink(target, await parentChecked(path)),
    link: async (existing, path) => await denoLinkOps.link(existing, await parentChecked(path)),
    rename: async (from, to) => {
      const [a, b] = await Promise.all([parentChecked(from), parentChecked(to)]);
      await Deno.rename(a, b);
    },
    remove: async (path) => await Deno.remove(await parentChecked(path)),
    writeFile: async (path, data, opts) => {
      await writeFileAtomic(root, relativeToTarget(root, at(path)), data, opts);
    },
  };
}

/** A writer that changes nothing: it answers reads from disk and records every change asked. */
export function dryRunWriter(root: string): DryRunWriter {
  const at = (path: string) => insideRoot(root, path);
  const rel = (path: string) => relativeToTarget(root, at(path));
  const planned: WriteOp[] = [];
  const plannedDirs = new Set<string>();
  return {
    root,
    dryRun: true,
    planned,
    ...diskReads(at),
    mkdir: async (path) => {
      const p = rel(path);
      if (plannedDirs.has(p)) return;
      plannedDirs.add(p);
      try {
        if ((await Deno.stat(at(path))).isDirectory) return;
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
      planned.push({ op: "mkdir", path: p });
    },
    symlink: (target, path) => {
      planned.push({ op: "symlink", path: rel(path), target });
      return Promise.resolve();
    },
    link: (existing, path) => {
      planned.push({ op: "link", path: rel(path), existing });
      return Promise.resolve();
    },
    rename: (from, to) => {
      planned.push({ op: "rename", path: rel(from), to: rel(to) });
      return Promise.resolve();
    },
    remove: async (path) => {
      // Fails where the real removal would (gone, a folder not empty), so callers plan alike.
      const info = await Deno.lstat(at(path));
      if (info.isDirectory) {
        for await (const _ of Deno.readDir(at(path))) {
          throw new Error(`Directory not empty: "${rel(path)}"`);
        }
      }
      planned.push({ op: "remove", path: rel(path) });
    },
    writeFile: (path, data) => {
      const size = typeof data === "string" ? new TextEncoder().encode(data).length : data.length;
      planned.push({ op: "write", path: rel(path), size });
      return Promise.resolve();
    },
  };
}

/** The absolute form of `path` (absolute or relative to `root`), or a RangeError outside it. */
function insideRoot(root: string, path: string): string {
  const abs = resolve(root, path);
  if (!isInside(resolve(root), abs)) {
    throw new RangeError(`Path "${path}" is not inside "${root}"`);
  }
  return abs;
}
