/**
 * Sidecar pairings from immich-go (part 2 of 2) and GPTH's test suite and issue reports, as field
 * cases (tests/fixtures/takeout/field_cases.ts).
 */
import { fieldCaseSteps, GPTH, IG } from "./fixtures/takeout/field_cases.ts";
import type { FieldCase } from "./fixtures/takeout/field_cases.ts";

const CASES: FieldCase[] = [
  {
    id: "ig IMG_0170 across year and album folders, HEIC+MP4 live pairs (issue 390)",
    source: `${IG} testgp_samples_test.go issue390WrongCount2`,
    media: [
      "2017 - Croatia/IMG_0170.jpg",
      "Photos from 2018/IMG_0170.HEIC",
      "Photos from 2018/IMG_0170.JPG",
      "Photos from 2023/IMG_0170.MP4",
      "Photos from 2023/IMG_0170.HEIC",
      "Photos from 2018/IMG_0170.MP4",
      "2018 - Cambodia/IMG_0170.JPG",
      "2023 - Belize/IMG_0170.MP4",
      "2023 - Belize/IMG_0170.HEIC",
      "Photos from 2017/IMG_0170.jpg",
    ],
    json: [
      ["2017 - Croatia/IMG_0170.jpg.json", "IMG_0170.jpg"],
      ["Photos from 2018/IMG_0170.JPG.json", "IMG_0170.JPG"],
      ["Photos from 2018/IMG_0170.HEIC.json", "IMG_0170.HEIC"],
      ["Photos from 2023/IMG_0170.HEIC.json", "IMG_0170.HEIC"],
      ["2018 - Cambodia/IMG_0170.JPG.json", "IMG_0170.JPG"],
      ["2023 - Belize/IMG_0170.HEIC.json", "IMG_0170.HEIC"],
      ["Photos from 2017/IMG_0170.jpg.json", "IMG_0170.jpg"],
    ],
    expect: {
      "2017 - Croatia/IMG_0170.jpg": "2017 - Croatia/IMG_0170.jpg.json",
      "Photos from 2018/IMG_0170.HEIC": "Photos from 2018/IMG_0170.HEIC.json",
      "Photos from 2018/IMG_0170.JPG": "Photos from 2018/IMG_0170.JPG.json",
      "Photos from 2023/IMG_0170.MP4": "Photos from 2023/IMG_0170.HEIC.json",
      "Photos from 2023/IMG_0170.HEIC": "Photos from 2023/IMG_0170.HEIC.json",
      // HEIC and JPG both beside it: either still is defensible.
      "Photos from 2018/IMG_0170.MP4": [
        "Photos from 2018/IMG_0170.HEIC.json",
        "Photos from 2018/IMG_0170.JPG.json",
      ],
      "2018 - Cambodia/IMG_0170.JPG": "2018 - Cambodia/IMG_0170.JPG.json",
      "2023 - Belize/IMG_0170.MP4": "2023 - Belize/IMG_0170.HEIC.json",
      "2023 - Belize/IMG_0170.HEIC": "2023 - Belize/IMG_0170.HEIC.json",
      "Photos from 2017/IMG_0170.jpg": "Photos from 2017/IMG_0170.jpg.json",
    },
  },
  {
    id: "ig Samsung motion .jpg+.MP4; Pixel .MP with a title that lacks 'PXL_'",
    source: `${IG} testgp_samples_test.go checkLivePhoto`,
    media: [
      "Motion test/20231227_152817.jpg",
      "Motion test/20231227_152817.MP4",
      "Motion Test/PXL_20231118_035751175.MP",
      "Motion Test/PXL_20231118_035751175.MP.jpg",
    ],
    json: [
      ["Motion test/20231227_152817.jpg.json", "20231227_152817.jpg"],
      ["Motion Test/PXL_20231118_035751175.MP.jpg.json", "20231118_035751175.MP.jpg"],
    ],
    expect: {
      "Motion test/20231227_152817.jpg": "Motion test/20231227_152817.jpg.json",
      "Motion test/20231227_152817.MP4": "Motion test/20231227_152817.jpg.json",
      "Motion Test/PXL_20231118_035751175.MP": "Motion Test/PXL_20231118_035751175.MP.jpg.json",
      "Motion Test/PXL_20231118_035751175.MP.jpg": "Motion Test/PXL_20231118_035751175.MP.jpg.json",
    },
  },
  {
    id: "ig iPhone live photo in an album, a private album and the year folder",
    source: `${IG} testgp_samples_test.go checkLivePhotoPixil`,
    media: [
      "2022 - Germany/IMG_4573.MP4",
      "2022 - Germany/IMG_4573.HEIC",
      "2022 - Germany - Private/IMG_4573.HEIC",
      "2022 - Germany - Private/IMG_4573.MP4",
      "Photos from 2022/IMG_4573.HEIC",
      "Photos from 2022/IMG_4573.MP4",
    ],
    json: [
      ["2022 - Germany/IMG_4573.HEIC.json", "IMG_4573.HEIC"],
      ["2022 - Germany - Private/IMG_4573.HEIC.json", "IMG_4573.HEIC"],
      ["Photos from 2022/IMG_4573.HEIC.json", "IMG_4573.HEIC"],
    ],
    expect: {
      "2022 - Germany/IMG_4573.MP4": "2022 - Germany/IMG_4573.HEIC.json",
      "2022 - Germany/IMG_4573.HEIC": "2022 - Germany/IMG_4573.HEIC.json",
      "2022 - Germany - Private/IMG_4573.HEIC": "2022 - Germany - Private/IMG_4573.HEIC.json",
      "2022 - Germany - Private/IMG_4573.MP4": "2022 - Germany - Private/IMG_4573.HEIC.json",
      "Photos from 2022/IMG_4573.HEIC": "Photos from 2022/IMG_4573.HEIC.json",
      "Photos from 2022/IMG_4573.MP4": "Photos from 2022/IMG_4573.HEIC.json",
    },
  },
  {
    id: "ig files with no JSON at all stay without sidecar",
    source: `${IG} testgp_samples_test.go checkMissingJSON`,
    media: [
      "Photos from 2022/IMG_4573.HEIC",
      "Photos from 2016/IMG-20161201-WA0035.jpeg",
      "2022 - Germany - Private/IMG_4553.HEIC",
      "2022 - Germany/IMG_1234.MP4",
      "2022 - Germany/IMG_1234.HEIC",
    ],
    json: [["Photos from 2022/IMG_4573.HEIC.json", "IMG_4573.HEIC"]],
    expect: {
      "Photos from 2022/IMG_4573.HEIC": "Photos from 2022/IMG_4573.HEIC.json",
      "Photos from 2016/IMG-20161201-WA0035.jpeg": null,
      "2022 - Germany - Private/IMG_4553.HEIC": null,
      "2022 - Germany/IMG_1234.MP4": null,
      "2022 - Germany/IMG_1234.HEIC": null,
    },
  },
  {
    id: "ig the same path in two parts; album names with [&] and '_3'",
    source: `${IG} testgp_samples_test.go checkDuplicates`,
    media: [
      "[E&S] 2016-01-05 - Castello De Albertis e Mostra d/20160105_121621_LLS.jpg",
      "Photos from 2016/20160105_121621_LLS.jpg",
      "2016-01-05 - _3/20160105_121621_LLS.jpg",
      "2016-01-05 - _3/20160105_121621_LLS.jpg", // again, from part 002
    ],
    json: [
      [
        "[E&S] 2016-01-05 - Castello De Albertis e Mostra d/20160105_121621_LLS.jpg.json",
        "20160105_121621_LLS.jpg",
      ],
      ["Photos from 2016/20160105_121621_LLS.jpg.json", "20160105_121621_LLS.jpg"],
      ["2016-01-05 - _3/20160105_121621_LLS.jpg.json", "20160105_121621_LLS.jpg"],
      ["2016-01-05 - _3/20160105_121621_LLS.jpg.json", "20160105_121621_LLS.jpg"], // part 002
    ],
    expect: {
      "[E&S] 2016-01-05 - Castello De Albertis e Mostra d/20160105_121621_LLS.jpg":
        "[E&S] 2016-01-05 - Castello De Albertis e Mostra d/20160105_121621_LLS.jpg.json",
      "Photos from 2016/20160105_121621_LLS.jpg": "Photos from 2016/20160105_121621_LLS.jpg.json",
      "2016-01-05 - _3/20160105_121621_LLS.jpg": "2016-01-05 - _3/20160105_121621_LLS.jpg.json",
    },
  },
  {
    id: "ig upper-case .JSON sidecars; a sidecar in another folder does not count",
    source: `${IG} adapters/googlePhotos/testgp_livephoto_test.go`,
    media: [
      "motion/nomotion.MP4",
      "motion/PXL_20210102_221126856.MP~2",
      "motion/PXL_20210102_221126856.MP~2.jpg",
      "motion/PXL_20210102_221126856.MP.jpg",
      "motion/PXL_20210102_221126856.MP",
      "motion/20231227_152817.jpg",
      "motion/20231227_152817.MP4",
    ],
    json: [
      ["/nomotion.MP4.JSON", "nomotion.MP4"],
      ["motion/PXL_20210102_221126856.MP~2.jpg.JSON", "motion/PXL_20210102_221126856.MP~2.jpg"],
      ["motion/PXL_20210102_221126856.MP.jpg.JSON", "motion/PXL_20210102_221126856.MP.jpg"],
      ["motion/20231227_152817.jpg.JSON", "motion/20231227_152817.jpg"],
    ],
    expect: {
      "motion/nomotion.MP4": null,
      "motion/PXL_20210102_221126856.MP~2": "motion/PXL_20210102_221126856.MP~2.jpg.JSON",
      "motion/PXL_20210102_221126856.MP~2.jpg": "motion/PXL_20210102_221126856.MP~2.jpg.JSON",
      "motion/PXL_20210102_221126856.MP.jpg": "motion/PXL_20210102_221126856.MP.jpg.JSON",
      "motion/PXL_20210102_221126856.MP": "motion/PXL_20210102_221126856.MP.jpg.JSON",
      "motion/20231227_152817.jpg": "motion/20231227_152817.jpg.JSON",
      "motion/20231227_152817.MP4": "motion/20231227_152817.jpg.JSON",
    },
    note:
      "synthetic fixture (upper-case .JSON, titles holding a folder) from the tool's test, not an export",
  },
  {
    id: "ig IMG_3479.JPG(n).json for (1)/(2); (3) has none",
    source: `${IG} testgp_samples_test.go namesWithNumbers + older Test_matchDuplicateInYear`,
    media: [
      "Photos from 2009/IMG_3479.JPG",
      "Photos from 2009/IMG_3479(1).JPG",
      "Photos from 2009/IMG_3479(2).JPG",
      "Photos from 2009/IMG_3479(3).JPG",
    ],
    json: [
      ["Photos from 2009/IMG_3479.JPG.json", "IMG_3479.JPG"],
      ["Photos from 2009/IMG_3479.JPG(1).json", "IMG_3479.JPG"],
      ["Photos from 2009/IMG_3479.JPG(2).json", "IMG_3479.JPG"],
    ],
    expect: {
      "Photos from 2009/IMG_3479.JPG": "Photos from 2009/IMG_3479.JPG.json",
      "Photos from 2009/IMG_3479(1).JPG": "Photos from 2009/IMG_3479.JPG(1).json",
      "Photos from 2009/IMG_3479(2).JPG": "Photos from 2009/IMG_3479.JPG(2).json",
      "Photos from 2009/IMG_3479(3).JPG": null,
    },
  },
  {
    id: "ig an edited copy exported as IMG_0839(1).JPG with its own (1) sidecar",
    source: "https://github.com/simulot/immich-go/issues/12",
    media: ["IMG_0839.JPG", "IMG_0839(1).JPG"],
    json: [["IMG_0839.JPG.json", "IMG_0839.JPG"], ["IMG_0839.JPG(1).json", "IMG_0839.JPG"]],
    expect: { "IMG_0839.JPG": "IMG_0839.JPG.json", "IMG_0839(1).JPG": "IMG_0839.JPG(1).json" },
  },

  // ───────────────────────── GPTH (upstream) ─────────────────────────
  {
    id: "gpth image-edited.jpg with its own sidecar; snapcha.json; -edited and -edited(1) share",
    source: `${GPTH} test/gpth_test.dart`,
    media: [
      "image-edited.jpg",
      "Screenshot_2022-10-28-09-31-43-118_com.snapchat.jpg",
      "simple_file_20200101-edited.jpg",
      "simple_file_20200101-edited(1).jpg",
    ],
    json: [
      ["image-edited.jpg.json", "image-edited.jpg"],
      [
        "Screenshot_2022-10-28-09-31-43-118_com.snapcha.json",
        "Screenshot_2022-10-28-09-31-43-118_com.snapchat.jpg",
      ],
      ["simple_file_20200101.jpg.json", "simple_file_20200101.jpg"],
    ],
    expect: {
      "image-edited.jpg": "image-edited.jpg.json",
      "Screenshot_2022-10-28-09-31-43-118_com.snapchat.jpg":
        "Screenshot_2022-10-28-09-31-43-118_com.snapcha.json",
      "simple_file_20200101-edited.jpg": "simple_file_20200101.jpg.json",
      "simple_file_20200101-edited(1).jpg": "simple_file_20200101.jpg.json",
    },
    note: "GPTH pairs the two simple_file copies only with --tryhard (#175)",
  },
  {
    id: "gpth 'Urlaub … (38..41).JPG' with '.JP.json' in a 2005 day folder",
    source: "https://github.com/TheLastGimbus/GooglePhotosTakeoutHelper/issues/8",
    media: [38, 39, 40, 41].map((n) =>
      `2005-02-05/Urlaub in Knaufspesch in der Schneifel (${n}).JPG`
    ),
    json: [38, 39, 40, 41].map((n) => [
      `2005-02-05/Urlaub in Knaufspesch in der Schneifel (${n}).JP.json`,
      `Urlaub in Knaufspesch in der Schneifel (${n}).JPG`,
    ]),
    expect: Object.fromEntries([38, 39, 40, 41].map((n) => [
      `2005-02-05/Urlaub in Knaufspesch in der Schneifel (${n}).JPG`,
      `2005-02-05/Urlaub in Knaufspesch in der Schneifel (${n}).JP.json`,
    ])),
  },
  {
    id: "gpth sidecar extension upper-case, media lower-case",
    source: "https://github.com/TheLastGimbus/GooglePhotosTakeoutHelper/issues/46",
    media: ["The Pups/197_197.jpg", "The Pups/20090216_00021.jpg"],
    json: [
      ["The Pups/197_197.JPG.json", "197_197.JPG"],
      ["The Pups/20090216_00021.JPG.json", "20090216_00021.JPG"],
    ],
    expect: {
      "The Pups/197_197.jpg": "The Pups/197_197.JPG.json",
      "The Pups/20090216_00021.jpg": "The Pups/20090216_00021.JPG.json",
    },
  },
  {
    id: "gpth image(10..15).jpg with image.jpg(n).json",
    source: "https://github.com/TheLastGimbus/GooglePhotosTakeoutHelper/issues/188",
    media: [10, 11, 15].map((n) => `Photos from 2019/image(${n}).jpg`),
    json: [10, 11, 15].map((n) => [`Photos from 2019/image.jpg(${n}).json`, "image.jpg"]),
    expect: Object.fromEntries(
      [10, 11, 15].map((
        n,
      ) => [`Photos from 2019/image(${n}).jpg`, `Photos from 2019/image.jpg(${n}).json`]),
    ),
  },
  {
    id: "gpth '-ha editado' copies (Spanish)",
    source: "https://github.com/TheLastGimbus/GooglePhotosTakeoutHelper/issues/217",
    media: [
      "IMG-20208513-WA0042.jpeg",
      "IMG-20208513-WA0042-ha editado.jpeg",
      "2021-05-22 23.19.26.jpeg",
      "2021-05-22 23.19.26-ha editado.jpeg",
    ],
    json: [
      ["IMG-20208513-WA0042.jpeg.json", "IMG-20208513-WA0042.jpeg"],
      ["2021-05-22 23.19.26.jpeg.json", "2021-05-22 23.19.26.jpeg"],
    ],
    expect: {
      "IMG-20208513-WA0042.jpeg": "IMG-20208513-WA0042.jpeg.json",
      "IMG-20208513-WA0042-ha editado.jpeg": "IMG-20208513-WA0042.jpeg.json",
      "2021-05-22 23.19.26.jpeg": "2021-05-22 23.19.26.jpeg.json",
      "2021-05-22 23.19.26-ha editado.jpeg": "2021-05-22 23.19.26.jpeg.json",
    },
    note: "originals' names/sidecars inferred (the issue shows only the edited names)",
  },
  {
    id: "gpth -edited.JPG and a live .MP4 in an album",
    source: "https://github.com/TheLastGimbus/GooglePhotosTakeoutHelper/issues/92",
    media: [
      "Photos from 2012/IMG_4269.JPG",
      "Photos from 2012/IMG_4269-edited.JPG",
      "Trip to Seville/IMG_0503.HEIC",
      "Trip to Seville/IMG_0503.MP4",
    ],
    json: [
      ["Photos from 2012/IMG_4269.JPG.json", "IMG_4269.JPG"],
      ["Trip to Seville/IMG_0503.HEIC.json", "IMG_0503.HEIC"],
    ],
    expect: {
      "Photos from 2012/IMG_4269.JPG": "Photos from 2012/IMG_4269.JPG.json",
      "Photos from 2012/IMG_4269-edited.JPG": "Photos from 2012/IMG_4269.JPG.json",
      "Trip to Seville/IMG_0503.HEIC": "Trip to Seville/IMG_0503.HEIC.json",
      "Trip to Seville/IMG_0503.MP4": "Trip to Seville/IMG_0503.HEIC.json",
    },
  },
  {
    id: "gpth title without extension: 2013-08-22.png / 2013-08-22.json",
    source: "https://github.com/TheLastGimbus/GooglePhotosTakeoutHelper/pull/369",
    media: ["2013-08-22.png"],
    json: [["2013-08-22.json", "2013-08-22"]],
    expect: { "2013-08-22.png": "2013-08-22.json" },
  },
  {
    id: "gpth live video with its own sidecar whose title is the image's",
    source: "https://github.com/TheLastGimbus/GooglePhotosTakeoutHelper/issues/460 (comment)",
    media: ["LIVE_PHOTO.jpeg", "LIVE_PHOTO.MP4"],
    json: [
      ["LIVE_PHOTO.jpeg.supplemental-metadata.json", "LIVE_PHOTO.jpeg"],
      ["LIVE_PHOTO.MP4.supplemental-metadata.json", "LIVE_PHOTO.jpeg"],
    ],
    expect: {
      "LIVE_PHOTO.jpeg": "LIVE_PHOTO.jpeg.supplemental-metadata.json",
      "LIVE_PHOTO.MP4": "LIVE_PHOTO.MP4.supplemental-metadata.json",
    },
    note: "anecdotal (one comment, placeholder name)",
  },
  {
    id: "zaczero four IMG_0484.JPG uploads, 1:1 by counter",
    source: "https://github.com/Zaczero/google-photos-takeout.sh/issues/2",
    media: [
      "Photos from 2012/IMG_0484.JPG",
      ...[1, 2, 3].map((n) => `Photos from 2012/IMG_0484(${n}).JPG`),
    ],
    json: [
      ["Photos from 2012/IMG_0484.JPG.json", "IMG_0484.JPG"],
      ...[1, 2, 3].map((
        n,
      ): [string, string] => [`Photos from 2012/IMG_0484.JPG(${n}).json`, "IMG_0484.JPG"]),
    ],
    expect: {
      "Photos from 2012/IMG_0484.JPG": "Photos from 2012/IMG_0484.JPG.json",
      ...Object.fromEntries(
        [1, 2, 3].map((
          n,
        ) => [`Photos from 2012/IMG_0484(${n}).JPG`, `Photos from 2012/IMG_0484.JPG(${n}).json`]),
      ),
    },
  },
];

Deno.test("matchTree() pairs sidecars as immich-go's and GPTH's suites and issues expect", async (t) => {
  await fieldCaseSteps(t, CASES);
});
