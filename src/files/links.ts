/**
 * The one link maker of the program (album folders, compare's report), with one fallback policy:
 *
 * - symlink asked: a relative symlink; when the file system refuses symlinks (EPERM, ENOTSUP,
 *   ENOSYS: FAT/exFAT, Windows without the symlink privilege, some network shares), a hard link;
 * - hard link asked: a hard link; when that is refused or crosses devices (EXDEV, EMLINK, EPERM,
 *   ENOTSUP, ENOSYS), a relative symlink;
 * - never a copy: when neither kind can be made, a `LinkRefusedError`. Any other error (the name
 *   is taken, the folder is missing) is thrown as it is, without trying the other kind.
 *
 * The result says which kind was made, so callers record and report the truth.
 */
import { dirname, relative } from "node:path";

/** The two kinds of link. */
export type LinkKind = "symlink" | "hardlink";

/** The low-level calls `makeLink` makes: Deno's by default, a writer seam or a fake otherwise. */
export interface LinkOps {
  /** Makes a symlink at `path` whose text is `text`. */
  symlink(text: string, path: string): Promise<void>;
  /** Makes a hard link at `path` to `existing`. */
  link(existing: string, path: string): Promise<void>;
}

/** The real file system. */
export const denoLinkOps: LinkOps = {
  // Windows needs to be told the kind; our links always point at files.
  symlink: (text, path) => Deno.symlink(text, path, { type: "file" }),
  link: (existing, path) => Deno.link(existing, path),
};

/** Options of `makeLink`. */
export interface MakeLinkOptions {
  /** The kind asked for; the other is the fallback. */
  kind: LinkKind;
  /**
   * The folder a symlink's relative text starts from (default: the folder of `linkPath`); differs
   * when the link is made in a folder that is renamed into place later.
   */
  relativeTo?: string;
  ops?: LinkOps;
}

/** What `makeLink` made. */
export interface MadeLink {
  kind: LinkKind;
  /** Why the kind asked for was not made; absent when it was. */
  refused?: Error;
}

/** Neither a symlink nor a hard link can be made here. */
export class LinkRefusedError extends Error {
  readonly path: string;
  /** Why, without the path: for callers that name the path their own way. */
  readonly reason: string;
  constructor(path: string, symlink: Error, hardlink: Error, asked: LinkKind) {
    const reason = `the file system refuses symbolic links (${symlink.message}) ` +
      `and hard links (${hardlink.message})`;
    super(`Cannot link "${path}": ${reason}`, { cause: asked === "symlink" ? symlink : hardlink });
    this.name = "LinkRefusedError";
    this.path = path;
    this.reason = reason;
  }
}

const REFUSED_CODES = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);
/** Only a hard link can cross devices or run out of links; a symlink does neither. */
const HARDLINK_REFUSED_CODES = new Set(["EXDEV", "EMLINK"]);

/** Whether `err` says the file system will not make a link of `kind` (as opposed to, say, EEXIST). */
export function isLinkRefused(err: unknown, kind: LinkKind): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof Deno.errors.NotSupported) return true;
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code === "string") {
    if (REFUSED_CODES.has(code)) return true;
    if (kind === "hardlink" && HARDLINK_REFUSED_CODES.has(code)) return true;
  }
  // Windows reports a missing symlink privilege as os error 1314, without a POSIX code.
  if (/not supported|not permitted|privilege/i.test(err.message)) return true;
  return kind === "hardlink" && /cross-device|too many links/i.test(err.message);
}

/** The relative text of a symlink in `linkDir` to `existing` (native separators). */
export function symlinkText(existing: string, linkDir: string): string {
  return relative(linkDir, existing);
}

/** Links `linkPath` to the file `existing` (both absolute) by the policy above. */
export async function makeLink(
  existing: string,
  linkPath: string,
  opts: MakeLinkOptions,
): Promise<MadeLink> {
  const ops = opts.ops ?? denoLinkOps;
  const make = (kind: LinkKind) =>
    kind === "symlink"
      ? ops.symlink(symlinkText(existing, opts.relativeTo ?? dirname(linkPath)), linkPath)
      : ops.link(existing, linkPath);
  const other: LinkKind = opts.kind === "symlink" ? "hardlink" : "symlink";
  let refused: Error;
  try {
    await make(opts.kind);
    return { kind: opts.kind };
  } catch (err) {
    if (!isLinkRefused(err, opts.kind)) throw err;
    refused = err as Error;
  }
  try {
    await make(other);
  } catch (err) {
    if (!isLinkRefused(err, other)) throw err;
    const [symlink, hardlink] = opts.kind === "symlink"
      ? [refused, err as Error]
      : [err as Error, refused];
    throw new LinkRefusedError(linkPath, symlink, hardlink, opts.kind);
  }
  return { kind: other, refused };
}

/**
 * Whether links of `kind` to `existing` can be made at `probePath` (a free name in the folder in
 * question): makes one and removes it. Nothing stays on disk either way.
 */
export async function canLink(
  existing: string,
  probePath: string,
  opts: { kind: LinkKind; ops?: LinkOps; remove?: (path: string) => Promise<void> },
): Promise<boolean> {
  const ops = opts.ops ?? denoLinkOps;
  try {
    if (opts.kind === "symlink") {
      await ops.symlink(symlinkText(existing, dirname(probePath)), probePath);
    } else {
      await ops.link(existing, probePath);
    }
  } catch (err) {
    if (isLinkRefused(err, opts.kind)) return false;
    throw err;
  }
  await (opts.remove ?? ((path: string) => Deno.remove(path)))(probePath);
  return true;
}
