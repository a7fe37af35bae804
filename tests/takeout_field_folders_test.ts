/**
 * Folder kinds, year folders and Google Photos root names taken from the other Takeout tools'
 * code, test suites and issue reports (immich-go, GPTH, GPTH Neo, google-photos-migrate, other
 * Takeout readers in the code index) and from real export paths.
 *
 * Every row says how far it is trusted:
 *   "real"       the name was seen in a real export (issue tree listing, user path)
 *   "suite"      another tool's test suite or code asserts it
 *   "synthetic"  a real format with values made up here
 * Names found only in another tool's list of localised names, with nothing showing Google writes
 * them, are left out.
 */
import assert from "node:assert/strict";
import {
  classifyFolder,
  isPhotosFolderName,
  place,
  yearOfFolder,
} from "../src/sources/takeout/tree_rules.ts";
import type { FolderKind } from "../src/sources/takeout/tree_rules.ts";

type Trust = "real" | "suite" | "synthetic";

const IG = "simulot/immich-go";
const GPTH = "TheLastGimbus/GooglePhotosTakeoutHelper";
const GPTHX = "Xentraxx/GooglePhotosTakeoutHelper";
const NEO = "Xentraxx/GooglePhotosTakeoutHelper_Neo";
const GPM = "garzj/google-photos-migrate";
const ZIPINDEX = "Go Takeout reader `package zipindex`, code-index file 68871876377";
const OWNPACE = "Ownpace Takeout reader (TS), code-index files 69596637276 / 69385986805";
const DE_PY = "prepare_takeout.py (Google to Apple migration), code-index file 55592214933";
const NEO_CONST = `${NEO} lib/common/constants/constants.dart (6.4.0)`;

/** [folder name, kind, year of a year folder, source, trust] */
type FolderRow = [
  name: string,
  kind: FolderKind,
  year: number | null,
  source: string,
  trust: Trust,
];
/** [path in the archive, Google Photos root ("" = none), whether its name alone says so, …] */
type RootRow = [path: string, root: string, known: boolean, source: string, trust: Trust];

/** Folder names and the kind (and year, for a year folder) each must get. */
const FOLDERS: FolderRow[] = [
  // Year folders.
  ["Photos from 2025", "year", 2025, `${GPTH} test/gpth_test.dart`, "suite"],
  ["Photos from 1969", "year", 1969, `${GPTH} test/gpth_test.dart`, "suite"],
  ["Photos from 1900", "year", 1900, `${GPTHX} test/folder_classify_test.dart`, "suite"],
  ["PHOTOS FROM 2010", "year", 2010, `${GPTHX} test/unit/date_extractors_test.dart`, "suite"],
  ["Fotos von 2024", "year", 2024, `${GPTH}#483, #318 (German export)`, "real"],
  ["Photos de 2019", "year", 2019, `${GPTH}#318 (French export "Photos de 20xx")`, "real"],
  [
    "Fotos de 2025",
    "year",
    2025,
    `${GPTH}#318 (Spanish export "Fotos de 20xx"); code index "Takeout/Google Fotos/Fotos de 2025"`,
    "real",
  ],
  ["Fotos del 2022", "year", 2022, NEO_CONST, "suite"],
  [
    "Foto da 2002",
    "year",
    2002,
    `${NEO}#100 ("Takeout/…/Google Foto/Foto da 2002"); ${NEO_CONST}; code index: ".../Takeout/Google Foto/Foto da 2019", "Google Foto/Foto da 2020"`,
    "real",
  ],
  ["Foto da 2019", "year", 2019, "code index file 52424023835 (real Italian export path)", "real"],
  [
    "Foto_s van 2018",
    "year",
    2018,
    `${NEO}#106 (Dutch tree listing); ${NEO_CONST}; ${OWNPACE}`,
    "real",
  ],
  ["Foto_s van 2005", "year", 2005, `${NEO}#106 (Dutch tree listing)`, "real"],
  [
    "Foto_s van 2024",
    "year",
    2024,
    `${NEO} test (Dutch year folder, code-index 59888026804); ${OWNPACE}`,
    "real",
  ],
  // Old day folders.
  ["2020-09-01", "year", null, `${GPTH}#30 / takeout-format.md (old day folders)`, "suite"],
  // Must stay albums.
  ["Photos from vacation", "album", null, `${GPTH} test/gpth_test.dart`, "suite"],
  ["Photos from 12345", "album", null, `${GPTHX} test/folder_classify_test.dart`, "suite"],
  [
    "Photos from 2023 backup",
    "album",
    null,
    `${GPTHX} test/folder_classify_test.dart (that fork says year; we judge: user folder → album)`,
    "suite",
  ],
  [
    "Paris 2020",
    "album",
    null,
    "TS Takeout tool test 'album named with a year' (code-index 68848963130)",
    "suite",
  ],
  ["Thailand 2019", "album", null, OWNPACE, "suite"],
  ["2022 Vacation", "album", null, `${GPTHX} test/folder_classify_test.dart`, "suite"],
  ["无标题(1)", "album", null, `${IG}#537 (Chinese tree listing)`, "real"],
  ["无标题", "album", null, `${IG}#537`, "real"],
  ["Senza titolo", "album", null, `${IG}#42`, "real"],
  ["Untitled(181)", "album", null, `${IG}#882`, "real"],
  ["dinsdag Uitgelicht", "album", null, `${NEO}#106 (Dutch tree listing)`, "real"],
  ["Name1, Name2", "album", null, `${NEO}#106`, "real"],
  ["Food - backedup", "album", null, `${NEO}#106`, "real"],
  ["Stuff - 2022 Jan - Aug", "album", null, `${GPTH}#305`, "real"],
  // Special folders.
  ["Archive", "archive", null, `${GPTH}#138; ${GPTHX} folder_classify_test`, "real"],
  ["Trash", "trash", null, `${GPTHX} folder_classify_test`, "suite"],
  ["Bin", "trash", null, "andyjohnson0/TakeoutExtractor#20; GPTH#482 comment", "real"],
  ["Locked Folder", "locked", null, NEO_CONST, "suite"],
  ["Failed Videos", "failed", null, `${IG} adapters/googlePhotos/googlephotos.go`, "suite"],
  [
    "归档文件",
    "archive",
    null,
    `${IG}#537 (Chinese export tree: "归档文件 <--- archived photos")`,
    "real",
  ],
  ["Prullenbak", "trash", null, `${NEO}#106; ${OWNPACE} (measured Dutch export)`, "real"],
  ["Papierkorb", "trash", null, `${NEO_CONST}; ${DE_PY}; ${ZIPINDEX}`, "suite"],
  [
    "Koš",
    "trash",
    null,
    "Czech Takeout dedup script IGNORED_GOOGLE_FOLDERS ['/Koš/'] (code-index 22886129262, 'Takeout/Fotky Google')",
    "real",
  ],
  [
    "Archiv",
    "archive",
    null,
    "Apps Script on 'Fotky Google/Archiv' (code-index 40881283967)",
    "real",
  ],
  [
    "Gesperrter Ordner",
    "locked",
    null,
    "TS Takeout tool test isTakeoutLockedFolder (code-index 68848963130)",
    "suite",
  ],
];

/** Paths and the Google Photos root each must be placed under. */
const ROOTS: RootRow[] = [
  [
    "Takeout/Google Foto_s/Foto_s van 2018/a.jpg",
    "Google Foto_s",
    true,
    `${NEO}#106; ${OWNPACE}; many user paths in code index ('Takeout\\Google Foto_s', 2021–2023)`,
    "real",
  ],
  [
    "Google Foto_s/Foto_s van 2018/a.jpg",
    "Google Foto_s",
    true,
    `${NEO}#106 (root without Takeout/, e.g. a re-zipped or moved folder)`,
    "real",
  ],
  ["Takeout/Google Foto/Foto da 2002/a.jpg", "Google Foto", true, `${NEO}#100`, "real"],
  ["Takeout/Google 相册/归档文件/a.jpg", "Google 相册", true, `${IG}#537`, "real"],
  ["Takeout/Fotky Google/Koš/a.jpg", "Fotky Google", true, "code-index 22886129262", "real"],
  [
    "Takeout/Google Fotos/Fotos von 2026/a.jpg",
    "Google Fotos",
    true,
    `${NEO} unicode_normalization_test`,
    "suite",
  ],
  [
    "Google Fotoğraflar/Photos from 2020/a.jpg",
    "Google Fotoğraflar",
    true,
    `${GPM} src/config/langs.ts`,
    "suite",
  ],
  [
    "Google Kuvat/Photos from 2020/a.jpg",
    "Google Kuvat",
    true,
    `${GPM} src/config/langs.ts`,
    "suite",
  ],
  [
    "Google 相簿/Photos from 2020/a.jpg",
    "Google 相簿",
    true,
    `${GPM} src/config/langs.ts`,
    "suite",
  ],
  [
    "Google フォト/Photos from 2020/a.jpg",
    "Google フォト",
    true,
    `${GPM} src/config/langs.ts`,
    "suite",
  ],
  [
    "Google Фото/Photos from 2020/a.jpg",
    "Google Фото",
    true,
    `${GPM} src/config/langs.ts`,
    "suite",
  ],
  // NFD (macOS-extracted) spellings of known names.
  [
    "Google Foto\u0301k/Photos from 2020/a.jpg",
    "Google Foto\u0301k",
    true,
    "takeout-format.md §1.2 'Google Fotók', NFD as macOS writes it",
    "synthetic",
  ],
  [
    "Zdje\u0328cia Google/Photos from 2020/a.jpg",
    "Zdje\u0328cia Google",
    true,
    "Zdjęcia Google, NFD",
    "synthetic",
  ],
  // Other products must not be taken for Google Photos by name.
  [
    "Takeout/Google Drive/My Drive/a.jpg",
    "Google Drive",
    false,
    `${OWNPACE} (Drive beside Photos)`,
    "suite",
  ],
  [
    "Takeout/YouTube and YouTube Music/videos/a.mp4",
    "YouTube and YouTube Music",
    false,
    "code-index 62890447285 (Takeout/YouTube beside Google Foto_s)",
    "suite",
  ],
];

Deno.test("classifyFolder() and yearOfFolder() read the folder names found in the field", async (t) => {
  for (const [name, kind, year, source] of FOLDERS) {
    await t.step(`"${name}" is ${kind}${year === null ? "" : ` ${year}`}`, () => {
      assert.equal(classifyFolder(name.normalize("NFC"), undefined), kind, source);
      if (year !== null) assert.equal(yearOfFolder(name), year, source);
    });
  }
});

Deno.test("place() finds the Google Photos roots found in the field", async (t) => {
  for (const [path, root, known, source] of ROOTS) {
    await t.step(`${path}: root "${root}"${known ? "" : ", not known by name"}`, () => {
      const p = place(path.split("/"), false);
      assert.deepEqual({ root: p?.root ?? "", known: p?.known ?? false }, { root, known }, source);
      assert.equal(isPhotosFolderName(root), known, source);
    });
  }
});
