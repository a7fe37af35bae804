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
