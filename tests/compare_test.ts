import assert from "node:assert/strict";
import { join } from "node:path";
import {
  compareFolder,
  type ComparisonReport,
  matchFiles,
  mp4CreationTime,
  scanFolder,
  type ScannedFile,
} from "../src/compare/mod.ts";
import { isoUtc, MediaIndex } from "../src/index/mod.ts";
import type { MediaRecord, MediaRow } from "../src/index/mod.ts";
import { gif, jpegWithExif, mp4WithCreationTime, png } from "./fixtures/media_bytes.ts";
import { runCli, sha256Hex, walkFiles } from "./helpers.ts";

/** A library item for the test index, with the bytes its downloaded file holds (if any). */
interface LibItem {
  id: string;
  name: string;
  time: string;
  bytes?: Uint8Array;
  video?: boolean;
}

const T = (s: string) => new Date(s);

function jpeg(time: string, seed: number, sizeBytes?: number): Uint8Array {
  return jpegWithExif({ dateTimeOriginal: T(time), seed, sizeBytes });
}

/** Moves `moov` after `mdat`, as many cameras write it, to prove the reader seeks. */
function moovLast(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Uint8Array[] = [];
  for (let pos = 0; pos < bytes.length;) {
    const size = view.getUint32(pos);
    boxes.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  const type = (b: Uint8Array) => new TextDecoder().decode(b.subarray(4, 8));
  const ordered = [
    ...boxes.filter((b) => type(b) !== "moov"),
    ...boxes.filter((b) => type(b) === "moov"),
  ];
  const out = new Uint8Array(bytes.length);
  let at = 0;
  for (const b of ordered) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

// The library: what TARGET's index holds. Times are in May 2020, so paths are photos/2020/05/.
const LIBRARY: LibItem[] = [
  { id: "exact", name: "IMG_0001.jpg", time: "2020-05-01T10:00:00Z" },
  { id: "renamed", name: "IMG_0002.jpg", time: "2020-05-02T10:00:00Z" },
  { id: "reencoded", name: "IMG_0003.jpg", time: "2020-05-03T10:00:00Z" },
  { id: "twin1", name: "IMG_0004.jpg", time: "2020-05-04T10:00:00Z" },
  { id: "twin2", name: "IMG_0004.jpg", time: "2020-05-04T12:00:00Z" },
  { id: "cafe", name: "Caf\u00e9.jpg", time: "2020-05-05T10:00:00Z" },
  { id: "video", name: "VID_0001.mp4", time: "2020-05-06T10:00:00Z", video: true },
  { id: "scan", name: "scan_01.png", time: "2020-05-07T10:00:00Z" },
  { id: "gone", name: "IMG_0007.jpg", time: "2020-05-08T10:00:00Z" },
  { id: "pending", name: "IMG_0008.jpg", time: "2020-05-09T10:00:00Z" },
  { id: "unique", name: "unique_name.gif", time: "2020-05-10T10:00:00Z" },
  { id: "common1", name: "common.gif", time: "2020-05-11T10:00:00Z" },
  { id: "common2", name: "common.gif", time: "2020-05-12T10:00:00Z" },
];
// Downloaded files (the rest are only indexed).
const LIB_BYTES: Record<string, Uint8Array> = {
  exact: jpeg("2020-05-01T10:00:00Z", 1),
  renamed: jpeg("2020-05-02T10:00:00Z", 2),
  reencoded: jpeg("2020-05-03T10:00:00Z", 3),
  twin1: jpeg("2020-05-04T10:00:00Z", 4),
  twin2: jpeg("2020-05-04T12:00:00Z", 5),
  cafe: jpeg("2020-05-05T10:00:00Z", 6),
  video: mp4WithCreationTime({ creationTime: T("2020-05-06T10:00:00Z"), seed: 7 }),
  scan: png(8, { sizeBytes: 2000 }),
  gone: jpeg("2020-05-08T10:00:00Z", 9),
};

/** The backup folder: file -> bytes, and what the comparison must say about each file. */
function backupFiles(): { files: Record<string, Uint8Array>; ignored: Record<string, Uint8Array> } {
  return {
    files: {
      "2020/IMG_0001.jpg": LIB_BYTES.exact, // exact copy
      "renamed/holiday.jpg": LIB_BYTES.renamed, // renamed copy
      "IMG_0003.jpg": jpeg("2020-05-03T10:00:00Z", 103), // re-encoded: other bytes, same EXIF date
      "2020/IMG_0004.jpg": LIB_BYTES.twin1,
      "2020/IMG_0004 (2).jpg": jpeg("2020-05-04T12:00:00Z", 105), // Google's " (2)" name, re-encoded
      ["nfd/" + "Caf\u00e9.jpg".normalize("NFD")]: jpeg("2020-05-05T10:00:00Z", 106), // NFD name
      "videos/VID_0001.mp4": moovLast(
        mp4WithCreationTime({
          creationTime: T("2020-05-06T10:00:01Z"),
          seed: 107,
          sizeBytes: 3_000_000,
        }),
      ), // re-encoded video, moov at the end, 1 s off
      "scans/scan_01.png": png(108, { sizeBytes: 2000 }), // same name and size, other bytes
      "unique_name.gif": gif(111), // the only item with this name, never downloaded
      "common.gif": gif(112), // two items share the name: ambiguous, missing
      "not_in_library/other.jpg": jpeg("2019-01-01T00:00:00Z", 200), // the library lacks it
      "not_in_library/IMG_0001.jpg": jpeg("2018-02-02T00:00:00Z", 201), // a name taken, another photo
      "dups/IMG_0001.jpg": LIB_BYTES.exact, // second exact copy
      "dups/IMG_0003 (2).jpg": jpeg("2020-05-03T10:00:00Z", 303), // another re-encode
      "dups/scan_01 copy.png": png(108, { sizeBytes: 2000 }), // byte copy of a name-size match
    },
    ignored: {
      ".hidden.jpg": LIB_BYTES.gone,
      ".thumbs/IMG_0007.jpg": LIB_BYTES.gone,
      "notes.txt": new TextEncoder().encode("not media"),
    },
  };
}

/** [class, stage, item id, duplicateOf] for every backup file. */
const EXPECTED: Record<string, [string, string | null, string | null, string | null]> = {
  "2020/IMG_0001.jpg": ["matched", "hash", "exact", null],
  "renamed/holiday.jpg": ["matched", "hash", "renamed", null],
  "IMG_0003.jpg": ["matched", "name-time", "reencoded", null],
  "2020/IMG_0004.jpg": ["matched", "hash", "twin1", null],
  "2020/IMG_0004 (2).jpg": ["matched", "name-time", "twin2", null],
  ["nfd/" + "Caf\u00e9.jpg".normalize("NFD")]: ["matched", "name-time", "cafe", null],
  "videos/VID_0001.mp4": ["matched", "name-time", "video", null],
  "scans/scan_01.png": ["matched", "name-size", "scan", null],
  "unique_name.gif": ["matched", "name", "unique", null],
  "common.gif": ["missing", null, null, null],
  "not_in_library/other.jpg": ["missing", null, null, null],
  "not_in_library/IMG_0001.jpg": ["missing", null, null, null],
  "dups/IMG_0001.jpg": ["duplicate", "hash", "exact", "2020/IMG_0001.jpg"],
  "dups/IMG_0003 (2).jpg": ["duplicate", "name-time", "reencoded", "IMG_0003.jpg"],
  "dups/scan_01 copy.png": ["duplicate", "name-size", "scan", "scans/scan_01.png"],
};

interface Fixture {
  root: string;
  target: string;
  folder: string;
  rows: Map<string, MediaRow>;
  cleanup(): Promise<void>;
}

async function writeTree(base: string, files: Record<string, Uint8Array>): Promise<void> {
  for (const [rel, bytes] of Object.entries(files)) {
    const path = join(base, rel);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeFile(path, bytes);
  }
}

async function setup(): Promise<Fixture> {
  const root = await Deno.makeTempDir({ prefix: "gphotos-compare-" });
  const target = join(root, "target");
  const folder = join(root, "backup");
  await Deno.mkdir(target);
  const index = MediaIndex.open(target);
  const rows = new Map<string, MediaRow>();
  try {
    const records: MediaRecord[] = LIBRARY.map((it) => ({
      id: it.id,
      source: "library",
      originalName: it.name,
      mediaType: it.video ? "video" : "photo",
      captureTime: it.time,
      dateSource: "api",
    }));
    index.upsertItems(records);
    for (const it of LIBRARY) {
      const bytes = LIB_BYTES[it.id];
      const row = index.getItem(it.id)!;
      if (bytes) {
        const path = join(target, row.path);
        await Deno.mkdir(join(path, ".."), { recursive: true });
        await Deno.writeFile(path, bytes);
        index.markDownloaded(it.id, { size: bytes.length, sha256: await sha256Hex(bytes) });
      }
      rows.set(it.id, index.getItem(it.id)!);
    }
  } finally {
    index.close();
  }
  const { files, ignored } = backupFiles();
  await writeTree(folder, files);
  await writeTree(folder, ignored);
  await Deno.symlink(join(target, rows.get("gone")!.path), join(folder, "link.jpg"));
  return { root, target, folder, rows, cleanup: () => Deno.remove(root, { recursive: true }) };
}

async function compare(
  f: Fixture,
  opts: { hardlinks?: boolean; folder?: string } = {},
): Promise<{ report: ComparisonReport; reads: string[] }> {
  const reads: string[] = [];
  const index = MediaIndex.open(f.target);
  try {
    const r = await compareFolder(index, opts.folder ?? f.folder, {
      target: f.target,
      hardlinks: opts.hardlinks,
      onRead: (p) => reads.push(p),
    });
    return { report: r.report, reads };
  } finally {
    index.close();
  }
}

/** Every entry of a link tree: relative path -> the real file it resolves to. */
async function resolveTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of await walkFiles(dir)) out[rel] = await Deno.realPath(join(dir, rel));
  return out;
}

Deno.test("compareFolder() classifies every backup file and writes the three folders", async (t) => {
  const f = await setup();
  try {
    const { report, reads } = await compare(f);
    const comparison = join(f.target, "comparison");
    const folderReal = await Deno.realPath(f.folder);
    const targetReal = await Deno.realPath(f.target);

    await t.step("every file gets its exact class, stage and item", () => {
      const got = Object.fromEntries(
        report.files.map((
          x,
        ) => [x.path, [x.class, x.stage, x.item?.id ?? null, x.duplicateOf]]),
      );
      assert.deepEqual(got, EXPECTED);
      assert.equal(reads.length, Object.keys(EXPECTED).length);
    });

    await t.step("dotfiles, dot-folders, symlinks and non-media are skipped", () => {
      const paths = report.files.map((x) => x.path);
      for (const skipped of [".hidden.jpg", ".thumbs/IMG_0007.jpg", "notes.txt", "link.jpg"]) {
        assert.ok(!paths.includes(skipped), skipped);
      }
    });

    await t.step("capture times come from EXIF and from a moov after mdat", () => {
      const byPath = new Map(report.files.map((x) => [x.path, x]));
      assert.equal(byPath.get("IMG_0003.jpg")!.captureTime, "2020-05-03T10:00:00Z");
      assert.equal(byPath.get("videos/VID_0001.mp4")!.captureTime, "2020-05-06T10:00:01Z");
      assert.equal(byPath.get("unique_name.gif")!.captureTime, null);
    });

    await t.step("extra items are the library items no file matched", () => {
      assert.deepEqual(
        report.extra.map((e) => [e.id, e.downloaded]),
        [["gone", true], ["pending", false], ["common1", false], ["common2", false]],
      );
      assert.deepEqual(report.counts.matchedByStage, {
        hash: 3,
        "name-time": 4,
        "name-size": 1,
        name: 1,
      });
      assert.deepEqual(report.counts.duplicateByStage, {
        hash: 1,
        "name-time": 1,
        "name-size": 1,
        name: 0,
      });
      assert.equal(report.counts.missing, 3);
      assert.equal(report.counts.extra, 4);
      assert.equal(report.counts.extraNotDownloaded, 3);
    });

    await t.step("missing_files/ mirrors FOLDER with relative links", async () => {
      const tree = await resolveTree(join(comparison, "missing_files"));
      assert.deepEqual(tree, {
        "common.gif": join(folderReal, "common.gif"),
        "not_in_library/IMG_0001.jpg": join(folderReal, "not_in_library/IMG_0001.jpg"),
        "not_in_library/other.jpg": join(folderReal, "not_in_library/other.jpg"),
      });
      const link = await Deno.readLink(join(comparison, "missing_files/not_in_library/other.jpg"));
      assert.ok(!link.startsWith("/"), `relative link, got "${link}"`);
    });

    await t.step("extra_files/ mirrors photos/ and links only files on disk", async () => {
      const gone = f.rows.get("gone")!.path;
      assert.deepEqual(await resolveTree(join(comparison, "extra_files")), {
        [gone.slice("photos/".length)]: join(targetReal, gone),
      });
    });

    await t.step("duplicates/ groups the files of each item, the holder first", async () => {
      assert.deepEqual(await resolveTree(join(comparison, "duplicates")), {
        "IMG_0001.jpg/1_IMG_0001.jpg": join(folderReal, "2020/IMG_0001.jpg"),
        "IMG_0001.jpg/2_IMG_0001.jpg": join(folderReal, "dups/IMG_0001.jpg"),
        "IMG_0003.jpg/1_IMG_0003.jpg": join(folderReal, "IMG_0003.jpg"),
        "IMG_0003.jpg/2_IMG_0003 (2).jpg": join(folderReal, "dups/IMG_0003 (2).jpg"),
        "scan_01.png/1_scan_01.png": join(folderReal, "scans/scan_01.png"),
        "scan_01.png/2_scan_01 copy.png": join(folderReal, "dups/scan_01 copy.png"),
      });
    });

    await t.step("report.json holds the same report", async () => {
      const saved = JSON.parse(await Deno.readTextFile(join(comparison, "report.json")));
      assert.deepEqual(saved, JSON.parse(JSON.stringify(report)));
    });

    await t.step("a re-run reads nothing again and replaces comparison/ whole", async () => {
      await Deno.writeTextFile(join(comparison, "stale.txt"), "from an old run");
      await Deno.mkdir(join(f.target, "comparison.tmp-dead"));
      const again = await compare(f);
      assert.deepEqual(again.reads, []);
      assert.equal(again.report.scan.cached, Object.keys(EXPECTED).length);
      assert.deepEqual(again.report.files, report.files);
      const top = [];
      for await (const e of Deno.readDir(f.target)) top.push(e.name);
      assert.ok(!top.some((n) => n.startsWith("comparison.")), top.join(", "));
      await assert.rejects(Deno.stat(join(comparison, "stale.txt")), Deno.errors.NotFound);
    });

    await t.step("a changed file is read again, and only it", async () => {
      const path = join(f.folder, "common.gif");
      await Deno.writeFile(path, LIB_BYTES.gone);
      const again = await compare(f);
      assert.deepEqual(again.reads, ["common.gif"]);
      const entry = again.report.files.find((x) => x.path === "common.gif")!;
      assert.deepEqual([entry.class, entry.stage, entry.item?.id], ["matched", "hash", "gone"]);
      await Deno.writeFile(path, gif(112));
    });

    await t.step("--use-hardlinks makes hard links", async () => {
      await compare(f, { hardlinks: true });
      const link = await Deno.lstat(join(comparison, "missing_files/not_in_library/other.jpg"));
      const file = await Deno.stat(join(f.folder, "not_in_library/other.jpg"));
      assert.ok(link.isFile && !link.isSymlink);
      assert.equal(link.ino, file.ino);
    });

    await t.step("TARGET compared with itself skips albums/ and comparison/", async () => {
      const albumDir = join(f.target, "albums/2020/05 Trip");
      await Deno.mkdir(albumDir, { recursive: true });
      await Deno.writeFile(join(albumDir, "copy.jpg"), jpeg("2017-01-01T00:00:00Z", 999));
      const self = await compare(f, { folder: f.target });
      const got = self.report.files.map((x) => [x.path, x.class, x.stage, x.item?.path]);
      const want = [...f.rows.values()].filter((r) => r.downloadedAt !== null)
        .map((r) => [r.path, "matched", "hash", r.path]);
      const byPath = (a: unknown[], b: unknown[]) => String(a[0]) < String(b[0]) ? -1 : 1;
      assert.deepEqual(got.sort(byPath), want.sort(byPath));
    });
  } finally {
    await f.cleanup();
  }
});

Deno.test("gphotos-sync compare prints a summary, a --json report and clear errors", async (t) => {
  const f = await setup();
  try {
    await t.step("the table names each class and stage", async () => {
      const r = await runCli(["compare", f.target, f.folder], {});
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^matched\s+9\s+3\s+4\s+1\s+1$/m);
      assert.match(r.stdout, /^duplicate\s+3\s+1\s+1\s+1\s+0$/m);
      assert.match(r.stdout, /^missing\s+3$/m);
      assert.match(r.stdout, /^extra\s+4$/m);
    });

    await t.step("--json ends with a summary of counts; report.json lists every file", async () => {
      const r = await runCli(["compare", f.target, f.folder, "--json"], {});
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      const summary = lines.at(-1);
      assert.equal(summary.type, "summary");
      assert.equal(summary.command, "compare");
      assert.equal(summary.scan.filesRead, 0, "the first run's cache answers");
      assert.equal(summary.counts.missing, 3);
      assert.equal(summary.counts.extra, 4);
      assert.equal(summary.files, undefined, "no per-file list in the summary line");
      assert.equal(summary.extra, undefined);
      const report = JSON.parse(await Deno.readTextFile(summary.report));
      assert.deepEqual(
        Object.fromEntries(
          report.files.map((x: { path: string; class: string; stage: string }) => [
            x.path,
            [x.class, x.stage],
          ]),
        ),
        Object.fromEntries(Object.entries(EXPECTED).map(([p, [c, s]]) => [p, [c, s]])),
      );
      assert.deepEqual(report.extra.map((e: { id: string }) => e.id), [
        "gone",
        "pending",
        "common1",
        "common2",
      ]);
      assert.ok(lines.some((l) => l.type === "phase" && l.phase === "compare"));
    });

    await t.step(
      "--fail-on-missing exits 4 when the backup holds files the library lacks",
      async () => {
        const r = await runCli(["compare", f.target, f.folder, "--fail-on-missing"], {});
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stdout, /^missing\s+3$/m);
      },
    );

    await t.step("--dry-run writes no comparison/, no index rows, no run", async () => {
      await Deno.remove(join(f.target, "comparison"), { recursive: true });
      const before = await snapshot(f.target);
      const r = await runCli(["compare", f.target, f.folder, "-n", "--fail-on-missing"], {});
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stdout, /^missing\s+3$/m);
      assert.match(r.stdout, /compare --dry-run: no comparison\/ folder was written/);
      assert.deepEqual(await snapshot(f.target), before);
    });

    await t.step("a missing FOLDER exits 2 with one line", async () => {
      const r = await runCli(["compare", f.target, join(f.root, "nope")], {});
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: Backup folder ".*nope" does not exist\n$/);
    });

    await t.step("a TARGET without an index exits 2 and is left alone", async () => {
      const empty = join(f.root, "empty");
      await Deno.mkdir(empty);
      const r = await runCli(["compare", empty, f.folder], {});
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: TARGET ".*empty" has no index: run .*\n$/);
      assert.deepEqual(await walkFiles(empty), []);
    });
  } finally {
    await f.cleanup();
  }
});

function scanned(path: string, time: string | null, opts: Partial<ScannedFile> = {}): ScannedFile {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return {
    path,
    name,
    size: 100,
    mtimeMs: 0,
    sha256: `sha-${path}`,
    mediaType: "photo",
    captureTime: time,
    timeZoned: false,
    dupNo: null,
    cached: false,
    ...opts,
  };
}

function row(
  id: string,
  name: string,
  time: string | null,
  opts: Partial<MediaRow> = {},
): MediaRow {
  return {
    id,
    source: "library",
    originalName: name,
    path: `photos/x/${name}`,
    folder: "photos/x",
    dupNo: 1,
    mimeType: null,
    mediaType: "photo",
    captureTime: time,
    dateSource: "api",
    width: null,
    height: null,
    cameraMake: null,
    cameraModel: null,
    description: null,
    latitude: null,
    longitude: null,
    altitude: null,
    favourite: false,
    archived: false,
    trashed: false,
    videoStatus: null,
    productUrl: null,
    people: null,
    companionOf: null,
    companionRole: null,
    fidelity: null,
    size: null,
    sha256: null,
    downloadedAt: null,
    firstSeenAt: "2020-01-01T00:00:00Z",
    lastSeenAt: "2020-01-01T00:00:00Z",
    removedAt: null,
    ...opts,
  };
}

Deno.test("matchFiles() allows a time zone only for files that did not give theirs", async (t) => {
  const items = [row("a", "IMG_1.jpg", "2021-06-01T10:00:00Z")];
  await t.step("local EXIF time two hours ahead matches with the shift recorded", () => {
    const r = matchFiles([scanned("IMG_1.jpg", "2021-06-01T12:00:01Z")], items);
    assert.equal(r.files[0].stage, "name-time");
    assert.equal(r.files[0].shiftMinutes, 120);
  });
  await t.step("a zoned time two hours off does not match by time", () => {
    const r = matchFiles([scanned("IMG_1.jpg", "2021-06-01T12:00:01Z", { timeZoned: true })], [
      ...items,
      row("b", "IMG_1.jpg", "2021-06-02T10:00:00Z"),
    ]);
    assert.equal(r.files[0].class, "missing");
  });
  await t.step("3 s off is not the same moment; an exact time wins over a shifted one", () => {
    const two = [...items, row("b", "IMG_1.jpg", "2021-06-01T12:00:00Z")];
    const r = matchFiles([
      scanned("x/IMG_1.jpg", "2021-06-01T10:00:03Z", { timeZoned: true }),
      scanned("y/IMG_1.jpg", "2021-06-01T12:00:00Z"),
    ], two);
    assert.deepEqual(r.files.map((m) => [m.class, m.item?.id ?? null, m.shiftMinutes]), [
      ["missing", null, 0],
      ["matched", "b", 0],
    ]);
  });
  await t.step("a ' (n)' name picks the item of the same number among equals", () => {
    const same = "2021-06-01T10:00:00Z";
    const r = matchFiles([scanned("IMG_1 (2).jpg", same, { dupNo: 2 })], [
      row("first", "IMG_1.jpg", same),
      row("second", "IMG_1.jpg", same, { dupNo: 2, path: "photos/x/IMG_1 (2).jpg" }),
    ]);
    assert.equal(r.files[0].item?.id, "second");
  });
});

Deno.test("matchFiles() compares 50,000 files quickly", () => {
  const files: ScannedFile[] = [];
  const items: MediaRow[] = [];
  const base = Date.parse("2015-01-01T00:00:00Z");
  for (let i = 0; i < 50_000; i++) {
    const time = new Date(base + i * 60_000).toISOString();
    items.push(row(`i${i}`, `IMG_${i}.jpg`, time, {
      sha256: `h${i}`,
      size: 100,
      downloadedAt: time,
    }));
    files.push(scanned(`d/IMG_${i}.jpg`, time, { sha256: i % 2 ? `h${i}` : `other${i}` }));
  }
  // Its speed is measured by `deno task bench compare`, not asserted here.
  const r = matchFiles(files, items);
  assert.equal(r.files.filter((m) => m.class === "matched").length, 50_000);
});

Deno.test("mp4CreationTime() reads version 0 and 1 with a few small reads", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-mp4-" });
  try {
    const cases: [string, Date | undefined, boolean][] = [
      ["v0", T("2019-03-04T05:06:07Z"), false],
      ["v1 (after 2040)", T("2050-01-02T03:04:05Z"), false],
      ["moov last, 5 MB", T("2019-03-04T05:06:07Z"), true],
      ["unset", undefined, false],
    ];
    for (const [name, time, last] of cases) {
      await t.step(name, async () => {
        let bytes: Uint8Array = mp4WithCreationTime({
          creationTime: time,
          seed: 1,
          sizeBytes: last ? 5_000_000 : undefined,
        });
        if (last) bytes = moovLast(bytes);
        const path = join(dir, "v.mp4");
        await Deno.writeFile(path, bytes);
        using file = await Deno.open(path);
        let read = 0;
        const counting = {
          seek: (o: number | bigint, w: Deno.SeekMode) => file.seek(o, w),
          read: async (p: Uint8Array) => {
            const n = await file.read(p);
            read += n ?? 0;
            return n;
          },
        };
        const got = await mp4CreationTime(counting, bytes.length);
        assert.equal(got?.time.toISOString(), time?.toISOString());
        assert.ok(read < 200, `read ${read} bytes`);
      });
    }
    await t.step("not an MP4", async () => {
      const path = join(dir, "x.mp4");
      await Deno.writeFile(path, jpeg("2020-01-01T00:00:00Z", 1));
      using file = await Deno.open(path);
      assert.equal(await mp4CreationTime(file, (await file.stat()).size), undefined);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scanFolder() hashes every file with bounded reads and stops on its signal", async (t) => {
  const folder = await Deno.makeTempDir();
  try {
    const want = new Map<string, string>();
    for (let i = 0; i < 6; i++) {
      const bytes = jpegWithExif({ seed: i, dateTimeOriginal: new Date("2020-01-02T03:04:05Z") });
      await Deno.writeFile(join(folder, `p${i}.jpg`), bytes);
      want.set(`p${i}.jpg`, await sha256Hex(bytes));
    }
    await t.step("every file read once, hashes right, in folder order", async () => {
      const reads: string[] = [];
      const r = await scanFolder(folder, { concurrency: 2, onRead: (p) => reads.push(p) });
      assert.deepEqual(r.files.map((f) => [f.path, f.sha256]), [...want]);
      assert.deepEqual(reads.sort(), [...want.keys()]);
      assert.equal(
        r.files[0].captureTime,
        isoUtc(new Date("2020-01-02T03:04:05Z")),
        "EXIF read from the first chunk",
      );
    });
    await t.step("an abort stops taking files and rejects with its reason", async () => {
      const stop = new AbortController();
      const reads: string[] = [];
      const run = scanFolder(folder, {
        concurrency: 1,
        signal: stop.signal,
        onRead: (p) => {
          reads.push(p);
          stop.abort(new Error("stopped"));
        },
      });
      await assert.rejects(run, /stopped/);
      assert.deepEqual(reads, ["p0.jpg"]);
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

/** Every file under `dir` with its SHA-256: what a dry run must leave exactly as it was. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await walkFiles(dir)) {
    out[f] = await sha256Hex(await Deno.readFile(join(dir, f)));
  }
  return out;
}
