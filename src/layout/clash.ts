/** SPEC "Clashes": which names collide in one folder, and the ` (n)` that tells them apart. */

import { splitExtension } from "./extension.ts";
import { MAX_NAME_BYTES, safeName } from "./safe_name.ts";
import { truncateUtf8, utf8Length } from "./utf8.ts";

/**
 * Google's own duplicate marker at the end of a stem. At most three digits and no leading zero,
 * so a year such as `Trip (2019).jpg` is left alone.
 */
const DUP_SUFFIX = / \([1-9]\d{0,2}\)$/;

/** Removes Google's ` (n)` before the extension, repeatedly: `IMG (2).jpg` -> `IMG.jpg`. */
export function stripDupSuffix(name: string): string {
  const { stem, extension } = splitExtension(name);
  let stripped = stem;
  while (DUP_SUFFIX.test(stripped)) {
    const shorter = stripped.replace(DUP_SUFFIX, "");
    // ` (2).jpg` alone is a name, not a marker on one.
    if (shorter === "") break;
    stripped = shorter;
  }
  return stripped === stem ? name : stripped + extension;
}

/**
 * A name folded the way case-insensitive, normalisation-insensitive file systems (NTFS, exFAT,
 * APFS, HFS+) compare names: two names with the same fold cannot both exist in one folder.
 * Full Unicode case folding, not just lower case: `ς` and `Σ`, `ß` and `SS` are one name there.
 * Upper-casing first applies the full (one-to-many) mappings, lower-casing then folds the result.
 */
export function foldName(name: string): string {
  return name.normalize("NFC").toUpperCase().toLowerCase().normalize("NFC");
}

/** The key two items clash on in one folder: NFC and case folding of the stripped name. */
export function clashKey(safeName: string): string {
  return foldName(stripDupSuffix(safeName));
}

/**
 * The name an item's ` (n)` numbering starts from: safe, with Google's ` (n)` stripped, and stable
 * (stripping again changes nothing), so `withDupNumber(base, n)` names never meet each other.
 */
export function dupBaseName(originalName: string): string {
  let name = safeName(originalName);
  // Stripping can leave a trailing dot that safeName trims, exposing another marker; a few
  // rounds always reach a fixed point since each round only shortens the name.
  for (let round = 0; round < 8; round++) {
    const next = safeName(stripDupSuffix(name));
    if (next === name) break;
    name = next;
  }
  return name;
}

/**
 * The n-th name of a clash group: n = 1 is `name` itself, n >= 2 inserts ` (n)` before the
 * extension, shortening the stem so the result stays within 255 UTF-8 bytes.
 */
export function withDupNumber(safeName: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot number a duplicate "${n}": expected an integer from 1`);
  }
  if (n === 1) return safeName;
  const { stem, extension } = splitExtension(safeName);
  const marker = ` (${n})`;
  const budget = MAX_NAME_BYTES - utf8Length(marker) - utf8Length(extension);
  return truncateUtf8(stem, budget) + marker + extension;
}

/** The file name of an item: `dupBaseName` then `withDupNumber`; n is its place in the clash group. */
export function itemFileName(originalName: string, n: number = 1): string {
  return withDupNumber(dupBaseName(originalName), n);
}
