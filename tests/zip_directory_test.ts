import assert from "node:assert/strict";
import zlib from "node:zlib";
import { join } from "node:path";
import {
  type Entry,
  Uint8ArrayReader,
  Uint8ArrayWriter,
  ZipReader,
  ZipWriter,
} from "@zip.js/zip.js";
import {
  locateDirectory,
  walkDirectory,
  type ZipDirEntry,
  type ZipJsNeeded,
} from "../src/sources/takeout/zip_directory.ts";
import { readTakeout } from "../src/sources/takeout/read_takeout.ts";
import { MAX_JSON_BYTES } from "../src/sources/takeout/part.ts";

const enc = new TextEncoder();

/** One entry of a hand-made zip. */
interface Rec {
  name: string | Uint8Array;
  data?: Uint8Array;
  flags?: number;
  method?: number;
  /** CRC-32 in the headers, when not the data's. */
  crc?: number;
  /** Sizes claimed in the directory, when not the data's (zip64 only). */
  size?: number;
  /** The uncompressed size claimed in both headers, when not the data's. */
  claimedSize?: number;
  date?: number;
  time?: number;
  extra?: Uint8Array;
  /** The local header's extra field (the central one is `extra`). */
  localExtra?: Uint8Array;
  external?: number;
}

function u16(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff];
}
function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}
function u64(n: number): number[] {
  return [...u32(n % 2 ** 32), ...u32(Math.floor(n / 2 ** 32))];
}
function field(type: number, data: number[]): number[] {
  return [...u16(type), ...u16(data.length), ...data];
}

/** A zip built byte by byte; `zip64` puts sizes, offsets and the directory in zip64 records. */
function buildZip(recs: Rec[], opts: { zip64?: boolean; count?: number } = {}): Uint8Array {
  const out: number[] = [];
  const central: number[] = [];
  for (const r of recs) {
    const name = typeof r.name === "string" ? enc.encode(r.name) : r.name;
    const data = r.data ?? new Uint8Array(0);
    const stored = r.method === 8 ? zlib.deflateRawSync(data) : data;
    const crc = r.crc ?? zlib.crc32(data) >>> 0;
    const at = out.length;
    const common = [
      ...u16(r.flags ?? 0),
      ...u16(r.method ?? 0),
      ...u16(r.time ?? 0x6000),
      ...u16(r.date ?? 0x5821),
      ...u32(crc),
    ];
    out.push(...u32(0x04034b50), ...u16(45), ...common, ...u32(stored.length));
    const localExtra = r.localExtra ?? new Uint8Array(0);
    const size = r.claimedSize ?? data.length;
    out.push(...u32(size), ...u16(name.length), ...u16(localExtra.length), ...name);
    // Byte by byte: a spread of megabytes would overflow the call stack.
    for (const b of localExtra) out.push(b);
    for (const b of stored) out.push(b);
    const extra = opts.zip64
      ? [...field(1, [...u64(r.size ?? size), ...u64(r.size ?? stored.length), ...u64(at)])]
      : [];
    extra.push(...(r.extra ?? []));
    const max = opts.zip64 ? 0xffffffff : -1;
    central.push(...u32(0x02014b50), ...u16(0x031e), ...u16(45), ...common);
    central.push(...u32(max >= 0 ? max : stored.length), ...u32(max >= 0 ? max : size));
    central.push(...u16(name.length), ...u16(extra.length), ...u16(0), ...u16(0), ...u16(0));
    central.push(...u32(r.external ?? 0o100644 * 65536), ...u32(max >= 0 ? max : at));
    central.push(...name, ...extra);
  }
  const dirAt = out.length;
  out.push(...central);
  const count = opts.count ?? recs.length;
  if (opts.zip64) {
    const recAt = out.length;
    out.push(...u32(0x06064b50), ...u64(44), ...u16(45), ...u16(45), ...u32(0), ...u32(0));
    out.push(...u64(count), ...u64(count), ...u64(central.length), ...u64(dirAt));
    out.push(...u32(0x07064b50), ...u32(0), ...u64(recAt), ...u32(1));
    out.push(...u32(0x06054b50), ...u16(0xffff), ...u16(0xffff), ...u16(0xffff), ...u16(0xffff));
    out.push(...u32(0xffffffff), ...u32(0xffffffff), ...u16(0));
  } else {
    out.push(...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(count), ...u16(count));
    out.push(...u32(central.length), ...u32(dirAt), ...u16(0));
  }
  return new Uint8Array(out);
}

function ours(bytes: Uint8Array): (ZipDirEntry | ZipJsNeeded)[] {
  const read = (at: number, n: number) => bytes.subarray(at, at + n);
  const dir = locateDirectory(read, bytes.length);
  assert.ok(dir, "a clean directory is located");
  return [...walkDirectory(read, dir)];
}

function summary(e: ZipDirEntry) {
  return {
    name: e.name,
    directory: e.directory,
    method: e.method,
    crc32: e.crc32,
    compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize,
    offset: e.localHeaderOffset,
    mtime: e.mtime.getTime(),
  };
}

function summaryJs(z: Entry) {
  return {
    name: z.filename,
    directory: z.directory,
    method: z.compressionMethod,
    crc32: z.crc32,
    compressedSize: z.compressedSize,
    uncompressedSize: z.uncompressedSize,
    offset: z.offset,
    mtime: z.lastModDate.getTime(),
  };
}

/** zip.js's listing with the options the zip part used to give it. */
async function zipJs(bytes: Uint8Array) {
  const reader = new ZipReader(new Uint8ArrayReader(bytes), {
    useWebWorkers: false,
    filenameEncoding: "utf-8",
    filenameValidation: "tolerant",
  });
  return (await reader.getEntries()).map(summaryJs);
}

/** Our listing equals zip.js's, entry by entry; returns ours. */
async function sameAsZipJs(bytes: Uint8Array) {
  const got = ours(bytes).map((e) => {
    assert.ok(!("zipJs" in e), `entry ${e.index} is read without zip.js`);
    return summary(e as ZipDirEntry);
  });
  assert.deepEqual(got, await zipJs(bytes));
  return got;
}

Deno.test("zip directory: archives zip.js writes are listed as zip.js lists them", async (t) => {
  for (const zip64 of [false, true]) {
    await t.step(zip64 ? "zip64" : "plain", async () => {
      const out = new Uint8ArrayWriter();
      const w = new ZipWriter(out, { useWebWorkers: false, zip64 });
      const when = new Date(Date.UTC(2021, 5, 7, 8, 9, 10));
      await w.add("Takeout/", undefined, { directory: true, lastModDate: when });
      await w.add(
        "Takeout/Google Photos/Été 2020/IMG_1.jpg",
        new Uint8ArrayReader(enc.encode("x")),
        {
          level: 0,
          lastModDate: when,
        },
      );
      await w.add(
        "Takeout/Google Photos/a.json",
        new Uint8ArrayReader(enc.encode("{}".repeat(99))),
        {
          level: 6,
          lastModDate: new Date(Date.UTC(2030, 0, 2)),
          extendedTimestamp: false,
        },
      );
      await w.close();
      const got = await sameAsZipJs(await out.getData());
      assert.equal(got.length, 3);
      assert.equal(got[0].directory, true);
      assert.equal(got[1].name, "Takeout/Google Photos/Été 2020/IMG_1.jpg");
      assert.equal(got[1].mtime, when.getTime());
      assert.equal(got[2].method, 8);
    });
  }
});

Deno.test("zip directory: zip64 sizes and offsets come from the zip64 fields", async () => {
  const big = 5 * 2 ** 32 + 12345;
  const bytes = buildZip([
    { name: "a.jpg", data: enc.encode("AAAA") },
    { name: "huge.mp4", data: enc.encode("B"), size: big },
  ], { zip64: true });
  const got = await sameAsZipJs(bytes);
  assert.deepEqual(got.map((e) => [e.uncompressedSize, e.compressedSize]), [[4, 4], [big, big]]);
  assert.equal(got[1].offset, 30 + 5 + 4);
  const dir = locateDirectory((at, n) => bytes.subarray(at, at + n), bytes.length)!;
  assert.equal(dir.count, 2);
});

Deno.test("zip directory: names decode as before (UTF-8, the Unicode path field)", async () => {
  const cp437 = new Uint8Array([0x81, 0x94, 0x2e, 0x6a, 0x70, 0x67]); // "üö.jpg" in CP437
  const raw = enc.encode("plain.jpg");
  const unicode = enc.encode("Ñandú.jpg");
  const got = await sameAsZipJs(buildZip([
    { name: "Åsa/flagged.jpg", flags: 0x800 },
    { name: "Åsa/unflagged.jpg" },
    { name: cp437 },
    {
      name: raw,
      extra: new Uint8Array(field(0x7075, [1, ...u32(zlib.crc32(raw) >>> 0), ...unicode])),
    },
    { name: "stale.jpg", extra: new Uint8Array(field(0x7075, [1, ...u32(1), ...unicode])) },
  ]));
  assert.deepEqual(got.map((e) => e.name), [
    "Åsa/flagged.jpg",
    "Åsa/unflagged.jpg",
    // zip.js was told every name is UTF-8: CP437 bytes stay replacement characters, as before.
    "\ufffd\ufffd.jpg",
    "Ñandú.jpg",
    "stale.jpg",
  ]);
});

Deno.test("zip directory: the entry time is the one zip.js derived", async () => {
  const ntfsTicks = (ms: number) => BigInt(ms + 11644473600000) * 10000n;
  const ntfs = (ms: number) => {
    const b = new Uint8Array(24);
    new DataView(b.buffer).setBigUint64(0, ntfsTicks(ms), true);
    return field(0x000a, [...u32(0), ...u16(1), ...u16(24), ...b]);
  };
  const t1 = Date.UTC(2019, 3, 4, 5, 6, 7);
  const t2 = Date.UTC(2001, 1, 2, 3, 4, 5);
  const got = await sameAsZipJs(buildZip([
    {
      name: "dos.jpg",
      date: ((2020 - 1980) << 9) | (7 << 5) | 14,
      time: (13 << 11) | (5 << 5) | 3,
    },
    { name: "early.jpg", date: 0, time: 0 },
    // Instants are remembered per DOS date and time: the same pair, then the same date later on.
    {
      name: "dos-again.jpg",
      date: ((2020 - 1980) << 9) | (7 << 5) | 14,
      time: (13 << 11) | (5 << 5) | 3,
    },
    {
      name: "dos-later.jpg",
      date: ((2020 - 1980) << 9) | (7 << 5) | 14,
      time: (14 << 11) | (5 << 5) | 3,
    },
    { name: "ext.jpg", extra: new Uint8Array(field(0x5455, [1, ...u32(t1 / 1000)])) },
    { name: "unix.jpg", extra: new Uint8Array(field(0x5855, [...u32(0), ...u32(t2 / 1000)])) },
    { name: "ntfs.jpg", extra: new Uint8Array(ntfs(t2 + 123)) },
    {
      name: "both.jpg",
      extra: new Uint8Array([...field(0x5455, [1, ...u32(t1 / 1000)]), ...ntfs(t2)]),
    },
    { name: "short.jpg", extra: new Uint8Array(field(0x5455, [1, 2])) },
  ]));
  assert.deepEqual(got.map((e) => e.mtime), [
    new Date(2020, 6, 14, 13, 5, 6).getTime(),
    new Date(1980, 0, 1).getTime(),
    new Date(2020, 6, 14, 13, 5, 6).getTime(),
    new Date(2020, 6, 14, 14, 5, 6).getTime(),
    t1,
    t2,
    t2 + 123,
    t2,
    new Date(1980 + (0x5821 >> 9), ((0x5821 >> 5) & 15) - 1, 0x5821 & 31, 12, 0, 0).getTime(),
  ]);
});

Deno.test("zip directory: what it cannot read is left to zip.js", async (t) => {
  const kinds = (bytes: Uint8Array) =>
    ours(bytes).map((e) => "zipJs" in e ? `${e.zipJs}:${e.index}` : e.name);
  await t.step("encrypted, other methods, AES, a missing zip64 field, a malformed extra", () => {
    const bytes = buildZip([
      { name: "ok.jpg" },
      { name: "enc.jpg", flags: 1 },
      { name: "bzip.jpg", method: 12 },
      { name: "aes.jpg", extra: new Uint8Array(field(0x9901, [2, 0, 0x41, 0x45, 3, 8, 0])) },
      { name: "bad.jpg", extra: new Uint8Array([1, 2, 3]) },
      { name: "ok2.jpg" },
    ]);
    assert.deepEqual(kinds(bytes), [
      "ok.jpg",
      "entry:1",
      "entry:2",
      "entry:3",
      "entry:4",
      "ok2.jpg",
    ]);
  });
  await t.step("a directory that declares more entries than it holds", () => {
    const bytes = buildZip([{ name: "a.jpg" }, { name: "b.jpg" }], { count: 3 });
    assert.deepEqual(kinds(bytes), ["a.jpg", "b.jpg", "rest:2"]);
  });
  await t.step("a directory that holds more entries than it declares", () => {
    const bytes = buildZip([{ name: "a.jpg" }, { name: "b.jpg" }], { count: 1 });
    assert.deepEqual(kinds(bytes), ["a.jpg", "rest:1"]);
  });
  await t.step("no clean end record: appended data, a cut file, not a zip", () => {
    const bytes = buildZip([{ name: "a.jpg", data: enc.encode("A") }]);
    const locate = (b: Uint8Array) => locateDirectory((at, n) => b.subarray(at, at + n), b.length);
    assert.ok(locate(bytes));
    assert.equal(locate(new Uint8Array([...bytes, 1, 2, 3])), undefined);
    assert.equal(locate(bytes.subarray(0, bytes.length - 5)), undefined);
    assert.equal(locate(enc.encode("not a zip at all, just some text")), undefined);
  });
});

/** How many bytes reading `entry` of `tree` yields. */
async function bytesRead(
  tree: Awaited<ReturnType<typeof readTakeout>>,
  entry: Awaited<ReturnType<typeof readTakeout>>["media"][number],
): Promise<number> {
  let n = 0;
  await tree.read(entry, (c) => {
    n += c.length;
  });
  return n;
}

/** `bytes` written as a zip part and read as a Takeout tree, both gone afterwards. */
async function withZipTree(
  bytes: Uint8Array,
  fn: (tree: Awaited<ReturnType<typeof readTakeout>>) => Promise<void> | void,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "takeout-001.zip");
    await Deno.writeFile(path, bytes);
    const tree = await readTakeout([path]);
    try {
      await fn(tree);
    } finally {
      await tree.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("zip part: a cut directory is named as zip.js named it; the entries before it import", async () => {
  const photos = "Takeout/Google Photos/Photos from 2020";
  const bytes = buildZip([
    { name: `${photos}/a.jpg`, data: enc.encode("A") },
    { name: `${photos}/b.jpg`, data: enc.encode("B") },
  ], { count: 3 });
  await withZipTree(bytes, (tree) => {
    assert.deepEqual(tree.media.map((e) => e.name), ["a.jpg", "b.jpg"]);
    assert.equal(tree.problems.length, 1);
    assert.match(
      tree.problems[0].message,
      /^archive is truncated or corrupt, its listing is unreadable: Central directory header not found$/,
    );
  });
});

Deno.test("zip part: a CRC-32 that does not match the data is found, stored or deflated", async () => {
  const photos = "Takeout/Google Photos/Photos from 2020";
  const body = enc.encode("some photo bytes ".repeat(100));
  const bytes = buildZip([
    { name: `${photos}/stored.jpg`, data: body, crc: 1234 },
    { name: `${photos}/deflated.jpg`, data: body, method: 8, crc: 1234 },
    { name: `${photos}/good.jpg`, data: body, method: 8 },
  ], { zip64: true });
  await withZipTree(bytes, async (tree) => {
    const [stored, deflated, good] = tree.media;
    await assert.rejects(tree.read(stored, () => {}), /"[^"]*stored\.jpg" is corrupt: CRC-32/);
    await assert.rejects(
      tree.read(deflated, () => {}),
      /"[^"]*deflated\.jpg" is corrupt: CRC-32/,
    );
    assert.equal(await bytesRead(tree, good), body.length);
  });
});

Deno.test("zip part: a broken local header fails only its own entry, found when it is read", async () => {
  const photos = "Takeout/Google Photos/Photos from 2020";
  const body = enc.encode("some photo bytes ".repeat(100));
  const sidecar = enc.encode(JSON.stringify({ title: "good.jpg" }));
  const bytes = buildZip([
    { name: `${photos}/broken.jpg`, data: body },
    { name: `${photos}/good.jpg`, data: body, method: 8 },
    { name: `${photos}/good.jpg.supplemental-metadata.json`, data: sidecar, method: 8 },
  ]);
  // The first entry's local header starts the file: break its signature.
  bytes.set(enc.encode("XXXX"), 0);
  await withZipTree(bytes, async (tree) => {
    // Listing reads no media local header, so the broken one is listed like the others.
    assert.deepEqual(tree.media.map((e) => e.name), ["broken.jpg", "good.jpg"]);
    assert.equal(tree.json.length, 1);
    assert.deepEqual(tree.problems, []);
    const [broken, good] = tree.media;
    await assert.rejects(tree.read(broken, () => {}));
    // Twice, and the entries after it still read whole.
    await assert.rejects(tree.read(broken, () => {}));
    assert.equal(await bytesRead(tree, good), body.length);
  });
});

Deno.test("zip part: a stored entry's data is found after a local extra field of any size", async () => {
  const photos = "Takeout/Google Photos/Photos from 2020";
  // Two megabytes: read in more than one chunk, with the header in the first.
  const big = new Uint8Array(2 * 1024 * 1024 + 7).map((_, i) => (i * 31) % 251);
  const sizes = [0, 100, 990, 1_100, 70_000];
  const bytes = buildZip([
    ...sizes.map((n) => ({
      name: `${photos}/extra-${n}.jpg`,
      data: big.subarray(n, n + 300_000 + n),
      localExtra: new Uint8Array(field(0xcafe, new Array(Math.min(n, 65_531)).fill(7))),
    })),
    { name: `${photos}/big.jpg`, data: big, localExtra: new Uint8Array(field(0xcafe, [1, 2])) },
  ]);
  await withZipTree(bytes, async (tree) => {
    assert.deepEqual(tree.problems, []);
    for (const [i, entry] of tree.media.entries()) {
      const parts: Uint8Array<ArrayBuffer>[] = [];
      await tree.read(entry, (c) => void parts.push(c.slice()));
      const got = new Uint8Array(await new Blob(parts).arrayBuffer());
      const n = sizes[i];
      const want = i < sizes.length ? big.subarray(n, n + 300_000 + n) : big;
      assert.equal(got.length, want.length, entry.name);
      assert.ok(got.every((b, j) => b === want[j]), `${entry.name}: the entry's own bytes`);
      // A second read of the same entry (its data offset now known) gives the same bytes.
      assert.equal(await bytesRead(tree, entry), want.length);
    }
    // A sink that stops early stops the read, with no error.
    let seen = 0;
    await tree.read(tree.media.at(-1)!, (c) => {
      seen += c.length;
      return true;
    });
    assert.ok(seen > 0 && seen < big.length);
  });
});

Deno.test("zip part: a stored entry cut short by the end of the file is reported as such", async () => {
  const photos = "Takeout/Google Photos/Photos from 2020";
  const body = new Uint8Array(50_000).fill(9);
  const whole = buildZip([{ name: `${photos}/cut.jpg`, data: body }]);
  // The directory stays at the end, but the data claims more than is there.
  const dirAt = whole.length - 22 - (46 + enc.encode(`${photos}/cut.jpg`).length);
  const cut = new Uint8Array([...whole.subarray(0, 30_000), ...whole.subarray(dirAt)]);
  const view = new DataView(cut.buffer);
  view.setUint32(cut.length - 22 + 16, 30_000, true);
  await withZipTree(cut, async (tree) => {
    assert.equal(tree.media.length, 1);
    await assert.rejects(tree.read(tree.media[0], () => {}), /cut\.jpg" is cut short/);
  });
});

Deno.test("zip part: an entry longer than its directory says stops at that size (a zip bomb)", async () => {
  const photos = "Takeout/Google Photos/Photos from 2020";
  const zeros = new Uint8Array(20 * 1024 * 1024);
  const json = enc.encode(`{"title": "bomb.jpg"${" ".repeat(4 * 1024 * 1024)}}`);
  const bytes = buildZip([
    { name: `${photos}/bomb.jpg`, data: zeros, method: 8, claimedSize: 1000 },
    {
      name: `${photos}/bomb.jpg.supplemental-metadata.json`,
      data: json,
      method: 8,
      claimedSize: 30,
    },
    { name: `${photos}/good.jpg`, data: enc.encode("good"), method: 8 },
  ]);
  await withZipTree(bytes, async (tree) => {
    const [bomb, good] = tree.media;
    let passed = 0;
    await assert.rejects(
      tree.read(bomb, (c) => {
        passed += c.length;
      }),
      /"[^"]*bomb\.jpg" is corrupt: longer than the 1000 bytes its directory says/,
    );
    assert.ok(passed <= 1000, `${passed} bytes passed on`);
    assert.equal(await bytesRead(tree, good), 4);
    assert.deepEqual(tree.problems.map((p) => p.message), [
      `entry "${photos}/bomb.jpg.supplemental-metadata.json" is corrupt: longer than the 30 bytes its directory says`,
    ]);
  });
});

Deno.test("zip part: a JSON file too large to be Google's is left unread, with a problem", async () => {
  const photos = "Takeout/Google Photos/Photos from 2020";
  const huge = enc.encode(`{"title": "a.jpg"${" ".repeat(MAX_JSON_BYTES)}}`);
  const bytes = buildZip([
    { name: `${photos}/a.jpg`, data: enc.encode("A") },
    { name: `${photos}/a.jpg.supplemental-metadata.json`, data: huge, method: 8 },
  ]);
  await withZipTree(bytes, (tree) => {
    assert.deepEqual(tree.media.map((e) => e.name), ["a.jpg"]);
    assert.equal(tree.problems.length, 1);
    assert.match(
      tree.problems[0].message,
      /^left unread: \d+ bytes is too large for a Takeout metadata file/,
    );
  });
});
