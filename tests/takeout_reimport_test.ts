/**
 * Rules 12, 13, 14 and 17 of the Takeout import: the year folder's sidecar decides an item in every
 * run and format; a better date moves an item; an unchanged entry is recognised without reading
 * it; a tgz shows a bar of its bytes.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { sha256Hex } from "../src/files/hash.ts";
import { isoUtc, MediaIndex, type MediaRow } from "../src/index/mod.ts";
import type { RunEvent } from "../src/events.ts";
import { importTakeout, type ImportTakeoutOptions } from "../src/sources/takeout/import.ts";
import { importTakeoutAndLink } from "../src/sync/takeout_run.ts";
import type { TakeoutReport } from "../src/sources/takeout/report.ts";
import { walkFiles } from "./helpers.ts";
import { jpegWithExif } from "./fixtures/media_bytes.ts";
import {
  englishExport,
  sidecarText,
  supplementalName,
  type TakeoutFixture,
  writeBulkZipParts,
  writeFolder,
  writeTgz,
  writeZipParts,
} from "./fixtures/takeout/generate.ts";

const ENTRY = new Date(Date.UTC(2024, 6, 12, 11, 23, 40));
const YEAR_TAKEN = Date.UTC(2021, 2, 4, 10, 0, 0);
const ALBUM_TAKEN = Date.UTC(2021, 6, 9, 18, 30, 0);

/**
 * One photo in `Photos from 2021` and in the album `Roma 🇮🇹` with two different sidecars (the
 * album copy listed and streamed first), a second photo whose two sidecars agree, and two
 * different photos both called `IMG_0001.JPG` without sidecars in two albums, the same EXIF month.
 */
function twoSidecarsExport(): TakeoutFixture {
  const photo = jpegWithExif({ seed: 501, dateTimeOriginal: new Date(Date.UTC(2010, 1, 1)) });
  const other = jpegWithExif({ seed: 502, dateTimeOriginal: new Date(Date.UTC(2010, 1, 2)) });
  const lonelyA = jpegWithExif({ seed: 503, dateTimeOriginal: new Date(Date.UTC(2012, 4, 1)) });
  const lonelyB = jpegWithExif({ seed: 504, dateTimeOriginal: new Date(Date.UTC(2012, 4, 2)) });
  const Y = "Photos from 2021";
  const A = "Roma 🇮🇹";
  const B = "Álbum de família";
  const media = (key: string, bytes: Uint8Array) => ({
    key,
    bytes,
    mtime: ENTRY,
    // Expectations are checked by the tests below, not by the generic helpers.
    expect: { time: 0, dateSource: "sidecar" as const, via: "sidecar" as const, originalName: "" },
  });
  const json = (key: string, text: string) => ({ key, text, mtime: ENTRY });
  const sidecar = (taken: number, description: string, lat: number) =>
    sidecarText({
      title: "PXL_20210304_100000000.jpg",
      taken,
      description,
      geoData: { latitude: lat, longitude: 12.5 },
    }, "en");
  return {
    rootName: "Google Photos",
    media: [
      media(`${B}/IMG_0001.JPG`, lonelyB),
      media(`${A}/IMG_0001.JPG`, lonelyA),
      media(`${A}/PXL_20210304_100000000.jpg`, photo),
      media(`${A}/IMG_2002.jpg`, other),
      media(`${Y}/PXL_20210304_100000000.jpg`, photo),
      media(`${Y}/IMG_2002.jpg`, other),
    ],
    json: [
      json(
        `${A}/${supplementalName("PXL_20210304_100000000.jpg")}`,
        sidecar(ALBUM_TAKEN, "from the album", 41.9),
      ),
      json(
        `${Y}/${supplementalName("PXL_20210304_100000000.jpg")}`,
        sidecar(YEAR_TAKEN, "from the year folder", 45.4),
      ),
      json(
        `${A}/${supplementalName("IMG_2002.jpg")}`,
        sidecarText({ title: "IMG_2002.jpg", taken: Date.UTC(2021, 3, 1) }, "en"),
      ),
      json(
        `${Y}/${supplementalName("IMG_2002.jpg")}`,
        sidecarText({ title: "IMG_2002.jpg", taken: Date.UTC(2021, 3, 1) }, "en"),
      ),
      json(`${A}/metadata.json`, JSON.stringify({ title: A, access: "protected" })),
      json(`${B}/metadatos.json`, JSON.stringify({ title: B, access: "protected" })),
    ],
    albums: [],
    orphans: 0,
  };
}

interface Target {
  target: string;
  index: MediaIndex;
}

async function openTarget(dir: string, name: string): Promise<Target> {
  const target = join(dir, name);
  await Deno.mkdir(target, { recursive: true });
  return { target, index: MediaIndex.open(target) };
}

async function run(
  t: Target,
  paths: string[],
  extra: Partial<ImportTakeoutOptions> = {},
): Promise<TakeoutReport> {
  return await importTakeout({ target: t.target, paths, index: t.index, ...extra });
}

/** Index rows and files of a TARGET, without the times a run stamps. */
async function snapshot(t: Target): Promise<unknown> {
  const rows = t.index.allItems().map((r: MediaRow) => {
    const { firstSeenAt: _f, lastSeenAt: _l, downloadedAt: _d, ...rest } = r;
    return rest;
  }).sort((a, b) => (a.id < b.id ? -1 : 1));
  const albums = t.index.albums().map((a) => ({
    id: a.id,
    title: a.title,
    members: t.index.albumItems(a.id).map((r) => r.id),
  })).sort((a, b) => (a.id < b.id ? -1 : 1));
  const files: [string, string, number | undefined][] = [];
  for (const f of (await walkFiles(t.target)).sort()) {
    if (!f.startsWith("photos/")) continue;
    const path = join(t.target, f);
    files.push([f, sha256Hex(await Deno.readFile(path)), (await Deno.stat(path)).mtime?.getTime()]);
  }
  return { rows, albums, files };
}

function yearCopy(t: Target): MediaRow {
  const row = t.index.allItems().find((r) => r.originalName === "PXL_20210304_100000000.jpg");
  assert.ok(row);
  return row;
}

Deno.test("rule 12: ten imports keep the year folder's sidecar, whatever the format and timing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-rule12-" });
  try {
    const fx = twoSidecarsExport();
    const zips = await writeZipParts(fx, await mk(dir, "zip"));
    // Album copies first in the tgz: they stream (and are staged) before the year folder's.
    const tgz = await writeTgz(fx, join(await mk(dir, "tgz"), "takeout.tgz"), {
      interleave: false,
    });
    const folder = await writeFolder(fx, await mk(dir, "folder"));
    const formats = [zips, [tgz], [folder]];
    const snaps: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const t = await openTarget(dir, `t${i}`);
      try {
        // Widths 1 to 4 change which transfer finishes first; the result must not change.
        const report = await run(t, formats[i % 3], { concurrency: (i % 4) + 1 });
        assert.equal(report.failed, 0);
        const row = yearCopy(t);
        assert.equal(row.description, "from the year folder", `run ${i}`);
        assert.equal(row.latitude, 45.4, `run ${i}`);
        assert.equal(row.captureTime, isoUtc(new Date(YEAR_TAKEN)), `run ${i}`);
        assert.ok(row.path.startsWith("photos/2021/03/"), row.path);
        snaps.push(await snapshot(t));
      } finally {
        t.index.close();
      }
    }
    for (let i = 1; i < 10; i++) assert.deepEqual(snaps[i], snaps[0], `run ${i} = run 0`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rule 12: the same export as folders, zip parts and tgz parts gives identical rows and files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-rule12-" });
  try {
    for (const fx of [twoSidecarsExport(), englishExport(41)]) {
      const zips = await writeZipParts(fx, await mk(dir, "zip"), { parts: 3 });
      const tgzDir = await mk(dir, "tgz");
      const tgzs = [
        await writeTgz(
          { ...fx, media: fx.media.filter((_, i) => i % 2 === 0) },
          join(tgzDir, "a.tgz"),
        ),
        await writeTgz(
          { ...fx, media: fx.media.filter((_, i) => i % 2 === 1) },
          join(tgzDir, "b.tgz"),
          {
            interleave: false,
          },
        ),
      ];
      const folder = await writeFolder(fx, await mk(dir, "folder"));
      const snaps: unknown[] = [];
      for (const [name, paths] of [["zip", zips], ["tgz", tgzs], ["folder", [folder]]] as const) {
        const t = await openTarget(dir, `${name}-${fx.rootName}-${snaps.length}-${Math.random()}`);
        try {
          const report = await run(t, [...paths]);
          assert.equal(report.failed, 0, name);
          snaps.push(await snapshot(t));
        } finally {
          t.index.close();
        }
      }
      assert.deepEqual(snaps[1], snaps[0], "tgz parts = zip parts");
      assert.deepEqual(snaps[2], snaps[0], "folder = zip parts");
      await Deno.remove(join(dir, "zip"), { recursive: true });
      await Deno.remove(join(dir, "tgz"), { recursive: true });
      await Deno.remove(join(dir, "folder"), { recursive: true });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rule 12: a second import keeps the year folder's sidecar over the album copy's", async () => {
  await withTwoSidecarsZip("gphotos-rule12-", async (t, zips) => {
    await run(t, zips);
    await run(t, zips);
    assert.equal(yearCopy(t).description, "from the year folder");
    assert.equal(yearCopy(t).latitude, 45.4);
  });
});

/** The two-sidecars export as zip parts and a fresh TARGET, removed afterwards. */
async function withTwoSidecarsZip(
  prefix: string,
  fn: (t: Target, zips: string[]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    const zips = await writeZipParts(twoSidecarsExport(), await mk(dir, "zip"));
    const t = await openTarget(dir, "t");
    try {
      await fn(t, zips);
    } finally {
      t.index.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function mk(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  await Deno.mkdir(path, { recursive: true });
  return path;
}

Deno.test("rule 13: the media part alone, then all parts: better dates move files and album links", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-rule13-" });
  try {
    const fx = englishExport(43);
    // Every media file in part 1, every JSON file in part 2.
    const [media, sidecars] = await writeZipParts(fx, await mk(dir, "zip"), {
      partOf: (_key, json) => (json ? 1 : 0),
    });
    const direct = await openTarget(dir, "direct");
    const t = await openTarget(dir, "later");
    try {
      await importTakeoutAndLink({
        target: direct.target,
        paths: [media, sidecars],
        index: direct.index,
      });
      const first = await importTakeoutAndLink({
        target: t.target,
        paths: [media],
        index: t.index,
      });
      assert.equal(first.redated, 0);
      const before = t.index.allItems();
      assert.ok(before.every((r) => r.dateSource !== "sidecar"), "no sidecar yet");
      const second = await importTakeoutAndLink({
        target: t.target,
        paths: [media, sidecars],
        index: t.index,
      });
      assert.equal(second.failed, 0);
      assert.equal(second.imported, 0, "nothing new: every file was already there");
      assert.ok(second.redated > 0);
      for (const want of direct.index.allItems()) {
        const got = t.index.getItem(want.id);
        assert.ok(got, want.id);
        assert.equal(got.captureTime, want.captureTime, `${want.originalName}: capture time`);
        assert.equal(got.dateSource, want.dateSource, `${want.originalName}: date source`);
        assert.equal(got.folder, want.folder, `${want.originalName}: folder`);
        assert.equal(got.description, want.description, `${want.originalName}: description`);
        assert.equal(got.latitude, want.latitude, `${want.originalName}: latitude`);
        const info = await Deno.stat(join(t.target, got.path));
        assert.equal(info.size, got.size);
        assert.equal(info.mtime?.getTime(), Math.floor(Date.parse(got.captureTime!) / 1000) * 1000);
      }
      // No file left behind in an old folder, and album links follow their items.
      const files = (await walkFiles(t.target)).filter((f) => f.startsWith("photos/")).sort();
      assert.deepEqual(files, t.index.allItems().map((r) => r.path).sort());
      const links = (await walkFiles(t.target)).filter((f) => f.startsWith("albums/"));
      assert.ok(links.length > 0);
      for (const link of links) {
        await Deno.stat(join(t.target, link)); // a dangling link throws
      }
    } finally {
      direct.index.close();
      t.index.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rule 13: a run killed between a move's rename and its index write is repaired by the next", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-rule13-" });
  try {
    const fx = twoSidecarsExport();
    const [media, sidecars] = await writeZipParts(fx, await mk(dir, "zip"), {
      partOf: (_key, json) => (json ? 1 : 0),
    });
    const t = await openTarget(dir, "t");
    try {
      await run(t, [media]);
      const old = yearCopy(t);
      assert.ok(old.path.startsWith("photos/2010/02/"), old.path);
      // The crash: the file is already at its new place, the index still names the old one.
      const next = t.index.plannedMove(old.id, new Date(YEAR_TAKEN).toISOString());
      await Deno.mkdir(join(t.target, next.folder), { recursive: true });
      await Deno.rename(join(t.target, old.path), join(t.target, next.path));
      const report = await run(t, [media, sidecars]);
      assert.equal(report.failed, 0);
      const row = yearCopy(t);
      assert.equal(row.path, next.path);
      assert.equal(row.dateSource, "sidecar");
      const files = (await walkFiles(t.target)).filter((f) => f.startsWith("photos/")).sort();
      assert.deepEqual(files, t.index.allItems().map((r) => r.path).sort(), "no stray copy");
    } finally {
      t.index.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Overwrites every media file's bytes inside the (stored) zip parts, leaving the directory as is. */
async function spoilMediaData(paths: string[], fx: TakeoutFixture): Promise<number> {
  let spoilt = 0;
  for (const path of paths) {
    const zip = Buffer.from(await Deno.readFile(path));
    for (const m of fx.media) {
      let at = zip.indexOf(Buffer.from(m.bytes));
      while (at >= 0) {
        zip.fill(0x55, at + 16, at + m.bytes.length);
        spoilt++;
        at = zip.indexOf(Buffer.from(m.bytes), at + 1);
      }
    }
    await Deno.writeFile(path, zip);
  }
  return spoilt;
}

Deno.test("rule 14: a second import of the same zip reads no entry data and changes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-rule14-" });
  try {
    const fx = englishExport(44);
    const zips = await writeZipParts(fx, await mk(dir, "zip"));
    const t = await openTarget(dir, "t");
    try {
      const first = await run(t, zips);
      assert.ok(first.entriesRead > 0);
      const before = await snapshot(t);
      // Were any media entry read now, its CRC-32 would no longer match and it would fail.
      assert.ok(await spoilMediaData(zips, fx) > 0);
      const second = await run(t, zips);
      assert.equal(second.entriesRead, 0, "no media entry read");
      assert.equal(second.failed, 0);
      assert.deepEqual(second.problems, []);
      assert.equal(second.imported, 0);
      assert.equal(second.redated, 0);
      assert.equal(second.bytesWritten, 0);
      assert.equal(second.unchangedEntries, first.imported + first.duplicates + first.replaced);
      assert.deepEqual(await snapshot(t), before);
    } finally {
      t.index.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rule 14: an unchanged re-import writes no item and no album row, not even a seen time", async () => {
  await withTwoSidecarsZip("gphotos-rule14-", async (t, zips) => {
    await run(t, zips);
    const rows = () => ({ items: t.index.allItems(), albums: t.index.allAlbumRows() });
    const before = rows();
    assert.ok(before.albums.length >= 2 && before.items.length >= 4);
    // Every write stamps a later time; a run that rewrites the same values would show here.
    await new Promise((r) => setTimeout(r, 5));
    const again = await run(t, zips);
    assert.equal(again.unchangedEntries, again.mediaFiles);
    assert.equal(again.albumMemberships, 0);
    assert.deepEqual(rows(), before);
  });
});

Deno.test("rule 14: a zip entry whose file was deleted from TARGET is read and written again", async () => {
  await withTwoSidecarsZip("gphotos-rule14-", async (t, zips) => {
    await run(t, zips);
    const before = await snapshot(t);
    await Deno.remove(join(t.target, yearCopy(t).path));
    const again = await run(t, zips);
    assert.equal(again.failed, 0);
    assert.ok(again.entriesRead >= 1);
    assert.deepEqual(await snapshot(t), before);
  });
});

Deno.test("rule 14: with 500 known files and more (stat'ed on another thread), a deleted file and a file of another size are read and written again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-rule14-" });
  try {
    const bulk = await writeBulkZipParts(await mk(dir, "zip"), { files: 520, bytesPerFile: 3_000 });
    const t = await openTarget(dir, "t");
    try {
      const first = await run(t, bulk.paths);
      assert.equal(first.imported, bulk.distinct);
      const before = await snapshot(t);
      const [gone, cut] = t.index.allItems();
      await Deno.remove(join(t.target, gone.path));
      await Deno.truncate(join(t.target, cut.path), 10);
      const again = await run(t, bulk.paths);
      assert.equal(again.failed, 0);
      assert.deepEqual(again.problems, []);
      assert.equal(again.entriesRead, 2, "exactly the two spoilt files are read");
      assert.deepEqual(await snapshot(t), before);
    } finally {
      t.index.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rule 14: a tgz read again neither hashes nor writes what the index knows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-rule14-" });
  try {
    const fx = englishExport(45);
    const tgz = await writeTgz(fx, join(await mk(dir, "tgz"), "takeout.tgz"));
    const t = await openTarget(dir, "t");
    try {
      const first = await run(t, [tgz]);
      const before = await snapshot(t);
      const second = await run(t, [tgz]);
      assert.equal(second.failed, 0);
      assert.equal(second.unchangedEntries, first.imported + first.duplicates);
      // Only what the index does not know (trash, failed videos) is staged again.
      assert.equal(second.entriesRead, first.entriesRead - second.unchangedEntries);
      assert.ok(second.bytesWritten < first.bytesWritten / 4);
      assert.deepEqual(await snapshot(t), before);
    } finally {
      t.index.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rule 17: a tgz shows a bar of bytes read; staged bytes are not counted again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-rule17-" });
  try {
    const tgz = await writeTgz(englishExport(46), join(dir, "takeout.tgz"));
    const size = (await Deno.stat(tgz)).size;
    const t = await openTarget(dir, "t");
    const events: RunEvent[] = [];
    try {
      const report = await run(t, [tgz], { onEvent: (e) => events.push(e) });
      assert.ok(report.bytesWritten > 0);
      const phases = events.flatMap((e, i) => (e.type === "phase" ? [i] : []));
      const passTwo = phases[phases.length - 1];
      const reading = events.slice(0, passTwo).filter((e) => e.type === "progress");
      assert.ok(reading.length > 0, "progress while the tgz is read");
      for (const e of reading) {
        assert.ok(e.type === "progress" && e.totalBytes === size && e.bytes !== undefined);
      }
      const lastRead = reading[reading.length - 1];
      assert.ok(lastRead.type === "progress" && lastRead.bytes === size, "the bar ends full");
      const writing = events.slice(passTwo).filter((e) => e.type === "progress");
      assert.ok(writing.length > 0);
      for (const e of writing) {
        assert.ok(e.type === "progress" && e.bytes === 0, "every byte was shown in pass one");
      }
    } finally {
      t.index.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
