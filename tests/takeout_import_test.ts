import assert from "node:assert/strict";
import { isTempName } from "../src/files/temp_names.ts";
import { STAGING_DIR } from "../src/files/staging_dir.ts";
import { sha256Hex } from "../src/files/hash.ts";
import { join } from "node:path";
import { isoUtc, MediaIndex } from "../src/index/mod.ts";
import { UsageError } from "../src/errors.ts";
import { importTakeout } from "../src/sources/takeout/import.ts";
import type { TakeoutReport } from "../src/sources/takeout/report.ts";
import {
  englishExport,
  germanLegacyExport,
  nfdExport,
  splitFixture,
  type TakeoutFixture,
  writeBulkZipParts,
  writeFolder,
  writeTgz,
  writeZipParts,
} from "./fixtures/takeout/generate.ts";

function sha(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

function idOf(bytes: Uint8Array): string {
  return `takeout:${sha(bytes)}`;
}

interface Run {
  dir: string;
  target: string;
  index: MediaIndex;
  cleanup(): Promise<void>;
}

async function newRun(): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-takeout-" });
  const target = join(dir, "target");
  await Deno.mkdir(target);
  const index = MediaIndex.open(target);
  return {
    dir,
    target,
    index,
    cleanup: async () => {
      index.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The report counts a fixture implies, from what each media file is declared to be. */
function expectedCounts(fx: TakeoutFixture): Partial<TakeoutReport> {
  const kept = fx.media.filter((m) => !m.expect.skipped);
  const uniqueBytes = new Set(kept.map((m) => sha(m.bytes)));
  return {
    mediaFiles: fx.media.length,
    matched: kept.filter((m) => m.expect.via === "sidecar" || m.expect.via === "title").length,
    matchedByTitle: kept.filter((m) => m.expect.via === "title").length,
    matchedVariant: kept.filter((m) => m.expect.via === "variant").length,
    withoutSidecar: kept.filter((m) => m.expect.via === "none").length,
    orphanSidecars: fx.orphans,
    failedVideos: fx.media.filter((m) => m.expect.skipped === "failed").length,
    skippedTrash: fx.media.filter((m) => m.expect.skipped === "trash").length,
    imported: uniqueBytes.size,
    duplicates: kept.length - uniqueBytes.size,
    albums: fx.albums.length,
    failed: 0,
    problems: [],
    exitCode: 0,
  };
}

function pick(report: TakeoutReport, keys: Partial<TakeoutReport>): Partial<TakeoutReport> {
  return Object.fromEntries(
    Object.keys(keys).map((k) => [k, report[k as keyof TakeoutReport]]),
  ) as Partial<TakeoutReport>;
}

/** Every media file of the fixture is where and what it must be, with its own metadata. */
async function assertImported(fx: TakeoutFixture, run: Run): Promise<void> {
  const byKey = new Map(fx.media.map((m) => [m.key, m]));
  // The date check below only proves pairing if no two distinct files share a sidecar time.
  const owners = new Map<number, Set<string>>();
  for (const m of fx.media) {
    if (m.expect.via !== "sidecar" && m.expect.via !== "title") continue;
    const set = owners.get(m.expect.time) ?? new Set();
    set.add(sha(m.bytes));
    owners.set(m.expect.time, set);
  }
  assert.ok([...owners.values()].every((s) => s.size === 1), "fixture sidecar times are distinct");

  for (const m of fx.media) {
    const row = run.index.getItem(idOf(m.bytes));
    if (m.expect.skipped) {
      assert.equal(row, undefined, `${m.key} must not be imported (${m.expect.skipped})`);
      continue;
    }
    assert.ok(row, `${m.key} must be imported`);
    const e = m.expect;
    assert.equal(row.captureTime, isoUtc(new Date(e.time)), `${m.key}: capture time`);
    assert.equal(row.dateSource, e.dateSource, `${m.key}: date source`);
    assert.equal(row.originalName, e.originalName.normalize("NFC"), `${m.key}: original name`);
    assert.equal(row.source, "takeout");
    assert.equal(row.fidelity, "original");
    assert.equal(row.favourite, e.favourite ?? false, `${m.key}: favourite`);
    assert.equal(row.archived, e.archived ?? false, `${m.key}: archived`);
    assert.equal(row.trashed, false);
    assert.equal(row.description, e.description ?? null, `${m.key}: description`);
    assert.equal(row.latitude, e.latitude ?? null, `${m.key}: latitude`);
    assert.equal(row.longitude, e.longitude ?? null, `${m.key}: longitude`);
    assert.deepEqual(row.people, e.people ?? null, `${m.key}: people`);
    if (e.role) {
      const primary = byKey.get(e.primary!)!;
      assert.equal(row.companionRole, e.role, `${m.key}: role`);
      assert.equal(row.companionOf, idOf(primary.bytes), `${m.key}: tied to ${e.primary}`);
      // Beside its primary.
      const p = run.index.getItem(idOf(primary.bytes))!;
      assert.equal(row.folder, p.folder);
    } else {
      assert.equal(row.companionOf, null, `${m.key}: no primary`);
    }
    const path = join(run.target, row.path);
    const onDisk = await Deno.readFile(path);
    assert.equal(sha(onDisk), sha(m.bytes), `${m.key}: bytes written as they were`);
    assert.equal(row.sha256, sha(m.bytes));
    assert.equal(row.size, m.bytes.length);
    const info = await Deno.stat(path);
    assert.equal(info.mtime?.getTime(), Math.floor(e.time / 1000) * 1000, `${m.key}: mtime`);
    const year = new Date(e.time).getUTCFullYear();
    const month = String(new Date(e.time).getUTCMonth() + 1).padStart(2, "0");
    assert.ok(row.path.startsWith(`photos/${year}/${month}/`), `${m.key}: ${row.path}`);
  }
  for (const album of fx.albums) {
    const id = `takeout:${album.dir.normalize("NFC")}`;
    const row = run.index.getAlbum(id);
    assert.ok(row, `album ${album.dir}`);
    assert.equal(row.title, album.title === "" ? null : album.title.normalize("NFC"));
    const members = run.index.albumItems(id).map((r) => r.id).sort();
    const want = [...new Set(album.memberKeys.map((k) => idOf(byKey.get(k)!.bytes)))].sort();
    assert.deepEqual(members, want, `album ${album.dir} members`);
  }
  // One item, one file: no stray files besides the index.
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(join(dir, e.name));
      else files.push(e.name);
    }
  };
  await walk(join(run.target, "photos"));
  assert.equal(files.length, run.index.allItems().length);
  assert.ok(files.every((f) => !isTempName(f)));
}

/** Whatever was imported carries its own sidecar's date, or a date no sidecar has. */
function assertNoForeignDates(fx: TakeoutFixture, run: Run): number {
  const sidecarTimes = new Set(
    fx.media.filter((m) => m.expect.dateSource === "sidecar").map((m) => m.expect.time),
  );
  let dated = 0;
  for (const m of fx.media) {
    const row = run.index.getItem(idOf(m.bytes));
    if (!row) continue;
    const time = Date.parse(row.captureTime!);
    if (row.dateSource === "sidecar") {
      assert.equal(time, m.expect.time, m.key);
      dated++;
    } else {
      assert.ok(!sidecarTimes.has(time), `${m.key} has another file's date`);
    }
  }
  return dated;
}

Deno.test("importTakeout() imports a two-part zip export with the new naming", async (t) => {
  const fx = englishExport();
  const run = await newRun();
  try {
    const paths = await writeZipParts(fx, run.dir, {
      inEveryPart: [
        "Photos from 2023/Scan35.jpg",
        "Photos from 2023/Scan35.jpg.supplemental-metadata.json",
      ],
    });
    const events: string[] = [];
    const report = await importTakeout({
      target: run.target,
      paths,
      index: run.index,
      onEvent: (e) => {
        if (e.type === "warning") events.push(e.message);
      },
    });
    await t.step("report counts", () => {
      const want = expectedCounts(fx);
      assert.deepEqual(pick(report, want), want);
      assert.equal(report.companions, 6);
      assert.equal(report.lockedFolder, 1);
      // Album copies of five items and the year copies (two albums).
      assert.equal(report.albumMemberships, 5);
    });
    await t.step("every pairing, variant, flag and album membership", async () => {
      await assertImported(fx, run);
    });
    await t.step("names clash by the index rules, original names kept", () => {
      const rows = run.index.allItems().filter((r) => r.originalName === "IMG_3479.JPG");
      assert.deepEqual(rows.map((r) => r.path).sort(), [
        "photos/2023/01/IMG_3479 (2).JPG",
        "photos/2023/01/IMG_3479.JPG",
      ]);
      const slash = run.index.allItems().find((r) => r.originalName === "27/06/12 - 2.jpg")!;
      assert.equal(slash.path, "photos/2023/01/27_06_12 - 2.jpg");
    });
    await t.step("the orphan sidecar is reported with its part", () => {
      assert.equal(events.filter((m) => m.includes("gone.jpg")).length, 1);
      assert.ok(events.some((m) => m.includes("-00")));
    });
    await t.step("importing the same export again adds nothing", async () => {
      const before = run.index.allItems().length;
      const again = await importTakeout({ target: run.target, paths, index: run.index });
      assert.equal(again.imported, 0);
      assert.equal(again.replaced, 0);
      assert.equal(again.bytesWritten, 0);
      // Every copy (year folder and album folders) is found already there.
      assert.equal(again.alreadyPresent, report.imported + report.duplicates);
      assert.equal(again.albumMemberships, 0);
      assert.equal(run.index.allItems().length, before);
      await assertImported(fx, run);
    });
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() reads a German legacy tgz front to back once", async () => {
  const fx = germanLegacyExport();
  const run = await newRun();
  try {
    const tgz = await writeTgz(fx, join(run.dir, "takeout-20190801T000000Z-001.tgz"), {
      otherProduct: true,
    });
    const report = await importTakeout({ target: run.target, paths: [tgz], index: run.index });
    const want = expectedCounts(fx);
    assert.deepEqual(pick(report, want), want);
    await assertImported(fx, run);
    await assert.rejects(Deno.stat(join(run.target, STAGING_DIR)));
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() reads an extracted folder with NFD names as NFC", async () => {
  const fx = nfdExport();
  const run = await newRun();
  try {
    const folder = await writeFolder(fx, run.dir, { nfd: true });
    const report = await importTakeout({ target: run.target, paths: [folder], index: run.index });
    const want = expectedCounts(fx);
    assert.deepEqual(pick(report, want), want);
    await assertImported(fx, run);
    for (const row of run.index.allItems()) {
      assert.equal(row.originalName, row.originalName.normalize("NFC"));
      assert.equal(row.path, row.path.normalize("NFC"));
    }
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() treats zip parts, a tgz and a folder given together as one tree", async () => {
  const fx = englishExport(7);
  const run = await newRun();
  try {
    // Three parts in three formats; an item's sidecar and media are mostly in different ones.
    const [a, b, c] = splitFixture(fx, 3, (_key, json, i) => (json ? (i + 1) % 3 : i % 3));
    const zip = await writeZipParts(a, run.dir, { parts: 1 });
    const tgz = await writeTgz(b, join(run.dir, "part2.tgz"));
    const folder = await writeFolder(c, join(run.dir, "part3"));
    const report = await importTakeout({
      target: run.target,
      paths: [...zip, tgz, folder],
      index: run.index,
    });
    const want = expectedCounts(fx);
    assert.deepEqual(pick(report, want), want);
    await assertImported(fx, run);
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() reads zip64 archives", async () => {
  const fx = nfdExport(11);
  const run = await newRun();
  try {
    const paths = await writeZipParts(fx, run.dir, { zip64: true, parts: 1 });
    // The zip64 end of central directory record is there.
    const bytes = await Deno.readFile(paths[0]);
    const hasZip64End = bytes.some((b, i) =>
      b === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 6 && bytes[i + 3] === 6
    );
    assert.ok(hasZip64End, "fixture is zip64");
    const report = await importTakeout({ target: run.target, paths, index: run.index });
    assert.equal(report.exitCode, 0);
    await assertImported(fx, run);
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() names a cut-short archive and imports the rest", async (t) => {
  await t.step("a truncated tgz: entries before the cut are imported", async () => {
    const fx = germanLegacyExport(5);
    const run = await newRun();
    try {
      const tgz = await writeTgz(fx, join(run.dir, "cut.tgz"));
      const whole = await Deno.readFile(tgz);
      await Deno.writeFile(tgz, whole.subarray(0, Math.floor(whole.length * 0.6)));
      const report = await importTakeout({ target: run.target, paths: [tgz], index: run.index });
      assert.equal(report.exitCode, 4);
      assert.equal(report.problems.length, 1);
      assert.equal(report.problems[0].source, tgz);
      // The entry the cut went through, or the last whole one before a cut between entries.
      assert.match(report.problems[0].entry ?? "", /Takeout\/Google Fotos\/Fotos von 2019\//);
      assert.ok(report.imported > 0, "earlier entries imported");
      assert.ok(report.imported < new Set(fx.media.map((m) => sha(m.bytes))).size);
      assert.ok(assertNoForeignDates(fx, run) > 0);
    } finally {
      await run.cleanup();
    }
  });
  await t.step(
    "a truncated zip part: the other part imports, its pairs left unpaired",
    async () => {
      const fx = englishExport(3);
      const run = await newRun();
      try {
        const [one, two] = await writeZipParts(fx, run.dir);
        const whole = await Deno.readFile(two);
        await Deno.writeFile(two, whole.subarray(0, Math.floor(whole.length / 2)));
        const report = await importTakeout({
          target: run.target,
          paths: [one, two],
          index: run.index,
        });
        assert.equal(report.exitCode, 4);
        assert.deepEqual(report.problems.map((p) => p.source), [two]);
        assert.match(report.problems[0].message, /truncated or corrupt/);
        assert.ok(report.imported > 0);
        assert.ok(report.withoutSidecar + report.orphanSidecars > fx.orphans);
        assert.ok(assertNoForeignDates(fx, run) > 0);
      } finally {
        await run.cleanup();
      }
    },
  );
  await t.step("a corrupt entry in a zip is named, its neighbours import", async () => {
    const fx = nfdExport(13);
    const run = await newRun();
    try {
      const [zip] = await writeZipParts(fx, run.dir, { parts: 1 });
      const bytes = await Deno.readFile(zip);
      // Flip bytes inside the stored data of "Plage à Noël.jpg" (after its local header).
      const marker = new TextEncoder().encode("Plage à Noël.jpg");
      let at = -1;
      for (let i = 0; i < bytes.length - marker.length && at < 0; i++) {
        if (marker.every((b, k) => bytes[i + k] === b)) at = i;
      }
      assert.ok(at > 0);
      for (let i = at + marker.length + 80; i < at + marker.length + 120; i++) bytes[i] ^= 0xff;
      await Deno.writeFile(zip, bytes);
      const report = await importTakeout({ target: run.target, paths: [zip], index: run.index });
      assert.equal(report.exitCode, 4);
      assert.equal(report.failed, 1);
      assert.equal(report.problems[0].source, zip);
      assert.match(report.problems[0].entry ?? "", /Plage à Noël\.jpg$/);
      assert.equal(report.imported, 2);
      const temps = [];
      for await (const e of Deno.readDir(join(run.target, "photos/2023/01"))) {
        if (e.name.startsWith(".")) temps.push(e.name);
      }
      assert.deepEqual(temps, []);
    } finally {
      await run.cleanup();
    }
  });
});

Deno.test("importTakeout() refuses what is not a Google Photos Takeout", async (t) => {
  const run = await newRun();
  try {
    await t.step("a zip of something else", async () => {
      const other = join(run.dir, "other.zip");
      const { ZipWriter, Uint8ArrayReader } = await import("@zip.js/zip.js");
      const f = await Deno.create(other);
      const w = new ZipWriter(f.writable, { useWebWorkers: false });
      await w.add("notes/readme.txt", new Uint8ArrayReader(new TextEncoder().encode("hi")));
      await w.add("Takeout/Drive/doc.txt", new Uint8ArrayReader(new TextEncoder().encode("x")));
      await w.close();
      const err = await importTakeout({ target: run.target, paths: [other], index: run.index })
        .then(() => undefined, (e) => e);
      assert.ok(err instanceof UsageError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /other\.zip" is not a Google Photos Takeout/);
    });
    await t.step("a file that is no archive", async () => {
      const junk = join(run.dir, "junk.zip");
      await Deno.writeTextFile(junk, "this is not a zip at all");
      await assert.rejects(
        importTakeout({ target: run.target, paths: [junk], index: run.index }),
        (e) => e instanceof UsageError && /not a zip archive/.test(e.message),
      );
    });
    await t.step("a missing path", async () => {
      await assert.rejects(
        importTakeout({ target: run.target, paths: [join(run.dir, "nope.zip")], index: run.index }),
        UsageError,
      );
    });
    assert.equal(run.index.allItems().length, 0);
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() replaces an API download of the same photo by the original", async () => {
  const fx = nfdExport(17);
  const run = await newRun();
  try {
    const cafe = fx.media.find((m) => m.key === "Photos from 2021/Café crème.jpg")!;
    // The Library API listed and downloaded the same photo earlier, at lower fidelity.
    run.index.upsertItems([{
      id: "AF1QipAPI",
      source: "library",
      originalName: "Café crème.jpg",
      mediaType: "photo",
      captureTime: isoUtc(new Date(cafe.expect.time)),
      dateSource: "api",
      favourite: true,
    }]);
    const api = run.index.getItem("AF1QipAPI")!;
    const apiBytes = new TextEncoder().encode("lower fidelity bytes");
    await Deno.mkdir(join(run.target, api.folder), { recursive: true });
    await Deno.writeFile(join(run.target, api.path), apiBytes);
    run.index.markDownloaded(api.id, {
      size: apiBytes.length,
      sha256: sha(apiBytes),
      fidelity: "api",
    });

    const zip = await writeZipParts(fx, run.dir, { parts: 1 });
    const report = await importTakeout({ target: run.target, paths: zip, index: run.index });
    assert.equal(report.replaced, 1);
    assert.equal(report.imported, 2);
    const row = run.index.getItem("AF1QipAPI")!;
    assert.equal(row.path, api.path);
    assert.equal(row.fidelity, "original");
    assert.equal(row.sha256, sha(cafe.bytes));
    assert.equal(row.source, "library");
    assert.equal(sha(await Deno.readFile(join(run.target, row.path))), sha(cafe.bytes));
    assert.equal(run.index.getItem(idOf(cafe.bytes)), undefined, "no second item");
    // The edited copy is tied to the API item and its album membership points there too.
    const edited = fx.media.find((m) => m.key.endsWith("Café crème-modifié.jpg"))!;
    assert.equal(run.index.getItem(idOf(edited.bytes))!.companionOf, "AF1QipAPI");
    const members = run.index.albumItems("takeout:Été 2021").map((r) => r.id);
    assert.ok(members.includes("AF1QipAPI"));
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() skips trash unless asked, and writes XMP sidecars when asked", async () => {
  const fx = englishExport(21);
  const run = await newRun();
  try {
    const paths = await writeZipParts(fx, run.dir);
    const report = await importTakeout({
      target: run.target,
      paths,
      index: run.index,
      includeTrash: true,
      xmp: true,
    });
    assert.equal(report.skippedTrash, 0);
    const trashed = fx.media.filter((m) => m.expect.skipped === "trash");
    assert.equal(trashed.length, 2);
    for (const m of trashed) assert.equal(run.index.getItem(idOf(m.bytes))?.trashed, true);
    assert.equal(report.xmpWritten, report.imported);
    const fav = fx.media.find((m) => m.key === "Photos from 2023/IMG_fav.jpg")!;
    const row = run.index.getItem(idOf(fav.bytes))!;
    const xmp = await Deno.readTextFile(join(run.target, `${row.path}.xmp`));
    assert.match(xmp, new RegExp(`exif:DateTimeOriginal="${isoUtc(new Date(fav.expect.time))}"`));
    assert.match(xmp, /exif:GPSLatitude="48,51\.504000N"/);
    assert.match(xmp, /exif:GPSLongitude="2,17\.670000E"/);
    assert.match(xmp, /Eiffel &lt;tower&gt; &amp; friends/);
    assert.match(xmp, /<rdf:li>Alice<\/rdf:li><rdf:li>Bob<\/rdf:li>/);
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() stops cleanly when interrupted, and a rerun finishes the job", async () => {
  const fx = germanLegacyExport(41);
  const run = await newRun();
  try {
    const tgz = await writeTgz(fx, join(run.dir, "t.tgz"));
    const en = englishExport(41);
    const zip = await writeZipParts(en, run.dir, { parts: 1 });
    const controller = new AbortController();
    let items = 0;
    await assert.rejects(
      importTakeout({
        target: run.target,
        paths: [...zip, tgz],
        index: run.index,
        signal: controller.signal,
        concurrency: 1,
        onEvent: (e) => {
          if (e.type === "item" && ++items === 5) controller.abort(new Error("Interrupted"));
        },
      }),
      /Interrupted/,
    );
    const written = run.index.allItems().length;
    assert.ok(written >= 5 && written < 40, `${written} items before the stop`);
    // Nothing half-written is left under a final name, and no staging folder.
    const names: string[] = [];
    const walk = async (dir: string) => {
      for await (const e of Deno.readDir(dir)) {
        if (e.isDirectory) await walk(join(dir, e.name));
        else names.push(e.name);
      }
    };
    await walk(run.target);
    assert.ok(names.every((n) => !isTempName(n)), names.join(", "));
    await assert.rejects(Deno.stat(join(run.target, STAGING_DIR)));
    for (const row of run.index.allItems()) assert.ok(row.downloadedAt, row.path);

    const again = await importTakeout({
      target: run.target,
      paths: [...zip, tgz],
      index: run.index,
    });
    assert.equal(again.exitCode, 0);
    const total = new Set(
      [...fx.media, ...en.media].filter((m) => !m.expect.skipped).map((m) => sha(m.bytes)),
    ).size;
    assert.equal(again.imported, total - written);
    assert.equal(run.index.allItems().length, total);
    await assertImported(fx, run);
    await assertImported(en, run);
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() imports a bulk export (the benchmark's generator) once per file", async () => {
  const run = await newRun();
  try {
    const bulk = await writeBulkZipParts(run.dir, { files: 120, bytesPerFile: 20_000 });
    const report = await importTakeout({ target: run.target, paths: bulk.paths, index: run.index });
    assert.equal(report.exitCode, 0);
    assert.equal(report.imported, bulk.distinct);
    assert.equal(report.withoutSidecar, 0);
    assert.equal(report.orphanSidecars, 0);
    assert.equal(report.duplicates, report.albumMemberships);
    assert.equal(run.index.allItems().filter((r) => r.dateSource === "sidecar").length, 120);
  } finally {
    await run.cleanup();
  }
});

Deno.test("importTakeout() writes nothing through a photos/2020 symlink out of TARGET", async (t) => {
  const fx = englishExport();
  const in2020 = fx.media.filter((m) => new Date(m.expect.time).getUTCFullYear() === 2020);
  assert.equal(in2020.length, 1, "the fixture has one item dated 2020");
  const pack = {
    // Zip entries are staged in their month folder; tgz entries in the staging folder, then placed.
    zip: (fx: TakeoutFixture, dir: string) => writeZipParts(fx, dir),
    tgz: async (fx: TakeoutFixture, dir: string) => [
      await writeTgz(fx, join(dir, "takeout-20240101T000000Z-001.tgz")),
    ],
  };
  for (const [kind, write] of Object.entries(pack)) {
    await t.step(kind, async () => {
      const run = await newRun();
      try {
        const outside = join(run.dir, "outside");
        await Deno.mkdir(outside);
        await Deno.mkdir(join(run.target, "photos"));
        await Deno.symlink(outside, join(run.target, "photos", "2020"));
        const paths = await write(fx, run.dir);
        const report = await importTakeout({ target: run.target, paths, index: run.index });

        const escaped: string[] = [];
        for await (const e of Deno.readDir(outside)) escaped.push(e.name);
        assert.deepEqual(escaped, [], "nothing is written outside TARGET");
        assert.equal(report.failed, 1);
        assert.ok(
          report.problems.some((p) =>
            /"photos\/2020(\/01)?(\/[^"]*)?" resolves outside/.test(p.message) &&
            p.entry?.includes("Screenshot_20200105")
          ),
          JSON.stringify(report.problems),
        );
        assert.equal(run.index.getItem(idOf(in2020[0].bytes))?.downloadedAt ?? null, null);
        const rest = fx.media.filter((m) => !m.expect.skipped && !in2020.includes(m));
        for (const m of rest) {
          const row = run.index.getItem(idOf(m.bytes));
          assert.ok(row?.downloadedAt, `${m.key} is imported`);
          assert.equal(sha(await Deno.readFile(join(run.target, row.path))), sha(m.bytes));
        }
      } finally {
        await run.cleanup();
      }
    });
  }
});
