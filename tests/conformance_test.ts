/**
 * One behaviour suite for every source: the same 30 media through the Library API (`sync`), the
 * Picker (`pick`) and a Takeout export (`takeout`), each into a fresh TARGET, must give the same
 * index rows and byte-identical files at the same paths. It drives the CLI and reads only what lands
 * on disk (files, links, gphotos.sqlite), so it does not care how the sources are built inside.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { DatabaseSync } from "node:sqlite";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { startFakePicker } from "./fake_google/picker.ts";
import {
  conformanceAccount,
  type ConformanceMedium,
  conformanceTakeout,
} from "./fixtures/conformance.ts";
import { writeZipParts } from "./fixtures/takeout/generate.ts";
import { albumTree, runCli, setupTarget, sha256Hex, walkFiles } from "./helpers.ts";

const ALBUM = "Summer trip";

/**
 * The 30 media, in upload order (= pick order = order in the export). Times are whole seconds, the
 * finest a sidecar's `photoTakenTime` carries, so API `creationTime`, Picker `createTime` and the
 * sidecar name the same instant. `jpeg-exif` files carry an EXIF time two hours off that instant
 * (a camera on local time): a source that prefers EXIF to its own metadata shows up.
 */
const MEDIA: readonly ConformanceMedium[] = [
  // A name clash: two different photos named alike in 2020-02, then the same name in another month.
  // The first is large, so a source that numbers clashes by which transfer ends first shows it.
  { name: "IMG_0001.JPG", time: "2020-02-03T10:00:00Z", kind: "jpeg-exif", sizeBytes: 3_000_000 },
  { name: "IMG_0001.JPG", time: "2020-02-17T15:30:00Z", kind: "jpeg-exif" },
  { name: "IMG_0001.JPG", time: "2021-01-15T10:00:00Z", kind: "jpeg-exif" },
  // Names that differ only in case clash too.
  { name: "img_0002.jpg", time: "2020-02-04T09:00:00Z", kind: "jpeg" },
  { name: "IMG_0002.JPG", time: "2020-02-05T09:00:00Z", kind: "jpeg-exif" },
  { name: "caf\u00e9 cr\u00e8me.jpg", time: "2020-03-01T08:15:00Z", kind: "jpeg-exif" },
  { name: "Screenshot_2020-08-01-10-00-00.png", time: "2020-08-01T10:00:00Z", kind: "png" },
  { name: "IMG_1001.HEIC", time: "2021-05-01T09:00:00Z", kind: "heic" },
  { name: "funny.gif", time: "2021-05-02T11:00:00Z", kind: "gif" },
  { name: "VID_20210601_120000.mp4", time: "2021-06-01T12:00:00Z", kind: "mp4" },
  { name: "IMG_1002.MOV", time: "2021-06-02T12:00:00Z", kind: "mov" },
  { name: "moon_landing.jpg", time: "1969-07-20T20:17:40Z", kind: "jpeg" },
  {
    name: "described.jpg",
    time: "2022-01-03T00:00:00Z",
    kind: "jpeg-exif",
    description: "Line one\nLine two \u2014 \u00fcn\u00efc\u00f6d\u00e9",
  },
  // The album: a trip over three months, with a video; its folder is dated by the newest item.
  { name: "trip_1.jpg", time: "2019-06-28T08:00:00Z", kind: "jpeg-exif", album: true },
  { name: "trip_2.jpg", time: "2019-07-02T08:00:00Z", kind: "jpeg", album: true },
  { name: "trip_3.jpg", time: "2019-08-15T08:00:00Z", kind: "jpeg-exif", album: true },
  { name: "VID_20190816_090000.mp4", time: "2019-08-16T09:00:00Z", kind: "mp4", album: true },
  // Everyday camera names, with and without EXIF, some months holding several.
  { name: "IMG_20230105_071500.jpg", time: "2023-01-05T07:15:00Z", kind: "jpeg-exif" },
  { name: "IMG_20230105_071512.jpg", time: "2023-01-05T07:15:12Z", kind: "jpeg" },
  { name: "PXL_20230214_183000123.jpg", time: "2023-02-14T18:30:00Z", kind: "jpeg-exif" },
  { name: "DSC01234.JPG", time: "2023-03-31T23:59:59Z", kind: "jpeg-exif" },
  { name: "DSC01235.JPG", time: "2023-04-01T00:00:00Z", kind: "jpeg" },
  { name: "IMG-20230520-WA0001.jpg", time: "2023-05-20T13:45:10Z", kind: "jpeg" },
  { name: "IMG_4081.JPG", time: "2023-07-04T12:00:00Z", kind: "jpeg-exif" },
  { name: "Scan35.jpg", time: "2023-07-04T12:00:01Z", kind: "jpeg" },
  { name: "IMG_20230812_200000.jpg", time: "2023-08-12T20:00:00Z", kind: "jpeg-exif" },
  { name: "Foto.jpg", time: "2023-10-31T22:10:00Z", kind: "jpeg-exif" },
  { name: "IMG_20231224_180000.jpg", time: "2023-12-24T18:00:00Z", kind: "jpeg-exif" },
  { name: "IMG_20231231_235959.jpg", time: "2023-12-31T23:59:59Z", kind: "jpeg" },
  { name: "IMG_20240101_000000.jpg", time: "2024-01-01T00:00:00Z", kind: "jpeg-exif" },
];

type SourceName = "library" | "picker" | "takeout";
const SOURCES: readonly SourceName[] = ["library", "picker", "takeout"];

/** media_items columns compared, and which sources know each (all three unless said). */
const COMPARED: Record<string, readonly SourceName[]> = {
  original_name: SOURCES,
  path: SOURCES,
  folder: SOURCES,
  clash_key: SOURCES,
  dup_no: SOURCES,
  media_type: SOURCES,
  mime_type: SOURCES,
  capture_time: SOURCES,
  size: SOURCES,
  sha256: SOURCES,
  archived: SOURCES,
  trashed: SOURCES,
  companion_of: SOURCES,
  companion_role: SOURCES,
  // A Takeout sidecar has no dimensions, and the importer does not read them from the file.
  width: ["library", "picker"],
  height: ["library", "picker"],
  // The Picker API has no description field.
  description: ["library", "takeout"],
  // Takeout exports only finished videos and says nothing of processing.
  video_status: ["library", "picker"],
};

/** media_items columns not compared, each with the reason. */
const EXCLUDED: Record<string, string> = {
  id: "Google's id for Library and Picker, takeout:<sha256> for Takeout",
  source: "names the source, by design",
  fidelity: "names what kind of copy the file is (api, picker, original), by design",
  date_source: "names where the capture time came from (api, picker, sidecar), by design",
  camera_make: "only the Picker reports it (the Library API's photo metadata is empty here)",
  camera_model: "only the Picker reports it",
  product_url: "only the Library API has a link to the item in Google Photos",
  favourite: "only a Takeout sidecar says; a plain Library listing and the Picker do not",
  latitude: "only a Takeout sidecar carries location; Google strips it from API downloads",
  longitude: "only a Takeout sidecar carries location",
  altitude: "only a Takeout sidecar carries location",
  people: "only a Takeout sidecar names people",
  downloaded_at: "the time of this run",
  first_seen_at: "the time of this run",
  last_seen_at: "the time of this run",
  removed_at: "no run here removes anything; its own tests cover it",
  skip_reason:
    "only a video Google could not process is skipped; tests/lost_index_test.ts covers it",
  skipped_at: "the time of the run that skipped it",
};

type Row = Record<string, unknown>;

/** What one source left in its TARGET. */
interface Landed {
  rows: Map<string, Row>;
  columns: string[];
  /** Relative path under photos/ → SHA-256. */
  files: Map<string, string>;
  albums: Row[];
  /** Album title → [position, media path] in order. */
  members: Map<string, [number, string][]>;
  /** Link path → the media path it stands for. */
  links: Map<string, string>;
  tree: Record<string, string>;
}

async function readTarget(target: string): Promise<Landed> {
  // Read-only, through node:sqlite: the suite depends on the schema, not on the index module.
  const db = new DatabaseSync(join(target, "gphotos.sqlite"), { readOnly: true });
  try {
    const all = db.prepare("SELECT * FROM media_items").all() as Row[];
    const columns = (db.prepare("PRAGMA table_info(media_items)").all() as Row[])
      .map((c) => String(c.name));
    const members = new Map<string, [number, string][]>();
    const memberRows = db.prepare(
      `SELECT a.title, ai.position, m.path FROM album_items ai
       JOIN albums a ON a.id = ai.album_id JOIN media_items m ON m.id = ai.media_id
       ORDER BY a.title, ai.position`,
    ).all() as Row[];
    for (const r of memberRows) {
      const list = members.get(String(r.title)) ?? [];
      list.push([Number(r.position), String(r.path)]);
      members.set(String(r.title), list);
    }
    const links = new Map(
      (db.prepare(
        `SELECT l.path, m.path AS media FROM album_links l JOIN media_items m ON m.id = l.media_id`,
      ).all() as Row[]).map((r) => [String(r.path), String(r.media)]),
    );
    const albums = db.prepare("SELECT title, shared, folder FROM albums ORDER BY title")
      .all() as Row[];
    const files = new Map<string, string>();
    for (const rel of await walkFiles(join(target, "photos"))) {
      files.set(rel, await sha256Hex(await Deno.readFile(join(target, "photos", rel))));
    }
    return {
      rows: new Map(all.map((r) => [String(r.path), { ...r }])),
      columns,
      files,
      albums: albums.map((a) => ({ ...a })),
      members,
      links,
      tree: await albumTree(target),
    };
  } finally {
    db.close();
  }
}

/** Something to get wrong on purpose: flip one byte of one row in the Takeout export. */
interface Perturbation {
  takeoutRow: number;
}

/** Runs the three sources into three TARGETs and reads back what each left. */
async function landAll(
  media: readonly ConformanceMedium[],
  perturb?: Perturbation,
): Promise<Record<SourceName, Landed>> {
  const account = conformanceAccount(media, ALBUM);
  const google = await startFakeGoogle({ account, seed: 30 });
  const picker = await startFakePicker({ google, pollIntervalS: 0.02 });
  const dir = await Deno.makeTempDir({ prefix: "gphotos-conformance-" });
  const targets: string[] = [];
  try {
    const library = await setupTarget(google, { root: await Deno.makeTempDir({ dir }) });
    const sync = await runCli(["sync", library.target], library.env);
    assert.equal(sync.code, 0, sync.stderr);
    targets.push(library.target);

    const picked = await setupTarget(google, { root: await Deno.makeTempDir({ dir }) });
    const ids = account.items.map((item) => item.id);
    const pick = await runCli(["pick", picked.target], picked.env, {
      openBrowser: (url) => Promise.resolve(picker.pickByUri(url, ids)),
    });
    assert.equal(pick.code, 0, pick.stderr);
    targets.push(picked.target);

    // The export carries exactly what the fake serves (=dv for videos: Google's copy of them).
    const served = (i: number) => {
      const item = account.items[i];
      const bytes = google.servedBytes(item.id, item.mimeType.startsWith("video/") ? "dv" : "d");
      if (perturb?.takeoutRow === i) bytes[bytes.length - 3] ^= 0x01;
      return bytes;
    };
    // Two parts, media and sidecar of a row in different ones, rows alternating: the part a file
    // is in must not decide its " (n)" number.
    const parts = await writeZipParts(conformanceTakeout(media, ALBUM, served), dir);
    const takeout = join(dir, "takeout-target");
    const imported = await runCli(["takeout", takeout, ...parts], { HOME: dir });
    assert.equal(imported.code, 0, imported.stderr);
    targets.push(takeout);

    const out = {} as Record<SourceName, Landed>;
    for (const [i, source] of SOURCES.entries()) out[source] = await readTarget(targets[i]);
    return out;
  } finally {
    await picker.close();
    await google.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Every way the sources disagree on index rows and files under photos/, one line each, with the
 * Library as the reference: a path one lacks, a field two give differently, a file's bytes.
 */
function differences(landed: Record<SourceName, Landed>): string[] {
  const out: string[] = [];
  const reference = landed.library;
  for (const source of SOURCES) {
    const { rows, files } = landed[source];
    for (const path of reference.rows.keys()) {
      if (!rows.has(path)) out.push(`${source}: no row at ${path}`);
    }
    for (const path of rows.keys()) {
      if (!reference.rows.has(path)) out.push(`${source}: a row at ${path} the library lacks`);
    }
    for (const [rel, sha] of files) {
      const want = reference.files.get(rel);
      if (want === undefined) out.push(`${source}: photos/${rel} the library lacks`);
      else if (sha !== want) out.push(`${source}: photos/${rel} differs from the library's`);
      if (rows.get(`photos/${rel}`)?.sha256 !== sha) {
        out.push(`${source}: photos/${rel} is not what its index row says`);
      }
    }
    for (const rel of reference.files.keys()) {
      if (!files.has(rel)) out.push(`${source}: no file photos/${rel}`);
    }
  }
  for (const [path, row] of reference.rows) {
    for (const [column, knowers] of Object.entries(COMPARED)) {
      const first = knowers[0];
      const want = landed[first].rows.get(path)?.[column] ?? row[column];
      for (const source of knowers.slice(1)) {
        const other = landed[source].rows.get(path);
        if (other && !isDeepStrictEqual(other[column], want)) {
          out.push(
            `${path}: ${column} is ${JSON.stringify(other[column])} from ${source}, ` +
              `${JSON.stringify(want)} from ${first}`,
          );
        }
      }
    }
  }
  return out;
}

Deno.test("every source yields the same index rows and the same files", async (t) => {
  const landed = await landAll(MEDIA);
  const { library } = landed;

  await t.step("every media_items column is compared or excluded with a reason", () => {
    for (const source of SOURCES) {
      const columns = landed[source].columns;
      const unsorted = columns.filter((c) => !(c in COMPARED) && !(c in EXCLUDED));
      assert.deepEqual(unsorted, [], `${source}: decide whether these columns are compared`);
      assert.deepEqual(
        [...Object.keys(COMPARED), ...Object.keys(EXCLUDED)].filter((c) => !columns.includes(c)),
        [],
        `${source}: the lists name columns the index no longer has`,
      );
    }
  });

  await t.step("the same rows, fields and files from every source", () => {
    assert.deepEqual(differences(landed), []);
  });

  await t.step("all 30 are there, every file downloaded, clashes numbered in upload order", () => {
    assert.equal(library.rows.size, MEDIA.length);
    assert.equal(library.files.size, MEDIA.length);
    for (const row of library.rows.values()) {
      assert.notEqual(row.downloaded_at, null, String(row.path));
    }
    const clash = library.rows.get("photos/2020/02/IMG_0001 (2).JPG");
    assert.equal(clash?.capture_time, "2020-02-17T15:30:00Z");
    assert.equal(clash?.dup_no, 2);
    assert.ok(library.rows.has("photos/2020/02/IMG_0001.JPG"));
    assert.ok(library.rows.has("photos/2021/01/IMG_0001.JPG"));
    assert.ok(library.rows.has("photos/2020/02/img_0002.jpg"));
    assert.ok(library.rows.has("photos/2020/02/IMG_0002 (2).JPG"));
    assert.ok(library.rows.has("photos/1969/07/moon_landing.jpg"));
  });

  await t.step("capture times are the table's instants, whatever EXIF says", () => {
    const times = new Set(MEDIA.map((m) => Date.parse(m.time)));
    for (const row of library.rows.values()) {
      assert.ok(times.has(Date.parse(String(row.capture_time))), String(row.path));
    }
    assert.equal(new Set([...library.rows.values()].map((r) => r.capture_time)).size, 30);
  });

  await t.step("Library and Takeout make the same album folder and links", () => {
    const { takeout } = landed;
    assert.deepEqual(takeout.albums, library.albums);
    assert.equal(library.albums.length, 1);
    assert.equal(library.albums[0].folder, "albums/2019/08 Summer trip");
    // Takeout carries no album order; this album is in capture order, which it can rebuild.
    assert.deepEqual(takeout.members, library.members);
    assert.deepEqual(
      library.members.get(ALBUM)?.map(([, path]) => path),
      [
        "photos/2019/06/trip_1.jpg",
        "photos/2019/07/trip_2.jpg",
        "photos/2019/08/trip_3.jpg",
        "photos/2019/08/VID_20190816_090000.mp4",
      ],
    );
    assert.deepEqual(takeout.links, library.links);
    assert.equal(library.links.size, 4);
    assert.deepEqual(takeout.tree, library.tree);
  });

  await t.step("the Picker has no albums: none in its index, no albums/ folder", () => {
    const { picker } = landed;
    assert.deepEqual(picker.albums, []);
    assert.equal(picker.links.size, 0);
    assert.deepEqual(picker.tree, {});
  });
});

Deno.test("the suite catches one byte changed in one source", async () => {
  const row = MEDIA.findIndex((m) => m.name === "trip_2.jpg");
  const landed = await landAll(MEDIA, { takeoutRow: row });
  assert.deepEqual(differences(landed), [
    "takeout: photos/2019/07/trip_2.jpg differs from the library's",
    `photos/2019/07/trip_2.jpg: sha256 is "${
      landed.takeout.rows.get("photos/2019/07/trip_2.jpg")?.sha256
    }" from takeout, "${
      landed.library.rows.get("photos/2019/07/trip_2.jpg")?.sha256
    }" from library`,
  ]);
});
