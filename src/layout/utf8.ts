/** UTF-8 byte arithmetic for names: file systems limit bytes, not characters. */

/** The UTF-8 length of a string, counting a lone surrogate as U+FFFD (3 bytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

let segmenter: Intl.Segmenter | undefined;

/**
 * The longest prefix of `text` of at most `maxBytes` UTF-8 bytes. Cuts between grapheme clusters
 * where it can (so an emoji sequence or a letter with its accents is never split), and always on
 * a code point boundary (a surrogate pair is never split).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let kept = "";
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = utf8Length(segment);
    if (used + size <= maxBytes) {
      kept += segment;
      used += size;
      continue;
    }
    // A cluster too big for what is left: keep only the code points that fit, but only when
    // nothing was kept yet (a pathological cluster, e.g. a letter with hundreds of accents).
    if (kept === "") {
      for (const codePoint of segment) {
        const cpSize = utf8Length(codePoint);
        if (used + cpSize > maxBytes) break;
        kept += codePoint;
        used += cpSize;
      }
    }
    break;
  }
  return kept;
}
