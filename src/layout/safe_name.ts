/** SPEC "Names": an untrusted Google file name made safe for Linux, macOS, NTFS and exFAT. */

import { splitExtension } from "./extension.ts";
import { truncateUtf8, utf8Length } from "./utf8.ts";

/** The longest name, in UTF-8 bytes, that every common file system accepts. */
export const MAX_NAME_BYTES = 255;

/** What any common file system forbids in a name. */
// deno-lint-ignore no-control-regex -- control characters are exactly what must be replaced
const FORBIDDEN = /[/\\:*?"<>|\u0000-\u001f\u007f]/g;
/** A lone surrogate has no UTF-8 form, so no file system can store it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const TRAILING_DOTS_AND_SPACES = /[. ]+$/;

/**
 * Windows device names, reserved whatever the extension. COM0/LPT0, the superscript digits and
 * CONIN$/CONOUT$ are listed by current Windows documentation, so they are reserved here too.
 */
const DEVICE_NAMES = new Set([
  "CON",
  "PRN",
  "AUX",
  "NUL",
  "CONIN$",
  "CONOUT$",
  ..."0123456789\u00b9\u00b2\u00b3".split("").flatMap((d) => [`COM${d}`, `LPT${d}`]),
]);

/** True when the part of `name` before its first dot names a Windows device (`con`, `LPT1.txt`). */
export function isDeviceName(name: string): boolean {
  const dot = name.indexOf(".");
  const base = (dot === -1 ? name : name.slice(0, dot)).replace(/ +$/, "");
  return DEVICE_NAMES.has(base.toUpperCase());
}

/** `CON.jpg` -> `CON_.jpg`: the `_` goes right after the device name, before any dot. */
function escapeDeviceName(name: string): string {
  if (!isDeviceName(name)) return name;
  const dot = name.indexOf(".");
  const base = dot === -1 ? name : name.slice(0, dot);
  const device = base.replace(/ +$/, "");
  return `${device}_${name.slice(device.length)}`;
}

/** Shortens `name` to `maxBytes`, keeping its extension whole when it has one. */
export function truncateName(name: string, maxBytes: number = MAX_NAME_BYTES): string {
  if (utf8Length(name) <= maxBytes) return name;
  const { stem, extension } = splitExtension(name);
  return truncateUtf8(stem, maxBytes - utf8Length(extension)) + extension;
}

/**
 * The on-disk form of an untrusted file name (SPEC "Names"). Deliberately not Unicode-normalised:
 * an NFD name stays NFD; clashes are found by `clashKey`.
 */
export function safeName(name: string): string {
  let safe = name.replace(FORBIDDEN, "_").replace(LONE_SURROGATE, "_").replace(
    TRAILING_DOTS_AND_SPACES,
    "",
  );
  safe = escapeDeviceName(safe);
  safe = truncateName(safe).replace(TRAILING_DOTS_AND_SPACES, "");
  // Cutting and trimming can expose a device name again ("CON" + 300 spaces + "x"); the name is
  // short by then, so the extra byte always fits.
  safe = escapeDeviceName(safe);
  // Trimming trailing dots already turned "." and ".." into "", so one check covers all three.
  return safe === "" ? "_" : safe;
}
