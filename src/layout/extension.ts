/** Splitting a name into stem and extension, the way every rule in this folder sees it. */

import { utf8Length } from "./utf8.ts";

/** The longest extension (dot included) that is kept whole when a name is shortened. */
export const MAX_EXTENSION_BYTES = 16;

/** A name cut before its extension; `extension` is "" or starts with ".". */
export interface NameParts {
  stem: string;
  extension: string;
}

/**
 * Splits `name` into stem and extension. An extension is a final `.xxx` (at least one character
 * after the dot) of at most 16 UTF-8 bytes with no spaces, after a non-empty stem: `.hidden`
 * has no extension, `a.tar.gz` has `.gz`, `St. Petersburg` has none.
 */
export function splitExtension(name: string): NameParts {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || dot === name.length - 1) return { stem: name, extension: "" };
  const extension = name.slice(dot);
  if (extension.includes(" ") || utf8Length(extension) > MAX_EXTENSION_BYTES) {
    return { stem: name, extension: "" };
  }
  return { stem: name.slice(0, dot), extension };
}
