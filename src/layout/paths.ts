/** A guard against paths that could escape TARGET (a tampered index, a hostile name). */

const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:|[\\/]{2})/;

/** Splits on both separators, since a path written on Linux may be read on Windows. */
function components(path: string): string[] {
  return path.split(/[\\/]/).filter((part) => part !== "" && part !== ".");
}

/**
 * True when `path` names something strictly inside `root`: a relative path with no `..`
 * component and not `root` itself, or an absolute path lexically under `root`. Both `/` and `\`
 * count as separators, and a NUL byte is refused, so the answer holds on every OS.
 */
export function isInside(root: string, path: string): boolean {
  if (path.includes("\0") || root.includes("\0")) return false;
  const parts = components(path);
  if (parts.length === 0 || parts.includes("..")) return false;
  const absolute = path.startsWith("/") || path.startsWith("\\") || WINDOWS_ABSOLUTE.test(path);
  if (!absolute) return true;
  const rootParts = components(root);
  if (rootParts.includes("..") || rootParts.length >= parts.length) return false;
  const rootAbsolute = root.startsWith("/") || root.startsWith("\\") ||
    WINDOWS_ABSOLUTE.test(root);
  if (!rootAbsolute) return false;
  return rootParts.every((part, i) => part === parts[i]);
}

/**
 * `a/b/c` with every part a name: no empty, `.` or `..` part, no `\`, NUL or drive letter. Such a
 * path is inside any root; one test of it costs far less than `isInside`, for lists of thousands.
 */
const PLAIN_RELATIVE = /^(?![A-Za-z]:)(?!\.\.?(?:\/|$))[^/\\\0]+(?:\/(?!\.\.?(?:\/|$))[^/\\\0]+)*$/;

/** True for a relative path in plain form (see `PLAIN_RELATIVE`); false says only "not plain". */
export function isPlainRelative(path: string): boolean {
  return PLAIN_RELATIVE.test(path);
}
