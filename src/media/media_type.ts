/**
 * What kind of media a file is: one extension table (what Google Photos accepts, Google's "file
 * types you can back up" list plus the RAW formats it takes) and the magic bytes that tell when
 * an extension lies (a `.jpg` that is a HEIC, an extension-less motion part that is an MP4).
 * Every source, compare and the download engine ask here, so they cannot disagree.
 *
 * The signatures are hand-written rather than taken from the `file-type` package: it runs under
 * Deno, but its detection is asynchronous (a tokenizer over a stream) where we sniff bytes already
 * in memory, it brings seven packages (one reads the whole environment when loaded), and it does
 * not say which container a format lives in, which is what tells a lying extension from a RAW file
 * that is simply TIFF inside. A dozen signatures cover what Google Photos holds.
 */

import { splitExtension } from "../layout/extension.ts";

/** A photo or a video, as the index records it. */
export type MediaKind = "photo" | "video";

/**
 * The byte layout a format is stored in. Formats sharing one (TIFF-based RAW, ISO-BMFF) cannot be
 * told apart by their first bytes, so within a container the extension is trusted.
 */
export type Container =
  | "jpeg"
  | "png"
  | "gif"
  | "webp"
  | "bmp"
  | "ico"
  | "tiff"
  | "bmff"
  | "crw"
  | "raf"
  | "mrw"
  | "x3f"
  | "avi"
  | "ebml"
  | "asf"
  | "mpeg-ps"
  | "mpeg-ts"
  | "flv";

/** A media format: its MIME type, kind and container. */
export interface MediaType {
  mime: string;
  kind: MediaKind;
  container: Container;
}

/** Bytes of a file's head `sniffMediaType` looks at (an MPEG-TS needs its second packet). */
export const SNIFF_BYTES = 256;

function photo(mime: string, container: Container): MediaType {
  return { mime, kind: "photo", container };
}

function video(mime: string, container: Container): MediaType {
  return { mime, kind: "video", container };
}

const JPEG = photo("image/jpeg", "jpeg");
const TIFF = photo("image/tiff", "tiff");
const HEIC = photo("image/heic", "bmff");
const HEIF = photo("image/heif", "bmff");
const MP4 = video("video/mp4", "bmff");
const QUICKTIME = video("video/quicktime", "bmff");
const MPEG = video("video/mpeg", "mpeg-ps");
const MPEG_TS = video("video/mp2t", "mpeg-ts");

/** Lower-case extension without the dot → format. */
const BY_EXTENSION: ReadonlyMap<string, MediaType> = new Map([
  ["jpg", JPEG],
  ["jpeg", JPEG],
  ["jpe", JPEG],
  ["jfif", JPEG],
  ["png", photo("image/png", "png")],
  ["gif", photo("image/gif", "gif")],
  ["webp", photo("image/webp", "webp")],
  ["heic", HEIC],
  ["heif", HEIF],
  ["hif", HEIF],
  ["avif", photo("image/avif", "bmff")],
  ["bmp", photo("image/bmp", "bmp")],
  ["ico", photo("image/x-icon", "ico")],
  ["tif", TIFF],
  ["tiff", TIFF],
  // RAW: most are TIFF inside; their own MIME types are the freedesktop.org names.
  ["dng", photo("image/x-adobe-dng", "tiff")],
  ["cr2", photo("image/x-canon-cr2", "tiff")],
  ["cr3", photo("image/x-canon-cr3", "bmff")],
  ["crw", photo("image/x-canon-crw", "crw")],
  ["nef", photo("image/x-nikon-nef", "tiff")],
  ["nrw", photo("image/x-nikon-nrw", "tiff")],
  ["arw", photo("image/x-sony-arw", "tiff")],
  ["srf", photo("image/x-sony-srf", "tiff")],
  ["sr2", photo("image/x-sony-sr2", "tiff")],
  ["orf", photo("image/x-olympus-orf", "tiff")],
  ["raf", photo("image/x-fuji-raf", "raf")],
  ["rw2", photo("image/x-panasonic-rw2", "tiff")],
  ["raw", photo("image/x-panasonic-raw", "tiff")],
  ["rwl", photo("image/x-leica-rwl", "tiff")],
  ["pef", photo("image/x-pentax-pef", "tiff")],
  ["srw", photo("image/x-samsung-srw", "tiff")],
  ["3fr", photo("image/x-hasselblad-3fr", "tiff")],
  ["fff", photo("image/x-hasselblad-fff", "tiff")],
  ["erf", photo("image/x-epson-erf", "tiff")],
  ["kdc", photo("image/x-kodak-kdc", "tiff")],
  ["dcr", photo("image/x-kodak-dcr", "tiff")],
  ["mrw", photo("image/x-minolta-mrw", "mrw")],
  ["x3f", photo("image/x-sigma-x3f", "x3f")],
  ["mos", photo("image/x-leaf-mos", "tiff")],
  ["mef", photo("image/x-mamiya-mef", "tiff")],
  ["iiq", photo("image/x-phaseone-iiq", "tiff")],
  ["mp4", MP4],
  ["m4v", video("video/x-m4v", "bmff")],
  ["mov", QUICKTIME],
  ["qt", QUICKTIME],
  ["3gp", video("video/3gpp", "bmff")],
  ["3gpp", video("video/3gpp", "bmff")],
  ["3g2", video("video/3gpp2", "bmff")],
  // The video part of a Pixel / Samsung motion photo (`PXL_….MP` beside `PXL_….MP.jpg`).
  ["mp", MP4],
  ["mv", MP4],
  ["avi", video("video/x-msvideo", "avi")],
  ["divx", video("video/x-msvideo", "avi")],
  ["mkv", video("video/x-matroska", "ebml")],
  ["webm", video("video/webm", "ebml")],
  ["wmv", video("video/x-ms-wmv", "asf")],
  ["asf", video("video/x-ms-asf", "asf")],
  ["mpg", MPEG],
  ["mpeg", MPEG],
  ["mpe", MPEG],
  ["vob", MPEG],
  // JVC camcorders: `.MOD` is MPEG-2 program stream, `.TOD` transport stream.
  ["mod", MPEG],
  ["tod", MPEG_TS],
  ["mts", MPEG_TS],
  ["m2ts", MPEG_TS],
  ["m2t", MPEG_TS],
  ["ts", MPEG_TS],
  ["flv", video("video/x-flv", "flv")],
]);

/**
 * Extensions (lower case, with the dot) of videos that can be the moving part of a live photo
 * (`IMG_1.MOV` beside `IMG_1.HEIC`): the ISO-BMFF videos of the table.
 */
export const LIVE_PHOTO_VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(
  [...BY_EXTENSION].filter(([, t]) => t.kind === "video" && t.container === "bmff")
    .map(([ext]) => `.${ext}`),
);

/** The lower-case extension of a name, without the dot ("" when it has none). */
function extensionOf(name: string): string {
  return splitExtension(name).extension.slice(1).toLowerCase();
}

/** The format a file name's extension stands for, or undefined when it is not media. */
export function mediaTypeOfName(name: string): MediaType | undefined {
  return BY_EXTENSION.get(extensionOf(name));
}

/** The MIME type a file name's extension stands for, or undefined when it is not media. */
export function mimeOfName(name: string): string | undefined {
  return mediaTypeOfName(name)?.mime;
}

/** Photo or video by MIME type (`image/*`, `video/*`), else undefined. */
export function kindOf(mime: string | null | undefined): MediaKind | undefined {
  if (!mime) return undefined;
  const top = mime.slice(0, mime.indexOf("/")).trim().toLowerCase();
  return top === "image" ? "photo" : top === "video" ? "video" : undefined;
}

/**
 * Whether an item is a video: its MIME type decides when it names a kind (Google's metadata is
 * the best witness), else the kind recorded with it.
 */
export function isVideo(item: { mimeType?: string | null; mediaType?: string | null }): boolean {
  return (kindOf(item.mimeType) ?? item.mediaType) === "video";
}

/**
 * A file's format from its name and, when given, its first bytes: the extension, unless the bytes
 * say another container or kind (then the extension lies), or the bytes alone when the extension
 * is unknown.
 */
export function mediaTypeOfFile(name: string, head?: Uint8Array): MediaType | undefined {
  const byName = mediaTypeOfName(name);
  const sniffed = head ? sniffMediaType(head) : undefined;
  if (!sniffed) return byName;
  if (byName && byName.container === sniffed.container && byName.kind === sniffed.kind) {
    return byName;
  }
  return sniffed;
}

const ascii = new TextDecoder("latin1");

function text(head: Uint8Array, start: number, end: number): string {
  return ascii.decode(head.subarray(start, Math.min(end, head.length)));
}

function startsWith(head: Uint8Array, bytes: number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => head[at + i] === b);
}

/**
 * The format a file's first bytes show (`SNIFF_BYTES` are enough), or undefined when no signature
 * matches. TIFF-based RAW comes back as TIFF and ISO-BMFF by its brand: the extension refines it.
 */
export function sniffMediaType(head: Uint8Array): MediaType | undefined {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return JPEG;
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return photo("image/png", "png");
  }
  const magic4 = text(head, 0, 4);
  if (magic4 === "GIF8") return photo("image/gif", "gif");
  // Classic and big TIFF, and the TIFF variants of Olympus (IIRO, IIRS, MMOR) and Panasonic (IIU).
  if (["II*\0", "MM\0*", "II+\0", "MM\0+", "IIRO", "IIRS", "MMOR", "IIU\0"].includes(magic4)) {
    return TIFF;
  }
  if (magic4 === "RIFF") {
    const form = text(head, 8, 12);
    if (form === "WEBP") return photo("image/webp", "webp");
    if (form === "AVI ") return video("video/x-msvideo", "avi");
    return undefined;
  }
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) {
    // The EBML header names the doctype within its first few dozen bytes.
    return text(head, 4, 64).includes("webm")
      ? video("video/webm", "ebml")
      : video("video/x-matroska", "ebml");
  }
  if (startsWith(head, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) {
    return video("video/x-ms-asf", "asf");
  }
  if (startsWith(head, [0x00, 0x00, 0x01, 0xba]) || startsWith(head, [0x00, 0x00, 0x01, 0xb3])) {
    return MPEG;
  }
  // Transport streams: 188-byte packets starting 0x47, with a 4-byte timestamp first in M2TS.
  if ((head[0] === 0x47 && head[188] === 0x47) || (head[4] === 0x47 && head[196] === 0x47)) {
    return MPEG_TS;
  }
  if (magic4 === "FLV\x01") return video("video/x-flv", "flv");
  if (startsWith(head, [0x42, 0x4d]) && head.length >= 14 && head[6] === 0 && head[7] === 0) {
    return photo("image/bmp", "bmp");
  }
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00]) && head.length >= 6 && head[4] + head[5] > 0) {
    return photo("image/x-icon", "ico");
  }
  const box = text(head, 4, 8);
  if (box === "ftyp") return bmffType(head);
  // QuickTime files older than `ftyp` start straight with their atoms.
  if (["moov", "mdat", "wide", "free", "skip", "pnot"].includes(box)) return QUICKTIME;
  return undefined;
}

const BRANDS: ReadonlyMap<string, MediaType> = new Map([
  ["heic", HEIC],
  ["heix", HEIC],
  ["heim", HEIC],
  ["heis", HEIC],
  ["hevc", photo("image/heic-sequence", "bmff")],
  ["hevx", photo("image/heic-sequence", "bmff")],
  ["mif1", HEIF],
  ["msf1", photo("image/heif-sequence", "bmff")],
  ["avif", photo("image/avif", "bmff")],
  ["avis", photo("image/avif", "bmff")],
  ["crx ", photo("image/x-canon-cr3", "bmff")],
  ["qt  ", QUICKTIME],
  ["M4V ", video("video/x-m4v", "bmff")],
  ["M4VH", video("video/x-m4v", "bmff")],
  ["M4VP", video("video/x-m4v", "bmff")],
  // 3GPP brands carry a release number: 3gp4, 3gp5, 3gg6, 3ge6…; 3GPP2 ones 3g2a, 3g2b…
  ["3gp", video("video/3gpp", "bmff")],
  ["3gg", video("video/3gpp", "bmff")],
  ["3ge", video("video/3gpp", "bmff")],
  ["3gs", video("video/3gpp", "bmff")],
  ["3g2", video("video/3gpp2", "bmff")],
]);

/** ISO-BMFF: what the `ftyp` brands say (the major brand, else a known compatible one). */
function bmffType(head: Uint8Array): MediaType {
  const size = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
  const brands = [text(head, 8, 12)];
  for (let at = 16; at + 4 <= Math.min(size, head.length); at += 4) {
    brands.push(text(head, at, at + 4));
  }
  for (const brand of brands) {
    const found = BRANDS.get(brand) ?? BRANDS.get(brand.slice(0, 3));
    if (found) return found;
  }
  // Any other brand (isom, mp41, mp42, avc1, dash, …) is an MP4 video.
  return MP4;
}
