/**
 * Issue 12's Takeout rules, one table per rule, with names seen in real exports and in the other
 * Takeout tools' test suites and issue reports (immich-go, GPTH, GPTH Neo): every language found.
 */
import { entry, sidecar } from "./fixtures/takeout/tree_entries.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { matchTree } from "../src/sources/takeout/match.ts";
import type { MatchedMedia, MatchResult } from "../src/sources/takeout/match.ts";
import type { JsonFile } from "../src/sources/takeout/read_takeout.ts";
import { chooseCaptureTime } from "../src/sources/takeout/metadata.ts";
import { FolderPlacer, isJunk, place, yearOfFolder } from "../src/sources/takeout/tree_rules.ts";
import { makeEntry } from "../src/sources/takeout/part.ts";
import { dateFromFileName } from "../src/layout/mod.ts";
import { importTakeout } from "../src/sources/takeout/import.ts";
import { MediaIndex } from "../src/index/mod.ts";

function match(media: string[], json: JsonFile[]): Map<string, MatchedMedia> {
  return byName(matchTree(media.map((n) => entry(n)), json));
}

function byName(r: MatchResult): Map<string, MatchedMedia> {
  return new Map(r.media.map((m) => [m.name, m]));
}

/** The capture time (seconds) a media file gets from the sidecar matching gave it. */
function takenOf(m: MatchedMedia | undefined): number | undefined {
  const t = m?.sidecar?.takenTime?.getTime();
  return t === undefined ? undefined : t / 1000;
}

/** Google's cut of a media stem: 47 UTF-16 units. */
function cut47(s: string): string {
  return s.slice(0, 47);
}

Deno.test("rule 1: an edited copy with a counter takes the un-numbered original's sidecar", async (t) => {
  const suffixes = [
    "-edited",
    "-bearbeitet",
    "-modifié",
    "-modificato",
    "-editado",
    "-ha editado",
    "-bewerkt",
    "-redigerad",
    "-redigeret",
    "-redigert",
    "-muokattu",
    "-edytowane",
    "-upraveno",
    "-szerkesztett",
    "-изменено",
    "-düzenlendi",
    "-편집됨",
    "-編集済み",
    "-编辑",
    "-已编辑",
    "-已編輯",
    "-editat",
    "-editada",
    "-отредактировано",
    "-відредаговано",
    "-diedit",
    "-đã chỉnh sửa",
    "-แก้ไขแล้ว",
    "-संपादित",
    "-تم التعديل",
  ];
  for (const [i, suffix] of suffixes.entries()) {
    const n = (i % 3) + 1;
    await t.step(`IMG_20120216_094016${suffix}(${n}).jpg beside its original`, () => {
      const got = match(
        ["IMG_20120216_094016.jpg", `IMG_20120216_094016${suffix}(${n}).jpg`],
        [sidecar("IMG_20120216_094016.jpg.supplemental-metadata.json", "x.jpg", 100 + i)],
      );
      const m = got.get(`IMG_20120216_094016${suffix}(${n}).jpg`)!;
      assert.equal(m.role, "edited");
      assert.equal(m.primary?.name, "IMG_20120216_094016.jpg");
      assert.equal(takenOf(m), 100 + i);
    });
    await t.step(`PXL_20220405_090123740${suffix}(${n}).jpg, its original not exported`, () => {
      const got = match(
        [`PXL_20220405_090123740${suffix}(${n}).jpg`],
        [sidecar("PXL_20220405_090123740.jpg.json", "PXL_20220405_090123740.jpg", 200 + i)],
      );
      const m = got.get(`PXL_20220405_090123740${suffix}(${n}).jpg`)!;
      assert.equal(m.role, "edited");
      assert.equal(takenOf(m), 200 + i);
    });
  }
  await t.step("an (n) original still wins: IMG_4-edited(2).jpg is IMG_4(2).jpg's copy", () => {
    const got = match(["IMG_4.jpg", "IMG_4(2).jpg", "IMG_4-edited(2).jpg"], [
      sidecar("IMG_4.jpg.supplemental-metadata.json", "IMG_4.jpg", 1),
      sidecar("IMG_4.jpg.supplemental-metadata(2).json", "IMG_4.jpg", 2),
    ]);
    assert.equal(got.get("IMG_4-edited(2).jpg")!.primary?.name, "IMG_4(2).jpg");
    assert.equal(takenOf(got.get("IMG_4-edited(2).jpg")), 2);
  });
  await t.step("an (n) sidecar still wins: IMG_6-modifié(1).jpg takes IMG_6.jpg…(1).json", () => {
    const got = match(["IMG_6.jpg", "IMG_6-modifié(1).jpg"], [
      sidecar("IMG_6.jpg.supplemental-metadata.json", "IMG_6.jpg", 1),
      sidecar("IMG_6.jpg.supplemental-metadata(1).json", "IMG_6.jpg", 2),
    ]);
    assert.equal(takenOf(got.get("IMG_6-modifié(1).jpg")), 2);
  });
});

Deno.test("rule 2: an edited suffix cut by Google's limit binds to the original's sidecar", async (t) => {
  // [a long title's stem, suffix]: the original keeps enough of it that Google's 47-unit cut
  // leaves only the first units of the suffix.
  const cases: [string, string][] = [
    ["A_long_name_for_a_photo_that_is_close_to_444", "-edited"],
    ["123456789123456789123456789123456789_DSCN0095", "-ha editado"],
    ["123456789123456789123456789123456789_DSCN0091", "-bearbeitet"],
    ["Urlaub_in_Knaufspesch_in_der_Schneifel_2019_08", "-bearbeitet"],
    ["Vacances_à_la_montagne_avec_les_enfants_été_22", "-modifié"],
    ["Screenshot_20231027_123303_com.whatsapp_chat_1", "-modificato"],
    ["Screenshot_2024-08-31-00-53-48-647_com.snapcha", "-bewerkt"],
    [
      "家族で行った北海道旅行の写真_2019年8月_小樽運河と夜景_その一_札幌の時計台も見た日",
      "-編集済み",
    ],
    ["가족_여행_사진_2019년_8월_제주도_한라산_등반_그리고_바다_풍경_사진_모음_1234", "-편집됨"],
    ["Семейная_поездка_на_Байкал_летом_2019_года_фото_1", "-изменено"],
    ["Wycieczka_rodzinna_nad_morze_latem_2019_roku_zd", "-edytowane"],
    ["Resa_till_fjällen_med_hela_familjen_sommaren_22", "-redigerad"],
    ["Kesämökki_Saimaan_rannalla_heinäkuussa_2021_kuva", "-muokattu"],
  ];
  for (const [i, [text, suffix]] of cases.entries()) {
    const kept = Math.ceil(suffix.length / 2);
    const original = text.slice(0, 47 - kept);
    const stem = original + suffix.slice(0, kept);
    assert.equal(stem.length, 47);
    const title = `${original}.jpg`;
    const json = `${(title + ".supplemental-metadata").slice(0, 46)}.json`;
    await t.step(`${stem}.jpg, its original not in the export`, () => {
      const got = match([`${stem}.jpg`], [sidecar(json, title, 300 + i)]);
      const m = got.get(`${stem}.jpg`)!;
      assert.equal(m.role, "edited", `${stem}.jpg`);
      assert.equal(takenOf(m), 300 + i);
    });
    await t.step(`${stem}(1).jpg, numbered after the cut, takes the (1) sidecar`, () => {
      const numbered = `${(title + ".supplemental-metadata").slice(0, 46)}(1).json`;
      const got = match([`${stem}(1).jpg`], [
        sidecar(json, title, 1),
        sidecar(numbered, title, 350 + i),
      ]);
      assert.equal(takenOf(got.get(`${stem}(1).jpg`)), 350 + i);
    });
  }
  const bare: [string, string][] = [
    // Too short to have been cut: a bare prefix of "-edited" is just part of the name.
    ["IMG_1234-ed.jpg", "IMG_1234.jpg"],
    ["IMG_1234-e.jpg", "IMG_1234.jpg"],
    ["Familie-bearb.jpg", "Familie.jpg"],
    ["Photo-modi.jpg", "Photo.jpg"],
    // 46 units: one short of Google's cut.
    [
      `${"A_long_name_for_a_photo_that_is_close_to_444"}-e.jpg`,
      "A_long_name_for_a_photo_that_is_close_to_444.jpg",
    ],
  ];
  for (const [name, title] of bare) {
    await t.step(`${name} is no cut edited copy of ${title}`, () => {
      const json = `${(title + ".supplemental-metadata").slice(0, 46)}.json`;
      const got = match([name], [sidecar(json, title, 1)]);
      assert.equal(got.get(name)!.sidecar, undefined);
    });
  }
});

Deno.test("rule 3: Google's creations are companions of the original, like edited copies", async (t) => {
  const creations: [string, string][] = [
    ["IMG_20190704_183501-EFFECTS.jpg", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-effects.jpg", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-ANIMATION.gif", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-animation.gif", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-COLLAGE.jpg", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-collage.jpg", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-smile.jpg", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-SMILE.jpg", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-mix.jpg", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-MIX.jpg", "IMG_20190704_183501.jpg"],
    ["IMG_20190704_183501-motion.gif", "IMG_20190704_183501.jpg"],
    ["PXL_20230101_120000000-EFFECTS(1).jpg", "PXL_20230101_120000000.jpg"],
  ];
  for (const [i, [name, original]] of creations.entries()) {
    await t.step(`${name} beside ${original}`, () => {
      const got = match([original, name], [
        sidecar(`${original}.supplemental-metadata.json`, original, 400 + i),
      ]);
      const m = got.get(name)!;
      assert.equal(m.role, "edited");
      assert.equal(m.primary?.name, original);
      assert.equal(takenOf(m), 400 + i);
    });
    await t.step(`${name} alone takes ${original}'s sidecar`, () => {
      const got = match([name], [sidecar(`${original}.json`, original, 500 + i)]);
      assert.equal(takenOf(got.get(name)), 500 + i);
    });
  }
  await t.step("a creation with its own sidecar keeps it", () => {
    const got = match(["IMG_1.jpg", "IMG_1-COLLAGE.jpg"], [
      sidecar("IMG_1.jpg.supplemental-metadata.json", "IMG_1.jpg", 1),
      sidecar("IMG_1-COLLAGE.jpg.supplemental-metadata.json", "IMG_1-COLLAGE.jpg", 2),
    ]);
    assert.equal(takenOf(got.get("IMG_1-COLLAGE.jpg")), 2);
    assert.equal(got.get("IMG_1-COLLAGE.jpg")!.role, "primary");
  });
  await t.step("IMG_1-mixer.jpg and IMG_1-smiley.jpg are no creations", () => {
    const got = match(["IMG_1-mixer.jpg", "IMG_1-smiley.jpg"], [
      sidecar("IMG_1.jpg.json", "IMG_1.jpg", 1),
    ]);
    assert.equal(got.get("IMG_1-mixer.jpg")!.sidecar, undefined);
    assert.equal(got.get("IMG_1-smiley.jpg")!.sidecar, undefined);
  });
});

Deno.test("rule 4: forgotten duplicates share the one sidecar between them", async (t) => {
  // Titles that agree in their first 47 units: Google cut both stems to the same name and
  // numbered the second, but wrote the sidecar of only one.
  const titles = [
    "original_1d4caa6f-16c6-4c3d-901b-9387de10e528_P.jpg",
    "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg",
    "Backyard_ceremony_wedding_photography_xxxxxxx_m.jpg",
    "Семейная_поездка_на_Байкал_летом_2019_года_фото_1.jpg",
    "Vacances_à_la_montagne_avec_les_enfants_été_2022.jpg",
  ];
  for (const [i, title] of titles.entries()) {
    const stem = cut47(title.slice(0, title.lastIndexOf(".")));
    const json = `${(title + ".supplemental-metadata").slice(0, 46)}.json`;
    await t.step(`${stem}.jpg and ${stem}(1).jpg with ${json}`, () => {
      assert.ok(title.lastIndexOf(".") >= 47, title);
      const got = match([`${stem}.jpg`, `${stem}(1).jpg`], [sidecar(json, title, 600 + i)]);
      assert.equal(takenOf(got.get(`${stem}.jpg`)), 600 + i);
      assert.equal(takenOf(got.get(`${stem}(1).jpg`)), 600 + i);
      assert.equal(got.get(`${stem}(1).jpg`)!.role, "primary");
    });
  }
  await t.step("a (1) sidecar, when there is one, is the (1) file's", () => {
    const stem = cut47("original_1d4caa6f-16c6-4c3d-901b-9387de10e528_P");
    const got = match([`${stem}.jpg`, `${stem}(1).jpg`], [
      sidecar("original_1d4caa6f-16c6-4c3d-901b-9387de10e528_.json", `${stem}.jpg`, 1),
      sidecar("original_1d4caa6f-16c6-4c3d-901b-9387de10e528_(1).json", `${stem}.jpg`, 2),
    ]);
    assert.equal(takenOf(got.get(`${stem}(1).jpg`)), 2);
  });
  for (
    const [name, twin, json] of [
      ["IMG_3479(1).JPG", "IMG_3479.JPG", "IMG_3479.JPG.supplemental-metadata.json"],
      ["DSC_0104(1).JPG", "DSC_0104.JPG", "DSC_0104.JPG.json"],
      ["Scan35(1).jpg", "Scan35.jpg", "Scan35.jpg.supplemental-metadata.json"],
    ]
  ) {
    await t.step(`${name} was numbered for another photo: it stays without sidecar`, () => {
      const got = match([twin, name], [sidecar(json, twin, 1)]);
      assert.equal(got.get(name)!.sidecar, undefined);
    });
  }
});

Deno.test("rule 5: the (n) in a sidecar's name is never ignored", async (t) => {
  const cases: [media: string, json: string, title: string][] = [
    ["IMG_2710.HEIC", "IMG_2710.HEIC(1).json", "IMG_2710.HEIC"],
    ["DSC_0103.JPG", "DSC_0103.JPG(1).json", "DSC_0103.JPG"],
    ["IMG_4081.jpg", "IMG_4081.JPG(1).json", "IMG_4081.JPG"],
    ["Scan35.jpg", "Scan35.jpg.supplemental-metadata(1).json", "Scan35.jpg"],
    ["CLIP0001.AVI", "CLIP0001.AVI.supplemental-metadata(10).json", "CLIP0001.AVI"],
    ["2013-12-23.jpg", "2013-12-23.supplemental-metadata(1).json", "2013-12-23"],
    ["Scan35(2).jpg", "Scan35.jpg.supplemental-metadata(1).json", "Scan35.jpg"],
    ["Фото_на_море.jpg", "Фото_на_море.jpg.supplemental-metadata(1).json", "Фото_на_море.jpg"],
    ["家族写真.jpg", "家族写真.jpg(2).json", "家族写真.jpg"],
  ];
  for (const [media, json, title] of cases) {
    await t.step(`${json} is not ${media}'s`, () => {
      const r = matchTree([entry(media)], [sidecar(json, title, 1)]);
      assert.equal(byName(r).get(media)!.sidecar, undefined);
      assert.deepEqual(r.orphans.map((o) => o.entry.name), [json]);
    });
  }
  await t.step("IMG_2710.HEIC(1).json is IMG_2710(1).HEIC's", () => {
    const got = match(["IMG_2710.HEIC", "IMG_2710(1).HEIC"], [
      sidecar("IMG_2710.HEIC(1).json", "IMG_2710.HEIC", 7),
    ]);
    assert.equal(takenOf(got.get("IMG_2710(1).HEIC")), 7);
    assert.equal(got.get("IMG_2710.HEIC")!.sidecar, undefined);
  });
});

Deno.test("rule 6: motion-photo parts .MP, .MP~2, .MP~N bind to their primary", async (t) => {
  const cases: [part: string, primary: string, json: string][] = [
    [
      "PXL_20210102_221126856.MP",
      "PXL_20210102_221126856.MP.jpg",
      "PXL_20210102_221126856.MP.jpg.json",
    ],
    [
      "PXL_20210102_221126856.MP~2",
      "PXL_20210102_221126856.MP~2.jpg",
      "PXL_20210102_221126856.MP~2.jpg.json",
    ],
    [
      "PXL_20210102_221126856.MP~3",
      "PXL_20210102_221126856.MP~3.jpg",
      "PXL_20210102_221126856.MP~3.jpg.json",
    ],
    [
      "PXL_20231118_035751175.MP~12",
      "PXL_20231118_035751175.MP~12.jpg",
      "PXL_20231118_035751175.MP~12.jpg.json",
    ],
    [
      "PXL_20231118_035751175.MV~2",
      "PXL_20231118_035751175.MV~2.jpg",
      "PXL_20231118_035751175.MV~2.jpg.json",
    ],
    [
      "IMG_20200101_101010.MP~2",
      "IMG_20200101_101010.MP~2.JPG",
      "IMG_20200101_101010.MP~2.JPG.json",
    ],
  ];
  for (const [i, [part, primary, json]] of cases.entries()) {
    await t.step(`${part} is the motion part of ${primary}`, () => {
      const got = match([primary, part], [sidecar(json, primary, 700 + i)]);
      const m = got.get(part)!;
      assert.equal(m.role, "motion");
      assert.equal(m.primary?.name, primary);
      assert.equal(takenOf(m), 700 + i);
    });
  }
  await t.step("PXL_1.MP~2 does not bind to PXL_1.MP.jpg", () => {
    const got = match(["PXL_1.MP.jpg", "PXL_1.MP~2"], [sidecar("PXL_1.MP.jpg.json", "x", 1)]);
    assert.equal(got.get("PXL_1.MP~2")!.role, "primary");
  });
});

Deno.test("rule 7: a live-photo video without its image takes the image's sidecar", async (t) => {
  const cases: [video: string, json: string][] = [
    ["IMG_2367.MP4", "IMG_2367.HEIC.supplemental-metadata.json"],
    ["IMG_2367.MOV", "IMG_2367.HEIC.json"],
    ["IMG_0170.mov", "IMG_0170.JPG.supplemental-metadata.json"],
    ["IMG_0170(1).MP4", "IMG_0170.HEIC.supplemental-metadata(1).json"],
    ["IMG_5012.MP4", "IMG_5012.heic.supplemental-metadata.json"],
    ["Фото_отпуск.MOV", "Фото_отпуск.HEIC.supplemental-metadata.json"],
    // A literal (1) in the title and a counter (GPTH Neo#123): the counter stays in the stem.
    ["FullSizeRender(1)(1).MP4", "FullSizeRender(1)(1).HEIC.supplemental-metadata.json"],
  ];
  for (const [i, [video, json]] of cases.entries()) {
    await t.step(`${video} with only ${json}`, () => {
      const got = match([video], [sidecar(json, "image", 800 + i)]);
      const m = got.get(video)!;
      assert.equal(m.role, "live");
      assert.equal(takenOf(m), 800 + i);
    });
  }
  await t.step("IMG_23670.MP4 does not take IMG_2367.HEIC's sidecar", () => {
    const got = match(["IMG_23670.MP4"], [
      sidecar("IMG_2367.HEIC.supplemental-metadata.json", "IMG_2367.HEIC", 1),
    ]);
    assert.equal(got.get("IMG_23670.MP4")!.sidecar, undefined);
  });
});

Deno.test("rule 8: every clip length Google has used for .supplemental-metadata", async (t) => {
  const cases: [media: string, json: string, title: string][] = [
    // 42 units before ".json", the title without its extension.
    [
      "PXL_20230521_123456789.MP.jpg",
      "PXL_20230521_123456789.MP.supplemental-met.json",
      "PXL_20230521_123456789.MP.jpg",
    ],
    // 42 units, the whole title.
    [
      "PXL_20230521_123456790.MP.jpg",
      "PXL_20230521_123456790.MP.jpg.supplemental.json",
      "PXL_20230521_123456790.MP.jpg",
    ],
    // 42 units, with a counter.
    [
      "IMG_20190101_101010123(2).jpg",
      "IMG_20190101_101010123.jpg.supplemental-me(2).json",
      "IMG_20190101_101010123.jpg",
    ],
    // 43, 44 and 45 units.
    [
      "Screenshot_20200301-16115.png",
      "Screenshot_20200301-16115.png.supplemental-.json",
      "Screenshot_20200301-16115.png",
    ],
    [
      "Screenshot_20200301-161151.png",
      "Screenshot_20200301-161151.png.supplemental-.json",
      "Screenshot_20200301-161151.png",
    ],
    [
      "Screenshot_20200301-161152.png",
      "Screenshot_20200301-161152.png.supplemental-m.json",
      "Screenshot_20200301-161152.png",
    ],
    // 46 units, the usual clip.
    [
      "MVIMG_20191230_232926.jpg",
      "MVIMG_20191230_232926.jpg.supplemental-metadat.json",
      "MVIMG_20191230_232926.jpg",
    ],
  ];
  for (const [i, [media, json, title]] of cases.entries()) {
    await t.step(`${media} with ${json}`, () => {
      const got = match([media], [sidecar(json, title, 900 + i)]);
      assert.equal(takenOf(got.get(media)), 900 + i);
      assert.equal(got.get(media)!.via, "sidecar");
    });
  }
  await t.step("a short clip goes to the file its title names, not the motion part", () => {
    const got = match(["PXL_20230521_123456789.MP.jpg", "PXL_20230521_123456789.MP"], [
      sidecar(
        "PXL_20230521_123456789.MP.supplemental-met.json",
        "PXL_20230521_123456789.MP.jpg",
        5,
      ),
    ]);
    assert.equal(takenOf(got.get("PXL_20230521_123456789.MP.jpg")), 5);
    assert.equal(got.get("PXL_20230521_123456789.MP")!.role, "motion");
  });
});

Deno.test("rule 9: a folder that is neither a year folder nor special is an album", async (t) => {
  const albums = [
    "1 anno fa",
    "Urlaub in Italien 🇮🇹",
    "Семья",
    "家族旅行 2019",
    "Vacances d'été",
    "🎉 Party 🎂",
    "תמונות משפחה",
    "صور العائلة",
    "가족 사진",
    "Untitled(3)",
  ];
  const special: [string, string][] = [
    ["Photos from 2019", "year"],
    ["photos from 2005", "year"],
    ["Archive", "archive"],
    ["Archiv", "archive"],
    ["Trash", "trash"],
    ["Bin", "trash"],
    ["Papierkorb", "trash"],
    ["Corbeille", "trash"],
    ["Locked Folder", "locked"],
    ["Failed Videos", "failed"],
    ["归档文件", "archive"],
    ["Archivieren", "archive"],
    ["Archiveren", "archive"],
  ];
  const r = matchTree(
    [...albums, ...special.map(([d]) => d)].map((d) => entry("a.jpg", d)),
    [],
  );
  for (const dir of albums) {
    await t.step(`"${dir}" is an album named "${dir}"`, () => {
      const f = r.folders.get(dir)!;
      assert.equal(f.kind, "album");
      assert.equal(f.album?.title, dir);
    });
  }
  for (const [dir, kind] of special) {
    await t.step(`"${dir}" is ${kind}, no album`, () => {
      assert.equal(r.folders.get(dir)!.kind, kind);
      assert.equal(r.folders.get(dir)!.album, undefined);
    });
  }
});

Deno.test("the Google Photos folder is found by its name in every language", async (t) => {
  const roots = [
    "Google Photos",
    "Google Fotos",
    "Google Foto",
    "Google Foto_s",
    "Fotky Google",
    "Google Фото",
    "Google 相册",
    "Google フォト",
  ];
  for (const root of roots) {
    await t.step(`${root}/Photos from 2018/a.jpg, with and without Takeout/ above it`, () => {
      for (const path of [[root, "Photos from 2018", "a.jpg"], ["Takeout", root, "x", "a.jpg"]]) {
        const placed = place(path, false);
        assert.equal(placed?.root, root);
        assert.equal(placed?.known, true);
        assert.deepEqual(placed?.rest, path.slice(path.indexOf(root) + 1));
      }
    });
  }
});

Deno.test("a part's files are placed once per folder exactly as one by one", async (t) => {
  const placer = new FolderPlacer();
  const paths = [
    "Takeout/Google Photos/Photos from 2018/a.jpg",
    "Takeout/Google Photos/Photos from 2018/b.jpg.supplemental-metadata.json",
    "Takeout 2/Google Fotos/Urlaub 2019/c.JPG",
    "Takeout/Google Photos/Caf\u0065\u0301 du matin/d.jpg",
    "Google Фото/Photos from 2001/e.jpg",
    "Takeout/Google Photos/metadata.json",
    "Takeout/Google Photos//Photos from 2018//f.jpg",
    "loose/g.jpg",
    "h.jpg",
    "Takeout/Google Photos/__MACOSX/Photos from 2018/._a.jpg",
    "Takeout/Google Photos/Photos from 2018/._a.jpg",
    "Takeout/Google Photos/Photos from 2018/.DS_Store",
    "Takeout/Google Photos/@eaDir/i.jpg",
    "Takeout/Google Photos/Photos from 2018/Thumbs.db",
  ];
  // Twice: the second time every folder is already known.
  for (const round of [1, 2]) {
    for (const path of paths) {
      await t.step(`${path} (${round})`, () => {
        const segments = path.split("/").filter((s) => s !== "");
        const expected = isJunk(segments) ? undefined : place(segments, false);
        const cut = path.lastIndexOf("/");
        const got = placer.place(path.slice(0, Math.max(0, cut)), path.slice(cut + 1));
        assert.deepEqual(
          got && { root: got.root, rest: got.rest, known: got.known },
          expected,
        );
        if (!got) return;
        // What makeEntry needs, NFC and made once: the folder below the root and the root.
        assert.equal(got.folder?.root, got.root.normalize("NFC"));
        assert.equal(got.folder?.dir, got.rest.slice(0, -1).join("/").normalize("NFC"));
        const entry = makeEntry(got, { size: 1, source: "x.zip", kind: "zip", inner: path });
        const plain = makeEntry(expected!, { size: 1, source: "x.zip", kind: "zip", inner: path });
        assert.deepEqual(
          [entry.key, entry.dir, entry.name, entry.root, entry.inner],
          [plain.key, plain.dir, plain.name, plain.root, plain.inner],
        );
      });
    }
  }
});

Deno.test("rule 10: the year folder dates what sidecar, EXIF and name cannot", async (t) => {
  const years: [string, number][] = [
    ["Photos from 2005", 2005],
    ["PHOTOS FROM 2005", 2005],
    ["photos from 1998", 1998],
    ["Photos from 1899", 1899],
    ["Fotos von 2010", 2010],
    ["Fotos del 2012", 2012],
    ["Fotos de 2013", 2013],
    ["Photos de 2014", 2014],
    ["Foto dal 2015", 2015],
    ["Foto's uit 2016", 2016],
    ["Foto da 2002", 2002],
    ["Foto_s van 2018", 2018],
    ["Zdjęcia z 2017", 2017],
    ["Fotky z roku 2018", 2018],
    ["Фото за 2019", 2019],
  ];
  for (const [dir, year] of years) {
    await t.step(`"${dir}" is ${year}`, async () => {
      assert.equal(yearOfFolder(dir), year);
      const c = await chooseCaptureTime("scan.jpg", {
        folderYear: yearOfFolder(dir),
        entryTime: new Date("2024-05-01T00:00:00Z"),
      });
      assert.equal(c?.source, "folder");
      assert.equal(c?.time.toISOString(), `${year}-01-01T00:00:00.000Z`);
    });
  }
  for (const dir of ["Urlaub 2005", "Photos from 205", "2005", "Photos from 2005 (1)"]) {
    await t.step(`"${dir}" is no year folder`, () => assert.equal(yearOfFolder(dir), undefined));
  }
  await t.step("the chain: sidecar, EXIF, file name, year folder, entry", async () => {
    const entryTime = new Date("2024-05-01T00:00:00Z");
    const exif = () => Promise.resolve(new Date("2006-06-06T06:06:06Z"));
    const sc = {
      takenTime: new Date("2007-07-07T07:07:07Z"),
      favourite: false,
      archived: false,
      trashed: false,
      people: [],
    };
    const base = { folderYear: 2005, entryTime };
    assert.equal(
      (await chooseCaptureTime("IMG_20080808_080808.jpg", { ...base, sidecar: sc, exif }))?.source,
      "sidecar",
    );
    assert.equal(
      (await chooseCaptureTime("IMG_20080808_080808.jpg", { ...base, exif }))?.source,
      "exif",
    );
    assert.equal((await chooseCaptureTime("IMG_20080808_080808.jpg", base))?.source, "filename");
    assert.equal((await chooseCaptureTime("scan.jpg", base))?.source, "folder");
    assert.equal((await chooseCaptureTime("scan.jpg", { entryTime }))?.source, "entry");
  });
  await t.step("an imported scan in Photos from 2005 is filed in photos/2005/01", async () => {
    const dir = await Deno.makeTempDir({ prefix: "gphotos-takeout-rules-" });
    const target = join(dir, "target");
    await Deno.mkdir(target);
    const index = MediaIndex.open(target);
    try {
      const root = join(dir, "Takeout", "Google Photos", "Photos from 2005");
      await Deno.mkdir(root, { recursive: true });
      await Deno.writeTextFile(join(root, "scan.jpg"), "not really a jpeg");
      await Deno.writeTextFile(
        join(root, "other.jpg.supplemental-metadata.json"),
        JSON.stringify({ title: "other.jpg", photoTakenTime: { timestamp: "1104537600" } }),
      );
      await importTakeout({ target, paths: [join(dir, "Takeout")], index });
      const rows = index.allItems();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].dateSource, "folder");
      assert.equal(rows[0].captureTime, "2005-01-01T00:00:00Z");
      assert.match(rows[0].path!, /^photos\/2005\/01\/scan\.jpg$/);
    } finally {
      index.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("rule 11: file-name dates of every camera and app, from 1800 on", async (t) => {
  const cases: [string, string][] = [
    ["201801261147521000.jpg", "2018-01-26T11:47:52.100Z"],
    ["20180126114752100.jpg", "2018-01-26T11:47:52.100Z"],
    ["20180126114752.jpg", "2018-01-26T11:47:52.000Z"],
    ["IMG_20180126_114752.jpg", "2018-01-26T11:47:52.000Z"],
    ["PXL_20180126_114752123.jpg", "2018-01-26T11:47:52.123Z"],
    ["IMG-20180126-WA0001.jpg", "2018-01-26T00:00:00.000Z"],
    ["2018-01-26 11.47.52.jpg", "2018-01-26T11:47:52.000Z"],
    ["2018-01-26_11-47-52.jpg", "2018-01-26T11:47:52.000Z"],
    ["2018_01_26_11_47_52.jpg", "2018-01-26T11:47:52.000Z"],
    ["2018.01.26 11.47.52.jpg", "2018-01-26T11:47:52.000Z"],
    ["Screenshot_2018-01-26-11-47-52-647_com.whatsapp.jpg", "2018-01-26T11:47:52.647Z"],
    ["Screenshot 2018-01-26 at 11.47.52.png", "2018-01-26T11:47:52.000Z"],
    ["Screenshot from 2018-01-26 11-47-52.png", "2018-01-26T11:47:52.000Z"],
    ["WhatsApp Image 2018-01-26 at 11.47.52.jpeg", "2018-01-26T11:47:52.000Z"],
    ["signal-2018-01-26-114752.jpg", "2018-01-26T11:47:52.000Z"],
    ["photo_2018-01-26_11-47-52.jpg", "2018-01-26T11:47:52.000Z"],
    ["Foto 26.01.18 2018-01-26T11:47:52.jpg", "2018-01-26T11:47:52.000Z"],
    ["VID_20180126_114752.mp4", "2018-01-26T11:47:52.000Z"],
    ["Snapchat-2018-01-26_11h47m52s.jpg", "2018-01-26T11:47:52.000Z"],
    ["Scan 1895-06-01.jpg", "1895-06-01T00:00:00.000Z"],
    ["1850_03_15_Familienfoto.jpg", "1850-03-15T00:00:00.000Z"],
    ["Scan_18991231.jpg", "1899-12-31T00:00:00.000Z"],
    ["Oma 1923-04-05 Hochzeit.jpg", "1923-04-05T00:00:00.000Z"],
    // 12-hour times: the hour may have one digit, and AM/PM moves it.
    ["WhatsApp Image 2023-11-03 at 1.15.53 PM.jpeg", "2023-11-03T13:15:53.000Z"],
    ["WhatsApp Image 2024-09-15 at 10.28.28 PM.jpeg", "2024-09-15T22:28:28.000Z"],
    ["WhatsApp Image 2021-09-08 at 2.37.50 PM (2).jpeg", "2021-09-08T14:37:50.000Z"],
    ["Screen Shot 2019-04-11 at 12.48.43 AM.png", "2019-04-11T00:48:43.000Z"],
    ["Screen Shot 2012-11-30 at 12.33.38 PM.png", "2012-11-30T12:33:38.000Z"],
    ["Screenshot 2023-01-05 at 3.04.22\u202fPM.png", "2023-01-05T15:04:22.000Z"],
    ["Captura de pantalla 2024-07-10 a la(s) 5.16.27 p. m..png", "2024-07-10T17:16:27.000Z"],
    ["Bildschirmfoto 2015-06-16 um 12.11.56 nachm..png", "2015-06-16T12:11:56.000Z"],
    // The word between date and time in the tool's language, and ShadowPlay's " - ".
    ["Bildschirmfoto 2022-10-02 um 18.01.39.png", "2022-10-02T18:01:39.000Z"],
    ["Capture d’écran 2025-01-17 à 20.58.03.png", "2025-01-17T20:58:03.000Z"],
    ["WhatsApp Image 2025-07-12 à 16.06.43_fee671c9.jpg", "2025-07-12T16:06:43.000Z"],
    ["Desktop 2020.07.05 - 20.33.54.01.mp4", "2020-07-05T20:33:54.000Z"],
    // Samsung's burst number after "_" is no millisecond (immich-go's samsung tests).
    ["20231207_101605_031.jpg", "2023-12-07T10:16:05.000Z"],
  ];
  for (const [name, iso] of cases) {
    await t.step(name, () => assert.equal(dateFromFileName(name)?.toISOString(), iso));
  }
  for (
    const name of ["IMG_0001.jpg", "17991231.jpg", "DSC_12345678.jpg", "1234567890123456789.jpg"]
  ) {
    await t.step(`${name} has no date`, () => assert.equal(dateFromFileName(name), undefined));
  }
});
