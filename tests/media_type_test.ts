import assert from "node:assert/strict";
import { join } from "node:path";
import {
  isVideo,
  kindOf,
  LIVE_PHOTO_VIDEO_EXTENSIONS,
  mediaTypeOfFile,
  mediaTypeOfName,
  mimeOfName,
  sniffMediaType,
} from "../src/media/media_type.ts";
import { MediaIndex } from "../src/index/mod.ts";
import { importTakeout } from "../src/sources/takeout/import.ts";
import { scanFolder } from "../src/compare/mod.ts";
import { isVideoItem, recordFromLibraryItem } from "../src/sources/library/library_records.ts";
import { isPickedVideo } from "../src/sources/picker/pick_records.ts";

const enc = new TextEncoder();

function bytes(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) out.push(...(typeof p === "string" ? [...enc.encode(p)] : p));
  return new Uint8Array(out);
}

/** An ISO-BMFF `ftyp` box with these brands (major first), then an empty `mdat`. */
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const size = 16 + 4 * compatible.length;
  return bytes([0, 0, 0, size], "ftyp", major, [0, 0, 2, 0], ...compatible, [0, 0, 0, 8], "mdat");
}

const JPEG = bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], "JFIF", [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
const PNG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], "IHDR");
const MP4 = ftyp("isom", "isom", "iso2", "avc1", "mp41");
const HEIC = ftyp("heic", "mif1", "heic");

function transportStream(prefix: number): Uint8Array {
  const packet = 188 + prefix;
  const out = new Uint8Array(packet * 2);
  out[prefix] = 0x47;
  out[packet + prefix] = 0x47;
  return out;
}

Deno.test("mediaTypeOfName() knows what Google Photos accepts", async (t) => {
  const cases: [string, string | undefined, "photo" | "video" | undefined][] = [
    ["IMG_1.jpg", "image/jpeg", "photo"],
    ["IMG_1.JPEG", "image/jpeg", "photo"],
    ["scan.jpe", "image/jpeg", "photo"],
    ["IMG_1.HEIC", "image/heic", "photo"],
    ["a.heif", "image/heif", "photo"],
    ["a.avif", "image/avif", "photo"],
    ["a.png", "image/png", "photo"],
    ["a.gif", "image/gif", "photo"],
    ["a.webp", "image/webp", "photo"],
    ["a.bmp", "image/bmp", "photo"],
    ["a.ico", "image/x-icon", "photo"],
    ["a.tif", "image/tiff", "photo"],
    ["PXL_1.dng", "image/x-adobe-dng", "photo"],
    ["_MG_1.CR2", "image/x-canon-cr2", "photo"],
    ["_MG_1.CR3", "image/x-canon-cr3", "photo"],
    ["DSC_1.NEF", "image/x-nikon-nef", "photo"],
    ["DSC_1.ARW", "image/x-sony-arw", "photo"],
    ["P1.ORF", "image/x-olympus-orf", "photo"],
    ["DSCF1.RAF", "image/x-fuji-raf", "photo"],
    ["P1.RW2", "image/x-panasonic-rw2", "photo"],
    ["IMGP1.PEF", "image/x-pentax-pef", "photo"],
    ["SAM_1.SRW", "image/x-samsung-srw", "photo"],
    ["a.3fr", "image/x-hasselblad-3fr", "photo"],
    ["a.x3f", "image/x-sigma-x3f", "photo"],
    ["a.iiq", "image/x-phaseone-iiq", "photo"],
    ["VID_1.mp4", "video/mp4", "video"],
    ["IMG_1.MOV", "video/quicktime", "video"],
    ["a.m4v", "video/x-m4v", "video"],
    ["a.3gp", "video/3gpp", "video"],
    ["a.3g2", "video/3gpp2", "video"],
    ["a.avi", "video/x-msvideo", "video"],
    ["a.divx", "video/x-msvideo", "video"],
    ["a.mkv", "video/x-matroska", "video"],
    ["a.webm", "video/webm", "video"],
    ["a.wmv", "video/x-ms-wmv", "video"],
    ["a.asf", "video/x-ms-asf", "video"],
    ["a.mpg", "video/mpeg", "video"],
    ["MOV001.MOD", "video/mpeg", "video"],
    ["MOV001.TOD", "video/mp2t", "video"],
    ["00001.MTS", "video/mp2t", "video"],
    ["00001.m2ts", "video/mp2t", "video"],
    ["a.m2t", "video/mp2t", "video"],
    ["a.vob", "video/mpeg", "video"],
    ["a.flv", "video/x-flv", "video"],
    ["PXL_20210102_221126856.MP", "video/mp4", "video"],
    ["notes.txt", undefined, undefined],
    ["a.json", undefined, undefined],
    ["MVIMG_20191230_232926", undefined, undefined],
    [".jpg", undefined, undefined],
  ];
  for (const [name, mime, kind] of cases) {
    await t.step(name, () => {
      assert.equal(mimeOfName(name), mime);
      assert.equal(mediaTypeOfName(name)?.kind, kind);
    });
  }
});

Deno.test("sniffMediaType() reads the common signatures", async (t) => {
  const cases: [string, Uint8Array, string | undefined, "photo" | "video" | undefined][] = [
    ["JPEG", JPEG, "image/jpeg", "photo"],
    ["PNG", PNG, "image/png", "photo"],
    ["GIF", bytes("GIF89a", [1, 0, 1, 0]), "image/gif", "photo"],
    ["WebP", bytes("RIFF", [0, 0, 0, 0], "WEBPVP8 "), "image/webp", "photo"],
    ["HEIC", HEIC, "image/heic", "photo"],
    ["HEIF (mif1)", ftyp("mif1", "mif1", "heic"), "image/heif", "photo"],
    ["AVIF", ftyp("avif", "avif", "mif1", "miaf"), "image/avif", "photo"],
    ["CR3", ftyp("crx ", "crx ", "isom"), "image/x-canon-cr3", "photo"],
    ["MP4", MP4, "video/mp4", "video"],
    ["MP4 (mp42)", ftyp("mp42", "mp42", "isom"), "video/mp4", "video"],
    ["QuickTime", ftyp("qt  ", "qt  "), "video/quicktime", "video"],
    ["QuickTime without ftyp", bytes([0, 0, 0, 8], "wide"), "video/quicktime", "video"],
    ["3GP", ftyp("3gp4", "isom", "3gp4"), "video/3gpp", "video"],
    ["3G2", ftyp("3g2a", "3g2a"), "video/3gpp2", "video"],
    ["M4V", ftyp("M4V ", "M4V ", "mp42"), "video/x-m4v", "video"],
    ["TIFF little-endian (CR2, NEF, DNG…)", bytes("II*", [0, 8, 0, 0, 0]), "image/tiff", "photo"],
    ["TIFF big-endian", bytes("MM", [0, 42, 0, 0, 0, 8]), "image/tiff", "photo"],
    ["Olympus ORF", bytes("IIRO", [8, 0, 0, 0]), "image/tiff", "photo"],
    ["Panasonic RW2", bytes("IIU", [0, 8, 0, 0, 0]), "image/tiff", "photo"],
    [
      "Matroska",
      bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], "matroska"),
      "video/x-matroska",
      "video",
    ],
    [
      "WebM",
      bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], "webm"),
      "video/webm",
      "video",
    ],
    ["AVI", bytes("RIFF", [0, 0, 0, 0], "AVI LIST"), "video/x-msvideo", "video"],
    [
      "ASF (WMV)",
      bytes([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9]),
      "video/x-ms-asf",
      "video",
    ],
    ["MPEG program stream", bytes([0, 0, 1, 0xba, 0x44]), "video/mpeg", "video"],
    ["MPEG transport stream", transportStream(0), "video/mp2t", "video"],
    ["M2TS (timestamped packets)", transportStream(4), "video/mp2t", "video"],
    ["FLV", bytes("FLV", [1, 5, 0, 0, 0, 9]), "video/x-flv", "video"],
    ["BMP", bytes("BM", [0x3a, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0]), "image/bmp", "photo"],
    ["WAV is not media", bytes("RIFF", [0, 0, 0, 0], "WAVEfmt "), undefined, undefined],
    ["text is not media", bytes("hello world, this is text"), undefined, undefined],
    ["empty", new Uint8Array(0), undefined, undefined],
    ["a truncated ftyp", bytes([0, 0, 0, 0x20], "ftyp"), "video/mp4", "video"],
  ];
  for (const [label, head, mime, kind] of cases) {
    await t.step(label, () => {
      const found = sniffMediaType(head);
      assert.equal(found?.mime, mime);
      assert.equal(found?.kind, kind);
    });
  }
});

Deno.test("mediaTypeOfFile() trusts the bytes only where the extension is unknown or lies", async (t) => {
  const cases: [
    string,
    Uint8Array | undefined,
    string | undefined,
    "photo" | "video" | undefined,
  ][] = [
    ["IMG_1.jpg", MP4, "video/mp4", "video"],
    ["IMG_1.jpg", HEIC, "image/heic", "photo"],
    ["IMG_1.jpg", PNG, "image/png", "photo"],
    ["IMG_1.HEIC", JPEG, "image/jpeg", "photo"],
    ["IMG_1.jpg", JPEG, "image/jpeg", "photo"],
    // RAW is TIFF inside: the extension says which RAW.
    ["DSC_1.NEF", bytes("II*", [0, 8, 0, 0, 0]), "image/x-nikon-nef", "photo"],
    ["P1.ORF", bytes("IIRO", [8, 0, 0, 0]), "image/x-olympus-orf", "photo"],
    // Same container and kind: the extension's finer name stays.
    ["IMG_1.MOV", MP4, "video/quicktime", "video"],
    ["IMG_1.heic", ftyp("mif1", "mif1", "heic"), "image/heic", "photo"],
    ["PXL_1.MP", MP4, "video/mp4", "video"],
    ["MVIMG_20191230_232926", MP4, "video/mp4", "video"],
    ["MVIMG_20191230_232926", bytes("plain"), undefined, undefined],
    // Bytes that match no signature leave the extension alone.
    ["a.raf", bytes("FUJIFILMCCD-RAW 0201"), "image/x-fuji-raf", "photo"],
    ["a.mkv", undefined, "video/x-matroska", "video"],
  ];
  for (const [name, head, mime, kind] of cases) {
    await t.step(
      `${name} ${head ? sniffMediaType(head)?.mime ?? "unknown bytes" : "no bytes"}`,
      () => {
        const found = mediaTypeOfFile(name, head);
        assert.equal(found?.mime, mime);
        assert.equal(found?.kind, kind);
      },
    );
  }
});

Deno.test("kindOf() and isVideo() follow the MIME type, then the recorded kind", () => {
  assert.equal(kindOf("image/heic"), "photo");
  assert.equal(kindOf("VIDEO/MP4"), "video");
  assert.equal(kindOf("application/octet-stream"), undefined);
  assert.equal(kindOf(null), undefined);
  assert.equal(isVideo({ mimeType: "video/mp4", mediaType: "photo" }), true);
  assert.equal(isVideo({ mimeType: "image/jpeg", mediaType: "video" }), false);
  assert.equal(isVideo({ mimeType: null, mediaType: "video" }), true);
  assert.equal(isVideo({ mimeType: "application/octet-stream", mediaType: "video" }), true);
  assert.equal(isVideo({ mimeType: undefined, mediaType: "photo" }), false);
});

Deno.test("live-photo videos are the MP4/QuickTime videos of the table", () => {
  assert.deepEqual(
    [...LIVE_PHOTO_VIDEO_EXTENSIONS].sort(),
    [".3g2", ".3gp", ".3gpp", ".m4v", ".mov", ".mp", ".mp4", ".mv", ".qt"],
  );
  for (const ext of LIVE_PHOTO_VIDEO_EXTENSIONS) {
    assert.equal(mediaTypeOfName(`x${ext}`)?.kind, "video");
  }
});

Deno.test("API items without a MIME type or metadata fall back to the file name", () => {
  assert.equal(isVideoItem({ id: "a", filename: "clip.mkv", mediaMetadata: {} }), true);
  assert.equal(isVideoItem({ id: "b", filename: "IMG_1.jpg", mediaMetadata: {} }), false);
  assert.equal(isVideoItem({ id: "c", filename: "clip.mkv", mimeType: "image/jpeg" }), false);
  assert.equal(
    isVideoItem({ id: "d", filename: "x.jpg", mediaMetadata: { video: { status: "READY" } } }),
    true,
  );
  assert.equal(
    recordFromLibraryItem({ id: "e", filename: "clip.wmv" }, "library").mediaType,
    "video",
  );
  assert.equal(isPickedVideo({ id: "f", mediaFile: { filename: "clip.mts" } }), true);
  assert.equal(
    isPickedVideo({ id: "g", type: "PHOTO", mediaFile: { filename: "clip.mts" } }),
    false,
  );
  assert.equal(
    isPickedVideo({ id: "h", mediaFile: { mimeType: "video/mp4", filename: "x.jpg" } }),
    true,
  );
});

interface ImportedRun {
  target: string;
  index: MediaIndex;
  cleanup(): Promise<void>;
}

/** Imports `files` (name → bytes) of one year folder, from a folder or a `.tgz` of it. */
async function importFiles(
  files: Record<string, Uint8Array>,
  form: "folder" | "tgz",
): Promise<ImportedRun> {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-media-type-" });
  const year = join(dir, "export", "Takeout", "Google Photos", "Photos from 2020");
  await Deno.mkdir(year, { recursive: true });
  const when = new Date("2020-06-01T12:00:00Z");
  for (const [name, data] of Object.entries(files)) {
    await Deno.writeFile(join(year, name), data);
    await Deno.utime(join(year, name), when, when);
  }
  let path = join(dir, "export");
  if (form === "tgz") {
    path = join(dir, "takeout-001.tgz");
    const tar = await new Deno.Command("tar", {
      args: ["czf", path, "-C", join(dir, "export"), "Takeout"],
    }).output();
    assert.equal(tar.code, 0, new TextDecoder().decode(tar.stderr));
  }
  const target = join(dir, "target");
  await Deno.mkdir(target);
  const index = MediaIndex.open(target);
  const report = await importTakeout({ target, paths: [path], index });
  assert.equal(report.failed, 0, JSON.stringify(report.problems));
  return {
    target,
    index,
    cleanup: async () => {
      index.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function rowNamed(index: MediaIndex, name: string) {
  const row = index.allItems().find((r) => r.originalName === name);
  assert.ok(row, `no row for "${name}"`);
  return row;
}

Deno.test("Takeout import and compare agree on videos only one of them used to know", async () => {
  // Takeout used to call .asf/.ts photos; compare used to skip .MP and .mod entirely.
  const names = ["clip.asf", "clip.ts", "clip.mod", "PXL_20200601_120000000.MP", "clip.mkv"];
  const run = await importFiles(
    Object.fromEntries(names.map((n, i) => [n, bytes(`not really a video ${i}`)])),
    "folder",
  );
  try {
    const scan = await scanFolder(join(run.target, "photos"));
    for (const name of names) {
      const row = rowNamed(run.index, name);
      const scanned = scan.files.find((f) => f.name === name);
      assert.ok(scanned, `compare did not see "${name}"`);
      assert.equal(row.mediaType, "video", name);
      assert.equal(scanned.mediaType, row.mediaType, name);
      assert.equal(row.mimeType, mimeOfName(name), name);
    }
  } finally {
    await run.cleanup();
  }
});

for (const form of ["folder", "tgz"] as const) {
  Deno.test(`Takeout import types a file by its bytes when its name lies (${form})`, async () => {
    const run = await importFiles({
      "IMG_0001.jpg": MP4,
      "IMG_0002.jpg": HEIC,
      "IMG_0003.jpg": JPEG,
      // Other bytes than IMG_0001.jpg's, or the two would be one item.
      "MVIMG_20200601_120000": bytes([...MP4], "motion"),
      "DSC_0004.NEF": bytes("II*", [0, 8, 0, 0, 0, 1, 2, 3]),
    }, form);
    try {
      const expect: [string, string, "photo" | "video"][] = [
        ["IMG_0001.jpg", "video/mp4", "video"],
        ["IMG_0002.jpg", "image/heic", "photo"],
        ["IMG_0003.jpg", "image/jpeg", "photo"],
        ["MVIMG_20200601_120000", "video/mp4", "video"],
        ["DSC_0004.NEF", "image/x-nikon-nef", "photo"],
      ];
      for (const [name, mime, kind] of expect) {
        const row = rowNamed(run.index, name);
        assert.deepEqual([row.mimeType, row.mediaType], [mime, kind], name);
      }
    } finally {
      await run.cleanup();
    }
  });
}
