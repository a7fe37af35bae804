import assert from "node:assert/strict";
import { entry, sidecar } from "./fixtures/takeout/tree_entries.ts";
import { clip46, matchTree, sidecarCandidates, splitName } from "../src/sources/takeout/match.ts";
import { tierCandidates } from "../src/sources/takeout/sidecar_names.ts";
import type { MatchedMedia } from "../src/sources/takeout/match.ts";
import type { JsonFile } from "../src/sources/takeout/read_takeout.ts";
import { classifyJson } from "../src/sources/takeout/metadata.ts";
import { sidecarHeavyFolder } from "./fixtures/takeout/generate.ts";

function byName(media: MatchedMedia[]): Map<string, MatchedMedia> {
  return new Map(media.map((m) => [m.name, m]));
}

/** Observed media/sidecar pairs (takeout-format.md §1.5 table), each with a distinct date. */
const OBSERVED: [media: string, json: string, title: string][] = [
  [
    "20161105_170829.jpg",
    "20161105_170829.jpg.supplemental-metadata.json",
    "20161105_170829.jpg",
  ],
  [
    "MVIMG_20191230_232926.jpg",
    "MVIMG_20191230_232926.jpg.supplemental-metadat.json",
    "MVIMG_20191230_232926.jpg",
  ],
  [
    "Screenshot_20200301-161151.png",
    "Screenshot_20200301-161151.png.supplemental-me.json",
    "Screenshot_20200301-161151.png",
  ],
  [
    "Screenshot_20231027_123303_Facebook.jpg",
    "Screenshot_20231027_123303_Facebook.jpg.supple.json",
    "Screenshot_20231027_123303_Facebook.jpg",
  ],
  [
    "Screenshot_20231027_123303_Facebook(1).jpg",
    "Screenshot_20231027_123303_Facebook.jpg.supple(1).json",
    "Screenshot_20231027_123303_Facebook.jpg",
  ],
  ["Scan35(1).jpg", "Scan35.jpg.supplemental-metadata(1).json", "Scan35.jpg"],
  ["Scan35.jpg", "Scan35.jpg.supplemental-metadata.json", "Scan35.jpg"],
  ["CLIP0001(10).AVI", "CLIP0001.AVI.supplemental-metadata(10).json", "CLIP0001.AVI"],
  [
    "D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg",
    "D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg.supp.json",
    "D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg",
  ],
  [
    "Screenshot_20220207_102421_com.snapchat.android.jpg",
    "Screenshot_20220207_102421_com.snapchat.androi.json",
    "Screenshot_20220207_102421_com.snapchat.android.jpg",
  ],
  [
    "Screenshot_2024-08-31-00-53-48-647_com.snapchat.jpg",
    "Screenshot_2024-08-31-00-53-48-647_com.snapcha.json",
    "Screenshot_2024-08-31-00-53-48-647_com.snapchat.jpg",
  ],
  [
    "PXL_20230814_201154491.LONG_EXPOSURE-01.COVER.jpg",
    "PXL_20230814_201154491.LONG_EXPOSURE-01.COVER..json",
    "PXL_20230814_201154491.LONG_EXPOSURE-01.COVER.jpg",
  ],
  [
    "05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jpg",
    "05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jp.json",
    "05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jpg",
  ],
  [
    "Urlaub in Knaufspesch in der Schneifel (38).JPG",
    "Urlaub in Knaufspesch in der Schneifel (38).JP.json",
    "Urlaub in Knaufspesch in der Schneifel (38).JPG",
  ],
  [
    "13039_327707840323_537645323_9470255_27214_n(1).jpg",
    "13039_327707840323_537645323_9470255_27214_n.j(1).json",
    "13039_327707840323_537645323_9470255_27214_n.jpg",
  ],
  [
    "Backyard_ceremony_wedding_photography_xxxxxxx_m(494).jpg",
    "Backyard_ceremony_wedding_photography_xxxxxxx_(494).json",
    "Backyard_ceremony_wedding_photography_xxxxxxx_m.jpg",
  ],
  ["2013-12-23(1).jpg", "2013-12-23.supplemental-metadata(1).json", "2013-12-23"],
  [
    "Peanut Butter Balls.jpg",
    "Peanut Butter Balls.supplemental-metadata.json",
    "Peanut Butter Balls",
  ],
  [
    "PXL_20210102_221126856.MP~2.jpg",
    "PXL_20210102_221126856.MP~2.jpg.json",
    "PXL_20210102_221126856.MP~2.jpg",
  ],
  ["P7040106.jpg", "P7040106.JPG.json", "P7040106.JPG"],
  ["IMG_4081(1).jpg", "IMG_4081.JPG(1).json", "IMG_4081.JPG"],
  ["21.12(1).11 - 1", "21.12.11 - 1.supplemental-metadata(1).json", "21.12.11 - 1"],
  ["IMG20240221145914~2.jpg", "IMG20240221145914~2.jpg.supplemental-metadata.json", "x"],
];

Deno.test("splitName() and clip46() follow Google's cutting rules", async (t) => {
  await t.step("the counter is the last (digits) before the extension", () => {
    assert.deepEqual(splitName("IMG_3479(1).JPG"), {
      base: "IMG_3479",
      counter: "(1)",
      ext: ".JPG",
    });
    assert.deepEqual(splitName("21.12(1).11 - 1"), {
      base: "21.12",
      counter: "(1)",
      ext: ".11 - 1",
    });
    assert.deepEqual(splitName("MVIMG_1"), { base: "MVIMG_1", counter: "", ext: "" });
  });
  await t.step("clip46 keeps 46 UTF-16 units and both cuts of a split surrogate pair", () => {
    assert.equal(clip46("a".repeat(50))[0].length, 46);
    const emoji = "a".repeat(45) + "😀" + "b";
    assert.deepEqual(clip46(emoji), ["a".repeat(45), "a".repeat(45) + "😀"]);
  });
  await t.step("candidates of a counter name put the counter before .json first", () => {
    const [first] = sidecarCandidates("Scan35(1).jpg");
    assert.equal(first[0], "Scan35.jpg.supplemental-metadata(1).json");
  });
  await t.step("each tier's names, made lazily, come in the order of the full lists", () => {
    const cases: [string, string[][]][] = [
      ["IMG_1.jpg", [["IMG_1.jpg.supplemental-metadata.json", "IMG_1.jpg.json"], [
        "IMG_1.supplemental-metadata.json",
        "IMG_1.json",
      ], []]],
      ["Scan35(1).jpg", [["Scan35.jpg.supplemental-metadata(1).json", "Scan35.jpg(1).json"], [
        "Scan35.supplemental-metadata(1).json",
        "Scan35(1).json",
      ], [
        "Scan35(1).jpg.supplemental-metadata.json",
        "Scan35(1).jpg.json",
        "Scan35(1).supplemental-metadata.json",
        "Scan35(1).json",
      ]]],
      ["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb😀.jpg", [[
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb😀.json",
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb😀.jpg.supplemental-metadata.json",
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb😀.jpg.json",
      ], [
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb😀.json",
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb😀.supplemental-metadata.json",
      ], []]],
      ["Very long name of a photo taken on holiday in 2019(3).HEIC", [[
        "Very long name of a photo taken on holiday in (3).json",
        "Very long name of a photo taken on holiday in 2019.HEIC.supplemental-metadata(3).json",
        "Very long name of a photo taken on holiday in 2019.HEIC(3).json",
      ], [
        "Very long name of a photo taken on holiday in (3).json",
        "Very long name of a photo taken on holiday in 2019.supplemental-metadata(3).json",
        "Very long name of a photo taken on holiday in 2019(3).json",
      ], [
        "Very long name of a photo taken on holiday in .json",
        "Very long name of a photo taken on holiday in 2019(3).HEIC.supplemental-metadata.json",
        "Very long name of a photo taken on holiday in 2019(3).HEIC.json",
        "Very long name of a photo taken on holiday in 2019(3).supplemental-metadata.json",
        "Very long name of a photo taken on holiday in 2019(3).json",
      ]]],
    ];
    for (const [name, tiers] of cases) {
      assert.deepEqual(sidecarCandidates(name), tiers, name);
      ([0, 1, 2] as const).forEach((tier) => {
        assert.deepEqual([...new Set(tierCandidates(name, tier))], tiers[tier], `${name} ${tier}`);
      });
    }
  });
});

Deno.test("matchTree() pairs every observed naming form with its own sidecar", () => {
  const media = OBSERVED.map(([m]) => entry(m));
  const json = OBSERVED.map(([, j, title], i) => sidecar(j, title, 1_000_000 + i));
  const result = matchTree(media, json);
  const got = byName(result.media);
  OBSERVED.forEach(([m, j], i) => {
    const mm = got.get(m)!;
    assert.equal(mm.json?.entry.name, j, `${m} should pair with ${j}`);
    assert.equal(mm.via, "sidecar", m);
    assert.equal(mm.sidecar?.takenTime?.getTime(), (1_000_000 + i) * 1000, m);
  });
  assert.deepEqual(result.orphans, []);
});

Deno.test("matchTree() never pairs by prefix or by a shared title alone", async (t) => {
  await t.step("IMG_12345.JPG does not take IMG_1234.HEIC's sidecar", () => {
    const r = matchTree(
      [entry("IMG_12345.JPG"), entry("IMG_1234.HEIC")],
      [sidecar("IMG_1234.HEIC.supplemental-metadata.json", "IMG_1234.HEIC", 100)],
    );
    const got = byName(r.media);
    assert.equal(got.get("IMG_1234.HEIC")!.via, "sidecar");
    assert.equal(got.get("IMG_12345.JPG")!.via, "none");
    assert.equal(got.get("IMG_12345.JPG")!.sidecar, undefined);
  });
  await t.step("a lost (1) sidecar leaves IMG_3479(1).JPG unpaired, not paired by title", () => {
    const r = matchTree(
      [entry("IMG_3479.JPG"), entry("IMG_3479(1).JPG")],
      [sidecar("IMG_3479.JPG.supplemental-metadata.json", "IMG_3479.JPG", 100)],
    );
    const got = byName(r.media);
    assert.equal(got.get("IMG_3479.JPG")!.sidecar?.takenTime?.getTime(), 100_000);
    assert.equal(got.get("IMG_3479(1).JPG")!.sidecar, undefined);
  });
  await t.step("two equal titles pair by counter, never crosswise", () => {
    const r = matchTree(
      [entry("IMG_3479(1).JPG"), entry("IMG_3479.JPG")],
      [
        sidecar("IMG_3479.JPG.supplemental-metadata(1).json", "IMG_3479.JPG", 200),
        sidecar("IMG_3479.JPG.supplemental-metadata.json", "IMG_3479.JPG", 100),
      ],
    );
    const got = byName(r.media);
    assert.equal(got.get("IMG_3479.JPG")!.sidecar?.takenTime?.getTime(), 100_000);
    assert.equal(got.get("IMG_3479(1).JPG")!.sidecar?.takenTime?.getTime(), 200_000);
  });
  await t.step("Google creations keep their own sidecar, not the base photo's", () => {
    const r = matchTree(
      [entry("IMG_1.jpg"), entry("IMG_1-COLLAGE.jpg")],
      [
        sidecar("IMG_1.jpg.supplemental-metadata.json", "IMG_1.jpg", 1),
        sidecar("IMG_1-COLLAGE.jpg.supplemental-metadata.json", "IMG_1-COLLAGE.jpg", 2),
      ],
    );
    const got = byName(r.media);
    assert.equal(got.get("IMG_1-COLLAGE.jpg")!.sidecar?.takenTime?.getTime(), 2000);
    assert.equal(got.get("IMG_1-COLLAGE.jpg")!.role, "primary");
  });
});

/** A 44-unit stem: with "-edited" it exceeds 47 and Google cuts the suffix. */
const LONG = "A_long_name_for_a_photo_that_is_close_to_444";

Deno.test("matchTree() binds variants to their primary item", async (t) => {
  assert.equal(LONG.length + 3, 47);
  const media = [
    "IMG_1.jpg",
    "IMG_1-edited.jpg",
    "IMG_2.jpg",
    "IMG_2-bearbeitet.jpg",
    "IMG_3.jpg",
    "IMG_3-modifié.jpg",
    "IMG_4(2).jpg",
    "IMG_4-edited(2).jpg",
    "IMG_5-edited(1).jpg",
    "IMG_5.jpg",
    "IMG_0170.HEIC",
    "IMG_0170.MP4",
    "PXL_20230101_000000000.MP.jpg",
    "PXL_20230101_000000000.MP",
    "MVIMG_20190101_101010.jpg",
    "MVIMG_20190101_101010",
    `${LONG}.jpg`,
    // The stem was cut to 47 units, cutting "-edited" to "-ed".
    `${LONG}-ed.jpg`,
  ].map((n) => entry(n));
  const json = [
    sidecar("IMG_1.jpg.supplemental-metadata.json", "IMG_1.jpg", 1),
    sidecar("IMG_2.jpg.json", "IMG_2.jpg", 2),
    sidecar("IMG_3.jpg.supplemental-metadata.json", "IMG_3.jpg", 3),
    sidecar("IMG_4.jpg.supplemental-metadata(2).json", "IMG_4.jpg", 4),
    sidecar("IMG_5.jpg.supplemental-metadata.json", "IMG_5.jpg", 5),
    sidecar("IMG_0170.HEIC.supplemental-metadata.json", "IMG_0170.HEIC", 6),
    sidecar(
      "PXL_20230101_000000000.MP.jpg.supplemental-me.json",
      "PXL_20230101_000000000.MP.jpg",
      7,
    ),
    sidecar("MVIMG_20190101_101010.jpg.supplemental-metada.json", "MVIMG_20190101_101010.jpg", 8),
    sidecar(`${LONG}.j.json`, `${LONG}.jpg`, 9),
  ];
  const r = matchTree(media, json);
  const got = byName(r.media);
  const expect: [string, string, string, number][] = [
    ["IMG_1-edited.jpg", "edited", "IMG_1.jpg", 1],
    ["IMG_2-bearbeitet.jpg", "edited", "IMG_2.jpg", 2],
    ["IMG_3-modifié.jpg", "edited", "IMG_3.jpg", 3],
    ["IMG_4-edited(2).jpg", "edited", "IMG_4(2).jpg", 4],
    ["IMG_0170.MP4", "live", "IMG_0170.HEIC", 6],
    ["PXL_20230101_000000000.MP", "motion", "PXL_20230101_000000000.MP.jpg", 7],
    ["MVIMG_20190101_101010", "motion", "MVIMG_20190101_101010.jpg", 8],
    [`${LONG}-ed.jpg`, "edited", `${LONG}.jpg`, 9],
  ];
  for (const [name, role, primary, taken] of expect) {
    await t.step(`${name} is the ${role} part of ${primary}`, () => {
      const m = got.get(name)!;
      assert.equal(m.role, role);
      assert.equal(m.via, "variant");
      assert.equal(m.primary?.name, primary);
      assert.equal(m.sidecar?.takenTime?.getTime(), taken * 1000);
    });
  }
  await t.step("IMG_5-edited(1).jpg has no IMG_5(1).jpg, so it is IMG_5.jpg's (rule 1)", () => {
    const m = got.get("IMG_5-edited(1).jpg")!;
    assert.equal(m.primary?.name, "IMG_5.jpg");
    assert.equal(m.sidecar?.takenTime?.getTime(), 5000);
  });
  assert.deepEqual(r.orphans, []);
});

Deno.test("matchTree() falls back to a unique title and counts orphans", () => {
  const r = matchTree(
    [entry("weird name.jpg"), entry("dup.jpg", "Album"), entry("dup(1).jpg", "Album")],
    [
      sidecar("something else entirely.json", "weird name.jpg", 10),
      sidecar("zz.json", "dup.jpg", 11, "Album"),
      sidecar("zz(1).json", "dup.jpg", 12, "Album"),
      sidecar("lonely.jpg.supplemental-metadata.json", "lonely.jpg", 13),
    ],
  );
  const got = byName(r.media);
  assert.equal(got.get("weird name.jpg")!.via, "title");
  assert.equal(got.get("weird name.jpg")!.sidecar?.takenTime?.getTime(), 10_000);
  // Two sidecars share the title "dup.jpg": neither is used for a title match.
  assert.equal(got.get("dup.jpg")!.via, "none");
  assert.equal(got.get("dup(1).jpg")!.via, "none");
  assert.deepEqual(r.orphans.map((o) => o.entry.name).sort(), [
    "lonely.jpg.supplemental-metadata.json",
    "zz(1).json",
    "zz.json",
  ]);
});

Deno.test("matchTree() classifies folders by name and album files by content", () => {
  const album = (name: string, dir: string, body: unknown): JsonFile => ({
    entry: entry(name, dir),
    info: classifyJson(body),
  });
  const r = matchTree([
    entry("a.jpg", "Photos from 2019"),
    entry("a.jpg", "Fotos von 2019"),
    entry("a.jpg", "Urlaub"),
    entry("a.jpg", "Archive"),
    entry("a.jpg", "Papierkorb"),
    entry("a.jpg", "Bin"),
    entry("a.jpg", "Locked Folder"),
    entry("a.mp4", "Failed Videos"),
    entry("a.jpg", "Trash"),
    entry("a.jpg", "1 anno fa"),
  ], [
    album("Metadaten.json", "Urlaub", {
      title: "Urlaub 2019",
      description: "",
      access: "protected",
    }),
    album("metadata.json", "Trash", {
      title: "Trash",
      access: "protected",
      date: { timestamp: "1" },
    }),
  ]);
  const kinds = Object.fromEntries([...r.folders].map(([d, f]) => [d, f.kind]));
  assert.deepEqual(kinds, {
    "Photos from 2019": "year",
    "Fotos von 2019": "year",
    Urlaub: "album",
    Archive: "archive",
    Papierkorb: "trash",
    Bin: "trash",
    "Locked Folder": "locked",
    "Failed Videos": "failed",
    // A user album that happens to be called "Trash" has an album file.
    Trash: "album",
    // A memory folder without an album file is an album named after the folder (rule 9).
    "1 anno fa": "album",
  });
  assert.equal(r.folders.get("Urlaub")!.album?.title, "Urlaub 2019");
});

Deno.test("matchTree() pairs 20,000 sidecars in one folder (timed by deno task bench takeout)", () => {
  const { media, json } = sidecarHeavyFolder(20_000);
  const r = matchTree(media, json);
  assert.equal(r.orphans.length, 0);
  assert.ok(r.media.every((m) => m.via === "sidecar"));
  const dup = r.media.find((m) => m.name === "IMG_DUP(1234).jpg")!;
  assert.equal(dup.sidecar?.takenTime?.getTime(), 101_234_000);
});
