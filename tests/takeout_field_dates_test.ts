/**
 * Dates read from file names, as the other Takeout tools' test suites assert them (GPTH, GPTH Neo,
 * immich-go), for real file names found in issues and public code, and for real formats with
 * values made up here. An expected date is an ISO prefix without zone: 19 characters compare to
 * the second, 23 to the millisecond; null means the name gives no date.
 */
import assert from "node:assert/strict";
import { dateFromFileName } from "../src/layout/mod.ts";

const IG = "simulot/immich-go";
const GPTH = "TheLastGimbus/GooglePhotosTakeoutHelper";
const GPTHX = "Xentraxx/GooglePhotosTakeoutHelper";
const GPTH_T = `${GPTH} test/gpth_test.dart 'guess'`;
const IG_ND = `${IG} internal/filenames/namesdate_test.go`;

type DateRow = [name: string, expect: string | null, source: string];

/** Asserted by another tool's test suite. */
const SUITE: DateRow[] = [
  // GPTH (also copied into GPTH Neo and several ports).
  ["Screenshot_20190919-053857_Camera-edited.jpg", "2019-09-19T05:38:57", GPTH_T],
  ["MVIMG_20190215_193501.MP4", "2019-02-15T19:35:01", GPTH_T],
  ["Screenshot_2019-04-16-11-19-37-232_com.jpg", "2019-04-16T11:19:37", GPTH_T],
  ["signal-2020-10-26-163832.jpg", "2020-10-26T16:38:32", GPTH_T],
  ["VID_20220107_113306.mp4", "2022-01-07T11:33:06", GPTH_T],
  ["00004XTR_00004_BURST20190216172030.jpg", "2019-02-16T17:20:30", GPTH_T],
  ["00055IMG_00055_BURST20190216172030_COVER.jpg", "2019-02-16T17:20:30", GPTH_T],
  ["2016_01_30_11_49_15.mp4", "2016-01-30T11:49:15", GPTH_T],
  ["201801261147521000.jpg", "2018-01-26T11:47:52", GPTH_T],
  ["IMG_1_BURST20160623205107_COVER.jpg", "2016-06-23T20:51:07", GPTH_T],
  ["IMG_1_BURST20160520195318.jpg", "2016-05-20T19:53:18", GPTH_T],
  ["1990_06_16_07_30_00.jpg", "1990-06-16T07:30:00", GPTH_T],
  ["1869_12_30_16_59_57.jpg", "1869-12-30T16:59:57", GPTH_T],
  [
    "IMG_20200229_000000.gif",
    "2020-02-29T00:00:00",
    `${GPTHX} test/unit/date_extractors_test.dart`,
  ],
  [
    "IMG_20220131_235959.png",
    "2022-01-31T23:59:59",
    `${GPTHX} test/unit/date_extractors_test.dart`,
  ],
  ["random_name.jpg", null, `${GPTHX} test/unit/date_extractors_test.dart`],
  // immich-go TakeTimeFromPath / TakeTimeFromName.
  ["2024.png", null, IG_ND],
  ["2024-05.png", null, IG_ND],
  ["2024-05-05.png", "2024-05-05T00:00:00", IG_ND],
  ["PXL_20220909_154515546.TS.mp4", "2022-09-09T15:45:15", IG_ND],
  ["Screenshot from 2022-12-17 19-45-43.png", "2022-12-17T19:45:43", IG_ND],
  ["Bebop2_20180719194940+0200.mp4", "2018-07-19T19:49:40", IG_ND],
  ["AR_EFFECT_20141126193511.mp4", "2014-11-26T19:35:11", IG_ND],
  ["2023-07-20 14:15:30", "2023-07-20T14:15:30", IG_ND],
  ["20001010120000", "2000-10-10T12:00:00", IG_ND],
  ["2023_07_20_10_09_20.mp4", "2023-07-20T10:09:20", IG_ND],
  ["19991231", "1999-12-31T00:00:00", IG_ND],
  ["991231-125200", null, IG_ND],
  ["20223112-125200", null, IG_ND],
  ["00015IMG_00015_BURST20171111030039_COVER.jpg", "2017-11-11T03:00:39", IG_ND],
  ["IMG_1234.HEIC", null, IG_ND],
  ["PXL_20231026_210642603.dng", "2023-10-26T21:06:42", `${IG} internal/filenames/pixel_test.go`],
  [
    "PXL_20231207_032111247.RAW-02.ORIGINAL.dng",
    "2023-12-07T03:21:11",
    `${IG} internal/filenames/pixel_test.go`,
  ],
  [
    "PXL_20230330_184138390.MOTION-01.COVER.jpg",
    "2023-03-30T18:41:38",
    `${IG} internal/filenames/pixel_test.go`,
  ],
  [
    "PXL_20230809_203029471.LONG_EXPOSURE-01.COVER.jpg",
    "2023-08-09T20:30:29",
    `${IG} internal/filenames/pixel_test.go`,
  ],
  [
    "PXL_20240615_204528165.NIGHT.RAW-02.ORIGINAL.dng",
    "2024-06-15T20:45:28",
    `${IG} internal/filenames/pixel_test.go`,
  ],
  // Samsung burst: the _NNN is the burst index (immich-go Index 31), not milliseconds.
  [
    "20231207_101605_031.jpg",
    "2023-12-07T10:16:05.000",
    `${IG} internal/filenames/samsung_test.go (Index: 31)`,
  ],
  [
    "20231207_101605_001.jpg",
    "2023-12-07T10:16:05.000",
    `${IG} internal/filenames/samsung_test.go (Index: 1, cover)`,
  ],
  ["IMG_20171111_030128.jpg", "2017-11-11T03:01:28", `${IG} internal/filenames/info_test.go`],
  [
    "DSC_0001_BURST20230709220904977.JPG",
    "2023-07-09T22:09:04.977",
    `${IG} internal/filenames/sony_xperia_test.go`,
  ],
  [
    "DSC_0052_BURST20230709220904977_COVER.JPG",
    "2023-07-09T22:09:04.977",
    `${IG} internal/filenames/sony_xperia_test.go`,
  ],
  [
    "00001IMG_00001_BURST20171111030039.jpg",
    "2017-11-11T03:00:39",
    `${IG} internal/filenames/nexus_test.go`,
  ],
  [
    "00100lPORTRAIT_00100_BURST20181229213517346_COVER.jpg",
    "2018-12-29T21:35:17",
    `${IG} internal/filenames/nexus_test.go`,
  ],
  [
    "00000PORTRAIT_00000_BURST20190828181853475.jpg",
    "2019-08-28T18:18:53",
    `${IG} internal/filenames/nexus_test.go`,
  ],
  [
    "IMG_20231014_183246_BURST001_COVER.jpg",
    "2023-10-14T18:32:46",
    `${IG} internal/filenames/huawei_test.go`,
  ],
  [
    "IMG_20231014_183246_BURST002.jpg",
    "2023-10-14T18:32:46",
    `${IG} internal/filenames/huawei_test.go`,
  ],
  ["IMG_1123.jpg", null, `${IG} internal/filenames/*_test.go InvalidFilename`],
];

/** Seen in a real export, an issue, or public code. */
const REAL: DateRow[] = [
  // An immich-go issue.
  ["video-2011-09-25-18-58-53.mp4", "2011-09-25T18:58:53", `${IG}#823`],
  // Real file names found in public code (code index).
  [
    "WhatsApp Image 2025-10-13 at 23.57.02_0cf5591a.jpg",
    "2025-10-13T23:57:02",
    "code-index 42270580280",
  ],
  [
    "WhatsApp Image 2025-10-10 at 11.48.12 AM.jpeg",
    "2025-10-10T11:48:12",
    "code-index 52383571175 (WhatsApp iOS, 12-hour)",
  ],
  [
    "WhatsApp Image 2024-09-24 at 11.07.17 AM.jpeg",
    "2024-09-24T11:07:17",
    "code-index 18070081111",
  ],
  [
    "WhatsApp Image 2023-11-03 at 1.15.53 PM.jpeg",
    "2023-11-03T13:15:53",
    "code-index 3854900 (WhatsApp iOS, 12-hour, 1-digit hour)",
  ],
  ["WhatsApp Image 2024-11-11 at 9.58.36 AM.jpeg", "2024-11-11T09:58:36", "code-index 24816966230"],
  [
    "WhatsApp Image 2021-09-08 at 2.37.50 PM (2).jpeg",
    "2021-09-08T14:37:50",
    "code-index 8919390151",
  ],
  ["WhatsApp Image 2026-05-31 at 8.01.14 PM.jpeg", "2026-05-31T20:01:14", "code-index 55078523866"],
  [
    "WhatsApp Image 2025-07-12 à 16.06.43_fee671c9.jpg",
    "2025-07-12T16:06:43",
    "code-index 34239146015 (WhatsApp Desktop, French 'à')",
  ],
  [
    "Screen Shot 2012-11-30 at 1.33.38 PM.png",
    "2012-11-30T13:33:38",
    "code-index 31391370729 (macOS ≤10.14, 12-hour)",
  ],
  ["Screen Shot 2020-10-20 at 13.57.23.png", "2020-10-20T13:57:23", "code-index 20420703954"],
  [
    "Bildschirmfoto 2022-10-02 um 18.01.39.png",
    "2022-10-02T18:01:39",
    "code-index 316071680 (macOS German 'um')",
  ],
  ["Bildschirmfoto 2023-04-28 um 12.32.05.png", "2023-04-28T12:32:05", "code-index 46636144745"],
  [
    "Bildschirmfoto 2015-06-16 um 12.11.56 nachm..png",
    "2015-06-16T12:11:56",
    "code-index 12163975295 (German 12-hour 'nachm.')",
  ],
  [
    "Capture d’écran 2025-01-17 à 20.58.03.png",
    "2025-01-17T20:58:03",
    "code-index 26975871576 (macOS French 'à')",
  ],
  ["Capture d’écran 2021-01-11 à 11.13.20.png", "2021-01-11T11:13:20", "code-index 49754325771"],
  [
    "Capture d’écran 2023-07-30 201341.png",
    "2023-07-30T20:13:41",
    "code-index 43383348171 (Windows French)",
  ],
  [
    "Captura de pantalla 2024-04-25 151455.png",
    "2024-04-25T15:14:55",
    "code-index 3106153 (Windows Spanish)",
  ],
  [
    "Captura de pantalla 2024-07-10 a la(s) 5.16.27 p. m..png",
    "2024-07-10T17:16:27",
    "code-index 40380650848 (macOS Spanish, 12-hour)",
  ],
  [
    "Screenshot 2024-10-01 055824.png",
    "2024-10-01T05:58:24",
    "code-index 24816966230 (Windows Snipping Tool)",
  ],
  [
    "Desktop 2020.07.05 - 20.33.54.01.mp4",
    "2020-07-05T20:33:54",
    "code-index 40349391097 (NVIDIA ShadowPlay)",
  ],
  [
    "IMG20240912164016 - Vladimir Mylle.jpg",
    "2024-09-12T16:40:16",
    "code-index 29537147150 (OnePlus/Oppo IMG+14 digits)",
  ],
  ["Foto da 2023-11-23T204132.759.jpg", "2023-11-23T20:41:32.759", "code-index 52764202914"],
];

/** A real format, values made up here (and names that must give no date). */
const SYNTHETIC: DateRow[] = [
  // Real formats, values made up here.
  [
    "WhatsApp Image 2024-09-15 at 10.28.28 PM.jpeg",
    "2024-09-15T22:28:28",
    "format of code-index 18070081111 (2-digit PM hour)",
  ],
  [
    "Screen Shot 2019-04-11 at 12.48.43 AM.png",
    "2019-04-11T00:48:43",
    "macOS 12-hour format (12 AM = 00h)",
  ],
  [
    "Screenshot 2023-01-05 at 3.04.22\u202fPM.png",
    "2023-01-05T15:04:22",
    "macOS 13+ format (U+202F before PM)",
  ],
  [
    "WhatsApp Video 2019-03-04 at 21.05.11.mp4",
    "2019-03-04T21:05:11",
    "WhatsApp Android export format",
  ],
  ["VID-20200229-WA0004.mp4", "2020-02-29T00:00:00", "WhatsApp Android, leap day"],
  ["IMG-20190229-WA0001.jpg", null, "WhatsApp Android, no Feb 29 in 2019"],
  [
    "PXL_20210102_221126856.MP.jpg",
    "2021-01-02T22:11:26.856",
    "Pixel motion photo (takeout-format.md)",
  ],
  ["WIN_20200229_08_40_52_Pro.jpg", "2020-02-29T08:40:52", "Windows Camera app format"],
  ["Screenshot_20200229-084052_WhatsApp.jpg", "2020-02-29T08:40:52", "Samsung screenshot format"],
  [
    "Screen_Recording_20200229-084052_YouTube.mp4",
    "2020-02-29T08:40:52",
    "Samsung screen recording format",
  ],
  ["photo_2021-03-15_14-22-33 (2).jpg", "2021-03-15T14:22:33", "Telegram Desktop format"],
  ["DJI_20230115143022_0001_D.JPG", "2023-01-15T14:30:22", "DJI format"],
  ["IMG_20190815_143314_HDR.jpg", "2019-08-15T14:33:14", "MIUI HDR suffix"],
  ["IMG_20180126_256199.jpg", "2018-01-26T00:00:00", "valid date, impossible time"],
  ["Scan 1850-03-15.jpg", "1850-03-15T00:00:00", "scan of an 1800s print"],
  // Negatives: no date.
  ["IMG_0001.jpg", null, "camera counter"],
  ["DSC_0001.JPG", null, "camera counter"],
  ["12345678901234567890.jpg", null, "20 random digits"],
  ["20190415123456789012345.jpg", null, "23 digits starting like a date"],
  ["+49 1512 3456789.jpg", null, "phone number"],
  ["0049-1512-3456789.jpg", null, "phone number"],
  ["+1-202-555-0143.png", null, "phone number"],
  ["FB_IMG_1587654321000.jpg", null, "Facebook epoch-ms name (not a written date)"],
  ["Snapchat-1234567890.jpg", null, "Snapchat id name"],
  ["received_1234567890123456.jpeg", null, "Messenger id name"],
  ["IMG_20181326_101010.jpg", null, "month 13"],
  ["IMG_20190431_101010.jpg", null, "April 31"],
  ["IMG_20190000_101010.jpg", null, "month 00"],
  ["Scan 1799-05-01.jpg", null, "before 1800"],
  ["Photo 2100-01-01.jpg", null, "after 2099"],
];

for (const [trust, rows] of [["suite", SUITE], ["real", REAL], ["synthetic", SYNTHETIC]] as const) {
  Deno.test(`dateFromFileName() reads the ${trust} file-name dates`, async (t) => {
    for (const [name, expect, source] of rows) {
      await t.step(`"${name}" -> ${expect ?? "no date"}`, () => {
        const iso = dateFromFileName(name)?.toISOString();
        assert.equal(iso?.slice(0, expect?.length), expect ?? undefined, source);
      });
    }
  });
}
