/**
 * Rule 14 for JSON files: what an export's sidecars and album files said is kept in the index, so
 * an unchanged one is not read again; a changed one is.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { MediaIndex } from "../src/index/mod.ts";
import { importTakeout } from "../src/sources/takeout/import.ts";
import { jsonInfoText } from "../src/sources/takeout/known_json.ts";
import { type JsonInfo, parseJsonFile, parseSidecar } from "../src/sources/takeout/metadata.ts";
import type { TakeoutReport } from "../src/sources/takeout/report.ts";
import { englishExport, type TakeoutFixture, writeZipParts } from "./fixtures/takeout/generate.ts";

interface Target {
  target: string;
  index: MediaIndex;
}

async function withDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function withTarget(dir: string, name: string, fn: (t: Target) => Promise<void>) {
  const target = join(dir, name);
  await Deno.mkdir(target, { recursive: true });
  const index = MediaIndex.open(target);
  try {
    await fn({ target, index });
  } finally {
    index.close();
  }
}

function run(t: Target, paths: string[], dryRun = false): Promise<TakeoutReport> {
  return importTakeout({ target: t.target, paths, index: t.index, dryRun });
}

/** Stored (level 0) zip parts of `fx` in `dir`, so JSON text can be found in them. */
async function storedZips(fx: TakeoutFixture, dir: string): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  return await writeZipParts(fx, dir, { level: 0 });
}

/** Overwrites the text of every sidecar and album file inside the zips, directory left as is. */
async function spoilJson(paths: string[], fx: TakeoutFixture): Promise<number> {
  let spoilt = 0;
  for (const path of paths) {
    const zip = Buffer.from(await Deno.readFile(path));
    for (const j of fx.json) {
      const text = Buffer.from(j.text);
      for (let at = zip.indexOf(text); at >= 0; at = zip.indexOf(text, at + 1)) {
        zip.fill(0x20, at + 1, at + text.length - 1);
        spoilt++;
      }
    }
    await Deno.writeFile(path, zip);
  }
  return spoilt;
}

/** JSON files of `fx` that are sidecars or album files (the root's own files are neither). */
function describedJson(fx: TakeoutFixture): number {
  return fx.json.filter((j) => j.key.includes("/") && parseJsonFile(j.text).kind !== "other")
    .length;
}

Deno.test("rule 14: a second import of the same zip reads no sidecar or album file", async () => {
  await withDir("gphotos-knownjson-", async (dir) => {
    const fx = englishExport(46);
    const zips = await storedZips(fx, join(dir, "zip"));
    await withTarget(dir, "t", async (t) => {
      const first = await run(t, zips);
      assert.equal(first.unchangedJson, 0);
      const rows = t.index.allItems();
      // Were any JSON file read now, its CRC-32 would no longer match: a problem, or no sidecar.
      assert.ok(await spoilJson(zips, fx) >= describedJson(fx));
      const second = await run(t, zips);
      assert.deepEqual(second.problems, []);
      assert.equal(second.unchangedJson, describedJson(fx));
      assert.equal(second.matched, first.matched);
      assert.equal(second.orphanSidecars, first.orphanSidecars);
      assert.deepEqual(
        t.index.allItems().map((r) => [r.id, r.description, r.captureTime, r.dateSource]),
        rows.map((r) => [r.id, r.description, r.captureTime, r.dateSource]),
      );
    });
    // The spoiling shows: an index that knows nothing reads the files and reports each one.
    await withTarget(dir, "fresh", async (t) => {
      const report = await run(t, zips);
      assert.ok(report.problems.length >= describedJson(fx), `${report.problems.length}`);
      assert.equal(report.unchangedJson, 0);
    });
  });
});

Deno.test("rule 14: a sidecar changed since the last export is read again and its data used", async () => {
  await withDir("gphotos-knownjson-", async (dir) => {
    const fx = englishExport(47);
    await withTarget(dir, "t", async (t) => {
      await run(t, await storedZips(fx, join(dir, "a")));
      const i = fx.json.findIndex((j) => parseJsonFile(j.text).kind === "sidecar");
      const changed = JSON.parse(fx.json[i].text);
      changed.description = "Edited in Google Photos after the last export";
      const next = {
        ...fx,
        json: fx.json.with(i, { ...fx.json[i], text: JSON.stringify(changed) }),
      };
      const report = await run(t, await storedZips(next, join(dir, "b")));
      assert.deepEqual(report.problems, []);
      assert.equal(report.unchangedJson, describedJson(fx) - 1);
      const described = t.index.allItems().filter((r) => r.description === changed.description);
      assert.ok(described.length >= 1, "the changed sidecar's description is in the index");
    });
  });
});

Deno.test("rule 14: a dry run stores nothing of what JSON files said", async () => {
  await withDir("gphotos-knownjson-", async (dir) => {
    const fx = englishExport(48);
    const zips = await storedZips(fx, join(dir, "zip"));
    await withTarget(dir, "t", async (t) => {
      await run(t, zips, true);
      const real = await run(t, zips);
      assert.equal(real.unchangedJson, 0);
      assert.equal((await run(t, zips)).unchangedJson, describedJson(fx));
    });
  });
});

const SIDECARS: [string, Record<string, unknown>][] = [
  ["every field", {
    title: "IMG_20190101_120000.jpg",
    description: "Neujahr 🎆 in Zürich",
    photoTakenTime: { timestamp: "1546344000", formatted: "1 Jan 2019" },
    geoData: { latitude: 47.3769, longitude: 8.5417, altitude: 408.2 },
    favorited: true,
    archived: true,
    trashed: true,
    people: [{ name: "Anna" }, { name: " Jürgen " }, { name: "Anna" }],
  }],
  ["no time, only a creation time", { title: "scan.png", creationTime: { timestamp: "1" } }],
  ["zero time and Google's 0/0 location, the EXIF one used", {
    title: "写真.HEIC",
    photoTakenTime: { timestamp: "0" },
    geoData: { latitude: 0, longitude: 0, altitude: 0 },
    geoDataExif: { latitude: -33.8688, longitude: 151.2093, altitude: 0 },
  }],
  ["a photo URL only, a title without extension", {
    title: "Sonnenuntergang",
    url: "https://photos.google.com/photo/AF1Qip",
  }],
  ["numbers as numbers, flags as strings", {
    title: "a/b.jpg",
    photoTakenTime: { timestamp: 1700000000 },
    favorited: "true",
  }],
];

const ALBUMS: [string, Record<string, unknown>][] = [
  ["shared, dated", {
    title: " Roma 🇮🇹 ",
    description: "Ferragosto",
    access: "shared",
    date: { timestamp: "1692057600" },
  }],
  ["untitled, private", { title: "", access: "private" }],
  ["wrapped in albumData (older exports)", {
    albumData: { title: "Été", date: { timestamp: "0" } },
  }],
];

Deno.test("rule 14: what a sidecar or album file said is stored in a form that reads back the same", () => {
  for (const [name, value] of [...SIDECARS, ...ALBUMS]) {
    const info = parseJsonFile(JSON.stringify(value));
    assert.notEqual(info.kind, "other", name);
    const text = jsonInfoText(info);
    assert.ok(text !== undefined, name);
    const back = parseJsonFile(text);
    assert.deepEqual(plain(back), plain(info), name);
  }
  // What would not read back the same is not stored (the file is then read every time): a
  // fractional timestamp whose millisecond, divided by 1,000 and multiplied back, is one less.
  const odd: JsonInfo = {
    kind: "sidecar",
    sidecar: parseSidecar({ title: "x.jpg", photoTakenTime: { timestamp: "1.0015" } }),
  };
  assert.equal(odd.sidecar.takenTime?.getTime(), 1001);
  assert.equal(jsonInfoText(odd), undefined);
});

/** An info with its dates as numbers and getters read, for deepEqual. */
function plain(info: JsonInfo): unknown {
  if (info.kind === "sidecar") {
    const s = info.sidecar;
    return {
      ...s,
      takenTime: s.takenTime?.getTime(),
    };
  }
  if (info.kind === "album") return { ...info.album, date: info.album.date?.getTime() };
  return info;
}
