/** The test account generator and media builders: deterministic, complete, real files. */
import assert from "node:assert/strict";
import exifr from "exifr";
import {
  addItems,
  generateAccount,
  NASTY_ALBUM_COUNT,
  NASTY_ITEM_COUNT,
} from "./fixtures/generate.ts";
import type { Account, FakeItem } from "./fixtures/account_types.ts";
import {
  crc32,
  exifDateTime,
  gif,
  heic,
  jpegGreyLevel,
  jpegWithExif,
  mp4WithCreationTime,
  png,
  quickTimeSeconds,
} from "./fixtures/media_bytes.ts";
import { clashKey, dateFolder, dateFromFileName, dupBaseName } from "../src/layout/mod.ts";

const utf8 = (s: string): number => new TextEncoder().encode(s).length;

/** Metadata of an account without the byte builders, for comparing accounts. */
function metadata(account: Account): unknown {
  return {
    items: account.items.map(({ bytes: _bytes, ...rest }) => rest),
    albums: account.albums,
  };
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- A small baseline JPEG decoder, so the test proves the files decode, not just parse. ---

const ZIGZAG = [
  0,
  1,
  8,
  16,
  9,
  2,
  3,
  10,
  17,
  24,
  32,
  25,
  18,
  11,
  4,
  5,
  12,
  19,
  26,
  33,
  40,
  48,
  41,
  34,
  27,
  20,
  13,
  6,
  7,
  14,
  21,
  28,
  35,
  42,
  49,
  56,
  57,
  50,
  43,
  36,
  29,
  22,
  15,
  23,
  30,
  37,
  44,
  51,
  58,
  59,
  52,
  45,
  38,
  31,
  39,
  46,
  53,
  60,
  61,
  54,
  47,
  55,
  62,
  63,
];

interface Decoded {
  width: number;
  height: number;
  pixels: number[];
  markers: number[];
}

/** Decodes a single-component baseline JPEG (what `jpegWithExif` writes), strictly. */
function decodeGreyJpeg(bytes: Uint8Array): Decoded {
  assert.equal(bytes[0], 0xff);
  assert.equal(bytes[1], 0xd8, "starts with SOI");
  const quant = new Map<number, number[]>();
  const huffman = new Map<number, Map<string, number>>();
  const markers: number[] = [];
  let width = 0;
  let height = 0;
  let quantId = 0;
  let at = 2;
  for (;;) {
    assert.equal(bytes[at], 0xff, `marker expected at ${at}`);
    const marker = bytes[at + 1];
    markers.push(marker);
    assert.notEqual(marker, 0xd9, "EOI before the scan");
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const body = bytes.subarray(at + 4, at + 2 + length);
    assert.equal(body.length, length - 2, "segment fits the file");
    at += 2 + length;
    if (marker === 0xdb) {
      assert.equal(body[0] >> 4, 0, "8-bit quantisers");
      quant.set(body[0] & 15, Array.from(body.subarray(1, 65)));
    } else if (marker === 0xc4) {
      let p = 0;
      while (p < body.length) {
        const tableClass = body[p];
        const counts = body.subarray(p + 1, p + 17);
        let code = 0;
        let k = p + 17;
        const table = new Map<string, number>();
        for (let len = 1; len <= 16; len++) {
          for (let i = 0; i < counts[len - 1]; i++) table.set(`${len}:${code++}`, body[k++]);
          code <<= 1;
        }
        huffman.set(tableClass, table);
        p = k;
      }
    } else if (marker === 0xc0) {
      assert.equal(body[0], 8);
      height = (body[1] << 8) | body[2];
      width = (body[3] << 8) | body[4];
      assert.equal(body[5], 1, "one component");
      assert.equal(body[7], 0x11, "no subsampling");
      quantId = body[8];
    } else if (marker === 0xda) {
      break;
    }
  }
  const q = quant.get(quantId)!;
  const dcTable = huffman.get(0x00)!;
  const acTable = huffman.get(0x10)!;
  let bitBuffer = 0;
  let bitCount = 0;
  const readBit = (): number => {
    if (bitCount === 0) {
      const byte = bytes[at++];
      if (byte === 0xff) assert.equal(bytes[at++], 0x00, "stuffed 0xFF in the scan");
      bitBuffer = byte;
      bitCount = 8;
    }
    bitCount--;
    return (bitBuffer >> bitCount) & 1;
  };
  const decode = (table: Map<string, number>): number => {
    let code = 0;
    for (let len = 1; len <= 16; len++) {
      code = (code << 1) | readBit();
      const value = table.get(`${len}:${code}`);
      if (value !== undefined) return value;
    }
    throw new Error("Bad Huffman code");
  };
  const receive = (size: number): number => {
    let value = 0;
    for (let i = 0; i < size; i++) value = (value << 1) | readBit();
    return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
  };
  const pixels: number[] = new Array(width * height).fill(-1);
  let prediction = 0;
  for (let by = 0; by < Math.ceil(height / 8); by++) {
    for (let bx = 0; bx < Math.ceil(width / 8); bx++) {
      const coef = new Array(64).fill(0);
      const dcSize = decode(dcTable);
      prediction += dcSize === 0 ? 0 : receive(dcSize);
      coef[0] = prediction * q[0];
      for (let k = 1; k < 64;) {
        const rs = decode(acTable);
        const run = rs >> 4;
        const size = rs & 15;
        if (size === 0) {
          if (run === 15) {
            k += 16;
            continue;
          }
          break;
        }
        k += run;
        coef[ZIGZAG[k]] = receive(size) * q[k];
        k++;
      }
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          let sum = 0;
          for (let v = 0; v < 8; v++) {
            for (let u = 0; u < 8; u++) {
              const cu = u === 0 ? Math.SQRT1_2 : 1;
              const cv = v === 0 ? Math.SQRT1_2 : 1;
              sum += cu * cv * coef[v * 8 + u] *
                Math.cos(((2 * x + 1) * u * Math.PI) / 16) *
                Math.cos(((2 * y + 1) * v * Math.PI) / 16);
            }
          }
          const px = bx * 8 + x;
          const py = by * 8 + y;
          if (px < width && py < height) {
            pixels[py * width + px] = Math.min(255, Math.max(0, Math.round(sum / 4 + 128)));
          }
        }
      }
    }
  }
  // Padding bits are ones; then EOI must follow.
  assert.equal(bytes[at], 0xff);
  assert.equal(bytes[at + 1], 0xd9, "EOI right after the scan");
  assert.equal(at + 2, bytes.length, "nothing after EOI");
  return { width, height, pixels, markers };
}

// --- ISO BMFF boxes ---

interface Box {
  type: string;
  start: number;
  size: number;
  body: Uint8Array;
}

function boxes(bytes: Uint8Array): Box[] {
  const out: Box[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.length;) {
    const size = view.getUint32(at);
    assert.ok(size >= 8 && at + size <= bytes.length, `box at ${at} fits`);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    out.push({ type, start: at, size, body: bytes.subarray(at + 8, at + size) });
    at += size;
  }
  return out;
}

Deno.test("jpegWithExif() writes a real JPEG whose EXIF exifr reads back", async (t) => {
  const taken = new Date("2020-02-29T08:40:52Z");

  await t.step("DateTimeOriginal parses back", async () => {
    const jpeg = jpegWithExif({ seed: 1, dateTimeOriginal: taken });
    const tags = await exifr.parse(jpeg, ["DateTimeOriginal", "OffsetTimeOriginal"]);
    assert.equal((tags.DateTimeOriginal as Date).toISOString(), taken.toISOString());
    assert.equal(tags.OffsetTimeOriginal, "+00:00");
  });

  await t.step("dates before 1970 and far in the future parse back", async () => {
    for (
      const iso of [
        "1969-07-20T20:17:40.000Z",
        "1901-12-14T00:00:00.000Z",
        "2099-01-01T00:00:00.000Z",
      ]
    ) {
      const tags = await exifr.parse(jpegWithExif({ seed: 2, dateTimeOriginal: new Date(iso) }));
      assert.equal((tags.DateTimeOriginal as Date).toISOString(), iso);
    }
  });

  await t.step("GPS parses back to decimal degrees in all four quadrants", async () => {
    for (const [lat, lon] of [[48.8583, 2.2945], [-33.8568, 151.2153], [40.6892, -74.0445]]) {
      const jpeg = jpegWithExif({ seed: 3, dateTimeOriginal: taken, gps: { lat, lon } });
      const gps = await exifr.gps(jpeg);
      assert.ok(Math.abs(gps.latitude - lat) < 1e-6, `latitude ${gps.latitude}`);
      assert.ok(Math.abs(gps.longitude - lon) < 1e-6, `longitude ${gps.longitude}`);
    }
  });

  await t.step("GPS without a date, and no EXIF at all without either", async () => {
    const gpsOnly = await exifr.parse(jpegWithExif({ seed: 4, gps: { lat: 1.5, lon: 2.5 } }), {
      gps: true,
    });
    assert.equal(gpsOnly.DateTimeOriginal, undefined);
    assert.ok(Math.abs(gpsOnly.latitude - 1.5) < 1e-6);
    const bare = jpegWithExif({ seed: 4 });
    assert.equal(await exifr.parse(bare), undefined);
    assert.ok(!decodeGreyJpeg(bare).markers.includes(0xe1), "no APP1 segment");
  });

  await t.step("it decodes to an 8x8 image of the seed's grey level", () => {
    for (const seed of [0, 1, 2, 99, 123456, 2 ** 40 + 7]) {
      const decoded = decodeGreyJpeg(jpegWithExif({ seed, dateTimeOriginal: taken }));
      assert.equal(decoded.width, 8);
      assert.equal(decoded.height, 8);
      assert.deepEqual(decoded.pixels, new Array(64).fill(jpegGreyLevel(seed)));
      assert.deepEqual(decoded.markers, [0xe1, 0xfe, 0xdb, 0xc0, 0xc4, 0xda]);
    }
  });

  await t.step("the same seed gives the same bytes, another seed other bytes", async () => {
    const a = await sha256(jpegWithExif({ seed: 10, dateTimeOriginal: taken }));
    assert.equal(a, await sha256(jpegWithExif({ seed: 10, dateTimeOriginal: taken })));
    const hashes = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      hashes.add(await sha256(jpegWithExif({ seed, dateTimeOriginal: taken })));
    }
    assert.equal(hashes.size, 200);
  });

  await t.step("sizeBytes pads to the exact size and the file still decodes", async () => {
    for (const size of [400, 4096, 65_540, 131_075, 131_076, 131_077, 1_048_576]) {
      const jpeg = jpegWithExif({ seed: 5, dateTimeOriginal: taken, sizeBytes: size });
      assert.equal(jpeg.length, size);
      const tags = await exifr.parse(jpeg, ["DateTimeOriginal"]);
      assert.equal((tags.DateTimeOriginal as Date).toISOString(), taken.toISOString());
      assert.deepEqual(decodeGreyJpeg(jpeg).pixels, new Array(64).fill(jpegGreyLevel(5)));
    }
    assert.ok(jpegWithExif({ seed: 5, sizeBytes: 10 }).length > 10, "too small is ignored");
  });

  await t.step("exifDateTime() writes EXIF's format in UTC", () => {
    assert.equal(exifDateTime(new Date("0999-05-01T01:02:03Z")), "0999:05:01 01:02:03");
  });
});

Deno.test("mp4WithCreationTime() stores the creation time in mvhd", async (t) => {
  const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const mvhdOf = (file: Uint8Array): Uint8Array => {
    const moov = boxes(file).find((b) => b.type === "moov")!;
    const mvhd = boxes(moov.body).find((b) => b.type === "mvhd")!;
    return mvhd.body;
  };

  await t.step("ftyp, moov, mdat in order; version 0; seconds since 1904", () => {
    const time = new Date("2021-06-01T12:00:00Z");
    const file = mp4WithCreationTime({ seed: 1, creationTime: time });
    assert.deepEqual(boxes(file).map((b) => b.type), ["ftyp", "moov", "mdat"]);
    const ftyp = boxes(file)[0].body;
    assert.equal(new TextDecoder().decode(ftyp.subarray(0, 4)), "isom");
    const mvhd = mvhdOf(file);
    assert.equal(mvhd.length, 100, "a version 0 mvhd is 108 bytes with its header");
    assert.equal(mvhd[0], 0);
    const expected = time.getTime() / 1000 + 2_082_844_800;
    assert.equal(view(mvhd).getUint32(4), expected, "creation_time");
    assert.equal(view(mvhd).getUint32(8), expected, "modification_time");
    assert.equal(view(mvhd).getUint32(12), 1000, "timescale");
    assert.equal(quickTimeSeconds(time), expected);
  });

  await t.step("the epoch and known values", () => {
    assert.equal(quickTimeSeconds(new Date("1904-01-01T00:00:00Z")), 0);
    assert.equal(quickTimeSeconds(new Date("1970-01-01T00:00:00Z")), 2_082_844_800);
    assert.equal(quickTimeSeconds(new Date("1901-12-14T00:00:00Z")), 0, "before 1904 -> unknown");
    assert.equal(quickTimeSeconds(undefined), 0);
  });

  await t.step("no creation time writes 0", () => {
    assert.equal(view(mvhdOf(mp4WithCreationTime({ seed: 2 }))).getUint32(4), 0);
  });

  await t.step("after 2040 it switches to a version 1 mvhd with 64-bit times", () => {
    const time = new Date("2099-01-01T00:00:00Z");
    const mvhd = mvhdOf(mp4WithCreationTime({ seed: 3, creationTime: time }));
    assert.equal(mvhd[0], 1);
    assert.equal(Number(view(mvhd).getBigUint64(4)), time.getTime() / 1000 + 2_082_844_800);
  });

  await t.step("MOV uses the QuickTime brand", () => {
    const file = mp4WithCreationTime({ seed: 4, brand: "qt  " });
    assert.equal(new TextDecoder().decode(boxes(file)[0].body.subarray(0, 4)), "qt  ");
  });

  await t.step("sizeBytes is exact, seeds make files distinct", async () => {
    for (const size of [200, 5000, 1_048_576]) {
      assert.equal(mp4WithCreationTime({ seed: 5, sizeBytes: size }).length, size);
    }
    const a = await sha256(mp4WithCreationTime({ seed: 6 }));
    const b = await sha256(mp4WithCreationTime({ seed: 7 }));
    assert.notEqual(a, b);
  });
});

Deno.test("png(), gif() and heic() build small valid files", async (t) => {
  await t.step("PNG chunks have valid CRCs and IDAT inflates to 8 rows", async () => {
    const file = png(3);
    assert.deepEqual(Array.from(file.subarray(0, 8)), [137, 80, 78, 71, 13, 10, 26, 10]);
    const view = new DataView(file.buffer);
    const types: string[] = [];
    let idat: Uint8Array<ArrayBuffer> | undefined;
    for (let at = 8; at < file.length;) {
      const length = view.getUint32(at);
      const type = new TextDecoder().decode(file.subarray(at + 4, at + 8));
      types.push(type);
      assert.equal(view.getUint32(at + 8 + length), crc32(file.subarray(at + 4, at + 8 + length)));
      if (type === "IDAT") idat = file.slice(at + 8, at + 8 + length);
      at += 12 + length;
    }
    assert.deepEqual(types, ["IHDR", "tEXt", "IDAT", "IEND"]);
    const stream = new Blob([idat!]).stream().pipeThrough(new DecompressionStream("deflate"));
    const raw = new Uint8Array(await new Response(stream).arrayBuffer());
    assert.equal(raw.length, 8 * 9);
    for (let row = 0; row < 8; row++) assert.equal(raw[row * 9], 0, "filter type None");
  });

  await t.step("crc32() matches the known check value", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  });

  await t.step("GIF has its header, a 1x1 image and the trailer", () => {
    const file = gif(3);
    assert.equal(new TextDecoder().decode(file.subarray(0, 6)), "GIF89a");
    assert.deepEqual(Array.from(file.subarray(6, 10)), [1, 0, 1, 0]);
    assert.equal(file.at(-1), 0x3b);
  });

  await t.step("HEIC starts with an ftyp heic box", () => {
    const file = heic(3);
    const [ftyp] = boxes(file);
    assert.equal(ftyp.type, "ftyp");
    assert.equal(new TextDecoder().decode(ftyp.body.subarray(0, 4)), "heic");
  });

  await t.step("every builder pads to an exact size and differs per seed", async () => {
    for (const build of [png, gif, heic]) {
      for (const size of [300, 511, 512, 513, 769, 70_000, 1_048_576]) {
        assert.equal(build(9, { sizeBytes: size }).length, size, `${build.name} ${size}`);
      }
      assert.notEqual(await sha256(build(1)), await sha256(build(2)));
    }
  });
});

Deno.test("generateAccount() is deterministic for a seed", async (t) => {
  const a = generateAccount({ items: 300, seed: 42, albums: 5 });
  const b = generateAccount({ items: 300, seed: 42, albums: 5 });
  const c = generateAccount({ items: 300, seed: 43, albums: 5 });

  await t.step("same seed, same metadata", () => assert.deepEqual(metadata(a), metadata(b)));

  await t.step("same seed, same bytes", async () => {
    for (const i of [0, 30, 33, 100, 299]) {
      assert.equal(await sha256(a.items[i].bytes()), await sha256(b.items[i].bytes()));
    }
  });

  await t.step("another seed, other ids, names and bytes", async () => {
    assert.notDeepEqual(metadata(a), metadata(c));
    assert.notEqual(a.items[0].id, c.items[0].id);
    assert.notEqual(await sha256(a.items[0].bytes()), await sha256(c.items[0].bytes()));
    const names = (x: Account) => x.items.slice(NASTY_ITEM_COUNT).map((i) => i.filename);
    assert.notDeepEqual(names(a), names(c));
  });

  await t.step("bytes are built on each call, not kept", () => {
    const item = a.items[100];
    const first = item.bytes();
    first[first.length - 1] ^= 0xff;
    assert.notDeepEqual(item.bytes(), first);
  });
});

/** Finds the one item with this exact file name (and date prefix, when given). */
function only(account: Account, filename: string, datePrefix = ""): FakeItem {
  const found = account.items.filter((item) =>
    item.filename === filename && (item.creationTime ?? "").startsWith(datePrefix)
  );
  assert.equal(found.length, 1, `exactly one ${JSON.stringify(filename)} ${datePrefix}`);
  return found[0];
}

Deno.test("generateAccount() puts every hard case first", async (t) => {
  const account = generateAccount({ items: 200 });
  const hard = account.items.slice(0, NASTY_ITEM_COUNT);
  const byId = new Map(account.items.map((item) => [item.id, item]));
  const names = hard.map((item) => item.filename);

  await t.step("three IMG_0001.JPG in 2020-02 that clash", () => {
    const dups = hard.filter((i) =>
      i.filename === "IMG_0001.JPG" && i.creationTime?.startsWith("2020-02")
    );
    assert.equal(dups.length, 3);
    const folders = new Set(dups.map((i) => dateFolder(new Date(i.creationTime!))));
    assert.equal(folders.size, 1);
  });

  await t.step("names differing only in case, in one month", () => {
    const lower = only(account, "img_0002.jpg");
    const upper = only(account, "IMG_0002.JPG");
    assert.equal(lower.creationTime!.slice(0, 7), upper.creationTime!.slice(0, 7));
    assert.equal(clashKey(lower.filename), clashKey(upper.filename));
  });

  await t.step("café in NFC and in NFD", () => {
    const nfc = only(account, "caf\u00e9.jpg");
    const nfd = only(account, "cafe\u0301.jpg");
    assert.notEqual(nfc.filename, nfd.filename);
    assert.equal(nfc.filename.normalize("NFC"), nfd.filename.normalize("NFC"));
    assert.equal(nfc.creationTime!.slice(0, 7), nfd.creationTime!.slice(0, 7));
  });

  await t.step("a name carrying Google's (2) next to its plain form", () => {
    const dup = only(account, "IMG (2).jpg");
    const plain = only(account, "IMG.jpg");
    assert.equal(clashKey(dupBaseName(dup.filename)), clashKey(plain.filename));
  });

  await t.step("each forbidden character and control characters", () => {
    for (const char of ["/", "\\", ":", "*", "?", '"', "<", ">", "|"]) {
      assert.ok(names.some((n) => n.includes(char)), `a name with ${char}`);
    }
    // deno-lint-ignore no-control-regex -- looking for control characters on purpose
    assert.ok(names.some((n) => /[\u0000-\u001f\u007f]/.test(n)));
  });

  await t.step("names that are no file name as they are", () => {
    for (const name of ["..", ".", "", ".hidden.jpg", "CON.jpg", "nul", "IMG_0003"]) {
      assert.ok(names.includes(name), `the name ${JSON.stringify(name)}`);
    }
    assert.ok(names.some((n) => /[. ]$/.test(n)), "a name with trailing dots and spaces");
    const long = names.filter((n) => utf8(n) === 300);
    assert.ok(long.some((n) => /^[\x20-\x7e]+$/.test(n)), "a 300-byte ASCII name");
    assert.ok(long.some((n) => /[^\p{ASCII}]/u.test(n)), "a 300-byte multi-byte name");
  });

  await t.step("every media type; videos PROCESSING and FAILED, the rest READY", () => {
    const types = new Set(hard.map((i) => i.mimeType));
    for (const type of ["image/jpeg", "image/heic", "image/png", "image/gif"]) {
      assert.ok(types.has(type), type);
    }
    assert.ok(types.has("video/mp4") && types.has("video/quicktime"));
    const statuses = account.items.filter((i) => i.mimeType.startsWith("video/"))
      .map((i) => i.videoStatus);
    assert.equal(statuses.filter((s) => s === "PROCESSING").length, 1);
    assert.equal(statuses.filter((s) => s === "FAILED").length, 1);
    assert.ok(statuses.every((s) => s === "READY" || s === "PROCESSING" || s === "FAILED"));
    assert.ok(
      account.items.filter((i) => !i.mimeType.startsWith("video/"))
        .every((i) => i.videoStatus === undefined),
    );
  });

  await t.step("dates before 1970, before 1904, far future and none", () => {
    const times = hard.map((i) => i.creationTime);
    assert.ok(times.includes("1969-07-20T20:17:40Z"));
    assert.ok(times.some((t) => t?.startsWith("1901-")));
    assert.ok(times.includes("2099-01-01T00:00:00Z"));
    const undated = hard.filter((i) => i.creationTime === undefined);
    assert.ok(undated.length >= 3);
    assert.ok(undated.some((i) => i.mimeType.startsWith("video/")), "an undated video");
    assert.ok(undated.some((i) => dateFromFileName(i.filename) !== undefined), "dated by name");
    for (const time of times) {
      if (time !== undefined) assert.match(time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
  });

  await t.step("archived, favourite and described items", () => {
    assert.ok(hard.some((i) => i.archived && !i.favourite));
    assert.ok(hard.some((i) => i.favourite && !i.archived));
    assert.ok(hard.some((i) => i.archived && i.favourite));
    assert.ok(hard.some((i) => i.description?.includes("\n")));
  });

  await t.step("hard-case albums", () => {
    const albums = account.albums.slice(0, NASTY_ALBUM_COUNT);
    const titles = albums.map((a) => a.title);
    assert.equal(titles.filter((t) => t === "Trip").length, 2, "duplicate titles");
    assert.ok(titles.includes(undefined), "an untitled album");
    assert.ok(titles.some((t) => t?.includes("/")), "a title with a slash");
    assert.ok(titles.some((t) => t !== undefined && /\p{Extended_Pictographic}/u.test(t)));
    assert.ok(titles.some((t) => t?.length === 500), "a 500-character title");
    assert.ok(albums.some((a) => a.itemIds.length === 0), "an empty album");
    assert.ok(albums.filter((a) => a.shared).length >= 2, "shared albums");
    const months = (ids: string[]) =>
      new Set(ids.map((id) => byId.get(id)?.creationTime?.slice(0, 7)).filter(Boolean)).size;
    assert.ok(albums.some((a) => months(a.itemIds) >= 3), "an album over several months");
    const counts = new Map<string, number>();
    for (const album of account.albums) {
      for (const id of album.itemIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    assert.ok([...counts.values()].some((n) => n >= 3), "an item in three albums");
  });

  await t.step("album-only items are in a shared album and not in the library", () => {
    const albumOnly = account.items.filter((i) => !i.inLibrary);
    assert.ok(albumOnly.length >= 2);
    for (const item of albumOnly) {
      assert.ok(account.albums.some((a) => a.shared && a.itemIds.includes(item.id)));
    }
  });

  await t.step("every album item exists and no album repeats an item", () => {
    for (const album of account.albums) {
      for (const id of album.itemIds) assert.ok(byId.has(id), `album item ${id}`);
      assert.equal(new Set(album.itemIds).size, album.itemIds.length);
    }
  });

  await t.step("ids: unique, base64url, 64 characters or more", () => {
    const ids = [...account.items.map((i) => i.id), ...account.albums.map((a) => a.id)];
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{64,}$/);
  });

  await t.step("photo bytes carry the creation time as DateTimeOriginal", async () => {
    for (const name of ["moon_landing.jpg", "old_scan.jpg", "future.jpg", "caf\u00e9.jpg"]) {
      const item = only(account, name);
      const tags = await exifr.parse(item.bytes(), ["DateTimeOriginal"]);
      assert.equal(
        (tags.DateTimeOriginal as Date).toISOString(),
        new Date(item.creationTime!).toISOString(),
      );
    }
    assert.equal(await exifr.parse(only(account, "no_date.jpg").bytes()), undefined);
  });

  await t.step("video bytes carry the creation time in mvhd", () => {
    const item = only(account, "VID_20210601_120000.mp4");
    const moov = boxes(item.bytes()).find((b) => b.type === "moov")!;
    const mvhd = boxes(moov.body)[0].body;
    const seconds = new DataView(mvhd.buffer, mvhd.byteOffset).getUint32(4);
    assert.equal(seconds, quickTimeSeconds(new Date(item.creationTime!)));
  });

  await t.step("every item's bytes are distinct", async () => {
    const hashes = new Set(await Promise.all(account.items.map((i) => sha256(i.bytes()))));
    assert.equal(hashes.size, account.items.length);
  });
});

Deno.test("generateAccount() options shape the account", async (t) => {
  await t.step("items is the exact count; fewer than the hard cases cuts them short", () => {
    assert.equal(generateAccount({ items: 1000 }).items.length, 1000);
    const small = generateAccount({ items: 5 });
    assert.equal(small.items.length, 5);
    assert.deepEqual(small.items.map((i) => i.filename).slice(0, 3), Array(3).fill("IMG_0001.JPG"));
    for (const album of small.albums) {
      for (const id of album.itemIds) assert.ok(small.items.some((i) => i.id === id));
    }
    assert.equal(generateAccount({ items: 0 }).items.length, 0);
  });

  await t.step("nasty: false gives only ordinary items and albums", () => {
    const plain = generateAccount({ items: 500, nasty: false, albums: 4 });
    assert.equal(plain.albums.length, 4);
    for (const item of plain.items) {
      assert.equal(dupBaseName(item.filename), item.filename, "already safe");
      assert.ok(item.inLibrary && item.creationTime !== undefined);
    }
  });

  await t.step("albums counts the ordinary albums after the hard ones", () => {
    assert.equal(generateAccount({ items: 100, albums: 7 }).albums.length, NASTY_ALBUM_COUNT + 7);
  });

  await t.step("ordinary items: 2000-2025, ~5% videos, names agreeing with dates", () => {
    const account = generateAccount({ items: 20_000, nasty: false, seed: 7 });
    let videos = 0;
    for (const item of account.items) {
      const time = new Date(item.creationTime!);
      assert.ok(time.getUTCFullYear() >= 2000 && time.getUTCFullYear() <= 2025);
      if (item.mimeType.startsWith("video/")) videos++;
      const fromName = dateFromFileName(item.filename);
      if (fromName !== undefined) {
        assert.equal(fromName.toISOString().slice(0, 10), item.creationTime!.slice(0, 10));
      }
    }
    const share = videos / account.items.length;
    assert.ok(share > 0.04 && share < 0.06, `video share ${share}`);
    const names = new Set(account.items.map((i) => i.filename.replace(/\d/g, "#")));
    assert.ok(names.size >= 6, "varied name patterns");
  });

  await t.step("appCreatedShare marks that share of items as app-created", () => {
    const none = generateAccount({ items: 2000 });
    assert.ok(none.items.every((i) => !i.appCreated));
    const all = generateAccount({ items: 200, appCreatedShare: 1 });
    assert.ok(all.items.every((i) => i.appCreated) && all.albums.every((a) => a.appCreated));
    const some = generateAccount({ items: 4000, appCreatedShare: 0.25 });
    const share = some.items.filter((i) => i.appCreated).length / 4000;
    assert.ok(share > 0.2 && share < 0.3, `share ${share}`);
  });

  await t.step("itemBytes sets every file's size", () => {
    const account = generateAccount({ items: 60, itemBytes: 20_000 });
    for (const item of account.items) assert.equal(item.bytes().length, 20_000, item.mimeType);
  });

  await t.step("100,000 items of metadata, ids unique", () => {
    const account = generateAccount({ items: 100_000 });
    assert.equal(account.items.length, 100_000);
    assert.equal(new Set(account.items.map((i) => i.id)).size, 100_000);
  });
});

Deno.test("addItems() appends later uploads, some backdated", async (t) => {
  const account = generateAccount({ items: 100 });
  const before = account.items.map((i) => i.id);
  const dated = account.items.flatMap((i) => i.creationTime ? [Date.parse(i.creationTime)] : []);
  const oldest = Math.min(...dated);
  const newest = Math.max(...dated);
  const added = addItems(account, 10, { seed: 9, backdated: 3 });

  await t.step("appends after the existing items", () => {
    assert.equal(added.length, 10);
    assert.equal(account.items.length, 110);
    assert.deepEqual(account.items.slice(0, 100).map((i) => i.id), before);
    assert.deepEqual(account.items.slice(100), added);
  });

  await t.step("the first backdated ones are older than every existing item", () => {
    for (const item of added.slice(0, 3)) assert.ok(Date.parse(item.creationTime!) < oldest);
    for (const item of added.slice(3)) assert.ok(Date.parse(item.creationTime!) > newest);
  });

  await t.step("ids stay unique and the result is deterministic", () => {
    assert.equal(new Set(account.items.map((i) => i.id)).size, 110);
    const again = generateAccount({ items: 100 });
    const addedAgain = addItems(again, 10, { seed: 9, backdated: 3 });
    assert.deepEqual(
      addedAgain.map(({ bytes: _b, ...rest }) => rest),
      added.map(({ bytes: _b, ...rest }) => rest),
    );
  });

  await t.step("their bytes carry their dates", async () => {
    const photo = added.find((i) => i.mimeType === "image/jpeg")!;
    const tags = await exifr.parse(photo.bytes(), ["DateTimeOriginal"]);
    assert.equal(
      (tags.DateTimeOriginal as Date).toISOString(),
      new Date(photo.creationTime!).toISOString(),
    );
  });
});
