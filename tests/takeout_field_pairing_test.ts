/**
 * Sidecar pairings from immich-go's test suite and issue reports (part 1 of 2), as field cases:
 * each case is a folder listing from the named file or issue and the sidecar every media file
 * should end up with (tests/fixtures/takeout/field_cases.ts).
 */
import { fieldCaseSteps, IG } from "./fixtures/takeout/field_cases.ts";
import type { FieldCase } from "./fixtures/takeout/field_cases.ts";

const CASES: FieldCase[] = [
  {
    id: "ig fast track, and a near-miss name",
    source: `${IG} adapters/googlePhotos/matcher_test.go`,
    media: ["PXL_20211013_220651983.jpg", "PXL_20211013_220651958.jpg"],
    json: [["PXL_20211013_220651983.jpg.json", "PXL_20211013_220651983.jpg"]],
    expect: {
      "PXL_20211013_220651983.jpg": "PXL_20211013_220651983.jpg.json",
      "PXL_20211013_220651958.jpg": null,
    },
  },
  {
    id: "ig PORTRAIT-modifié edited copy; other -modifié files without original stay unpaired",
    source: `${IG} adapters/googlePhotos/matcher_test.go + testgp_samples_test.go imagesEditedJSON`,
    media: [
      "Photos from 2023/PXL_20220405_090123740.PORTRAIT.jpg",
      "Photos from 2023/PXL_20220405_090123740.PORTRAIT-modifié.jpg",
      "Photos from 2023/PXL_20220405_090200110.PORTRAIT-modifié.jpg",
      "Photos from 2023/PXL_20220405_090123741.PORTRAIT-modifié.jpg",
    ],
    json: [[
      "Photos from 2023/PXL_20220405_090123740.PORTRAIT.jpg.json",
      "PXL_20220405_090123740.PORTRAIT.jpg",
    ]],
    expect: {
      "Photos from 2023/PXL_20220405_090123740.PORTRAIT.jpg":
        "Photos from 2023/PXL_20220405_090123740.PORTRAIT.jpg.json",
      "Photos from 2023/PXL_20220405_090123740.PORTRAIT-modifié.jpg":
        "Photos from 2023/PXL_20220405_090123740.PORTRAIT.jpg.json",
      "Photos from 2023/PXL_20220405_090200110.PORTRAIT-modifié.jpg": null,
      "Photos from 2023/PXL_20220405_090123741.PORTRAIT-modifié.jpg": null,
    },
  },
  {
    id: "ig DSC_010x counters: only equal counters pair",
    source: `${IG} adapters/googlePhotos/matcher_test.go`,
    media: [
      "DSC_0100.JPG",
      "DSC_0101(1).JPG",
      "DSC_0102(1).JPG",
      "DSC_0103.JPG",
      "DSC_0104(1).JPG",
    ],
    json: [
      ["DSC_0100.JPG.json", "DSC_0100.JPG"],
      ["DSC_0101.JPG(1).json", "DSC_0101.JPG"],
      ["DSC_0102.JPG(2).json", "DSC_0102.JPG"],
      ["DSC_0103.JPG(1).json", "DSC_0103.JPG"],
      ["DSC_0104.JPG.json", "DSC_0104.JPG"],
    ],
    expect: {
      "DSC_0100.JPG": "DSC_0100.JPG.json",
      "DSC_0101(1).JPG": "DSC_0101.JPG(1).json",
      "DSC_0102(1).JPG": null,
      "DSC_0103.JPG": null,
      "DSC_0104(1).JPG": null,
    },
  },
  {
    id: "ig HEIC counter moved behind the extension",
    source: `${IG} adapters/googlePhotos/matcher_test.go`,
    media: ["IMG_2710(1).HEIC"],
    json: [["IMG_2710.HEIC(1).json", "IMG_2710.HEIC"]],
    expect: { "IMG_2710(1).HEIC": "IMG_2710.HEIC(1).json" },
  },
  {
    id: "ig Pixel .MP part and .MP.jpg with one sidecar (issue 68)",
    source: `${IG} adapters/googlePhotos/testgp_samples_test.go issue68MPFiles`,
    media: [
      "Photos from 2022/PXL_20221228_185930354.MP",
      "Photos from 2022/PXL_20221228_185930354.MP.jpg",
    ],
    json: [[
      "Photos from 2022/PXL_20221228_185930354.MP.jpg.json",
      "PXL_20221228_185930354.MP.jpg",
    ]],
    expect: {
      "Photos from 2022/PXL_20221228_185930354.MP":
        "Photos from 2022/PXL_20221228_185930354.MP.jpg.json",
      "Photos from 2022/PXL_20221228_185930354.MP.jpg":
        "Photos from 2022/PXL_20221228_185930354.MP.jpg.json",
    },
  },
  {
    id: "ig LONG_EXPOSURE COVER (double dot) and ORIGINA/ORIGIN cut (issue 68)",
    source: `${IG} adapters/googlePhotos/testgp_samples_test.go issue68LongExposure`,
    media: [
      "Photos from 2023/PXL_20230814_201154491.LONG_EXPOSURE-01.COVER.jpg",
      "Photos from 2023/PXL_20230814_201154491.LONG_EXPOSURE-02.ORIGINA.jpg",
    ],
    json: [
      [
        "Photos from 2023/PXL_20230814_201154491.LONG_EXPOSURE-01.COVER..json",
        "PXL_20230814_201154491.LONG_EXPOSURE-01.COVER.jpg",
      ],
      [
        "Photos from 2023/PXL_20230814_201154491.LONG_EXPOSURE-02.ORIGIN.json",
        "PXL_20230814_201154491.LONG_EXPOSURE-02.ORIGINAL.jpg",
      ],
    ],
    expect: {
      "Photos from 2023/PXL_20230814_201154491.LONG_EXPOSURE-01.COVER.jpg":
        "Photos from 2023/PXL_20230814_201154491.LONG_EXPOSURE-01.COVER..json",
      "Photos from 2023/PXL_20230814_201154491.LONG_EXPOSURE-02.ORIGINA.jpg":
        "Photos from 2023/PXL_20230814_201154491.LONG_EXPOSURE-02.ORIGIN.json",
    },
  },
  {
    id: "ig truncated names: emoji (UTF-16 cut), ORIGINA, '2.jp.json'",
    source:
      `${IG} testgp_samples_test.go namesTruncated; https://github.com/simulot/immich-go/issues/35`,
    media: [
      "Photos from 2023/😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.jpg",
      "Photos from 2023/PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg",
      "Photos from 2023/05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jpg",
    ],
    json: [
      [
        "Photos from 2023/😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋.json",
        "😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛😝😜🤪🤨🧐🤓😎🥸🤩🥳😏😒😞😔😟😕🙁☹️😣😖😫😩🥺😢😭😤😠😡🤬🤯😳🥵🥶.jpg",
      ],
      [
        "Photos from 2023/PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGIN.json",
        "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg",
      ],
      [
        "Photos from 2023/05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jp.json",
        "05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jpg",
      ],
    ],
    expect: {
      "Photos from 2023/😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.jpg":
        "Photos from 2023/😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋.json",
      "Photos from 2023/PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg":
        "Photos from 2023/PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGIN.json",
      "Photos from 2023/05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jpg":
        "Photos from 2023/05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jp.json",
    },
  },
  {
    id: "ig Backyard_…_m(n): long names with (1)/(494), album and year copies (issue 39)",
    source: `${IG} testgp_samples_test.go namesIssue39 + testgp_test.go TestBrowse/TestAlbums`,
    media: [
      "Album/Backyard_ceremony_wedding_photography_xxxxxxx_m.jpg",
      "Album/Backyard_ceremony_wedding_photography_xxxxxxx_m(1).jpg",
      "Album/Backyard_ceremony_wedding_photography_xxxxxxx_m(494).jpg",
      "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_m(1).jpg",
      "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_m(494).jpg",
      "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_m.jpg",
    ],
    json: [
      [
        "Album/Backyard_ceremony_wedding_photography_xxxxxxx_.json",
        "Backyard_ceremony_wedding_photography_xxxxxxx_magnoliastudios-371.jpg",
      ],
      [
        "Album/Backyard_ceremony_wedding_photography_xxxxxxx_(1).json",
        "Backyard_ceremony_wedding_photography_xxxxxxx_magnoliastudios-181.jpg",
      ],
      [
        "Album/Backyard_ceremony_wedding_photography_xxxxxxx_(494).json",
        "Backyard_ceremony_wedding_photography_markham_magnoliastudios-19.jpg",
      ],
      [
        "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_.json",
        "Backyard_ceremony_wedding_photography_xxxxxxx_magnoliastudios-371.jpg",
      ],
      [
        "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_(1).json",
        "Backyard_ceremony_wedding_photography_xxxxxxx_magnoliastudios-181.jpg",
      ],
      [
        "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_(494).json",
        "Backyard_ceremony_wedding_photography_markham_magnoliastudios-19.jpg",
      ],
    ],
    expect: {
      "Album/Backyard_ceremony_wedding_photography_xxxxxxx_m.jpg":
        "Album/Backyard_ceremony_wedding_photography_xxxxxxx_.json",
      "Album/Backyard_ceremony_wedding_photography_xxxxxxx_m(1).jpg":
        "Album/Backyard_ceremony_wedding_photography_xxxxxxx_(1).json",
      "Album/Backyard_ceremony_wedding_photography_xxxxxxx_m(494).jpg":
        "Album/Backyard_ceremony_wedding_photography_xxxxxxx_(494).json",
      "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_m(1).jpg":
        "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_(1).json",
      "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_m(494).jpg":
        "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_(494).json",
      "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_m.jpg":
        "Photos from 2020/Backyard_ceremony_wedding_photography_xxxxxxx_.json",
    },
    note: "the (494) title says 'markham' where the file says 'xxxxxxx' (redaction in the source)",
  },
  {
    id: "ig Backyard (494) sidecar is not the (185) file's",
    source: `${IG} adapters/googlePhotos/matcher_test.go`,
    media: [
      "Backyard/Backyard_ceremony_wedding_photography_xxxxxxx_m(494).jpg",
      "Backyard/Backyard_ceremony_wedding_photography_xxxxxxx_m(185).jpg",
    ],
    json: [[
      "Backyard/Backyard_ceremony_wedding_photography_xxxxxxx_(494).json",
      "Backyard_ceremony_wedding_photography_xxxxxxx_m.jpg",
    ]],
    expect: {
      "Backyard/Backyard_ceremony_wedding_photography_xxxxxxx_m(494).jpg":
        "Backyard/Backyard_ceremony_wedding_photography_xxxxxxx_(494).json",
      "Backyard/Backyard_ceremony_wedding_photography_xxxxxxx_m(185).jpg": null,
    },
  },
  {
    id: "ig forgotten duplicates original_…_P.jpg / _P(1).jpg share one sidecar",
    source: `${IG} testgp_samples_test.go issue68ForgottenDuplicates + matcher_test.go`,
    media: [
      "Photos from 2022/original_1d4caa6f-16c6-4c3d-901b-9387de10e528_P.jpg",
      "Photos from 2022/original_1d4caa6f-16c6-4c3d-901b-9387de10e528_P(1).jpg",
    ],
    json: [[
      "Photos from 2022/original_1d4caa6f-16c6-4c3d-901b-9387de10e528_.json",
      "original_1d4caa6f-16c6-4c3d-901b-9387de10e528_PXL_20220516_164814158.jpg",
    ]],
    expect: {
      "Photos from 2022/original_1d4caa6f-16c6-4c3d-901b-9387de10e528_P.jpg":
        "Photos from 2022/original_1d4caa6f-16c6-4c3d-901b-9387de10e528_.json",
      "Photos from 2022/original_1d4caa6f-16c6-4c3d-901b-9387de10e528_P(1).jpg":
        "Photos from 2022/original_1d4caa6f-16c6-4c3d-901b-9387de10e528_.json",
    },
  },
  {
    id: "ig forgotten duplicates, UUID name cut at 47",
    source: `${IG} older gp matcher tests Test_matchForgottenDuplicates (code-index 30289175370)`,
    media: [
      "1556189729458-8d2e2d13-bca5-467e-a242-9e4cb238e.jpg",
      "1556189729458-8d2e2d13-bca5-467e-a242-9e4cb238e(1).jpg",
    ],
    json: [[
      "1556189729458-8d2e2d13-bca5-467e-a242-9e4cb238.json",
      "1556189729458-8d2e2d13-bca5-467e-a242-9e4cb238e4f1.jpg",
    ]],
    expect: {
      "1556189729458-8d2e2d13-bca5-467e-a242-9e4cb238e.jpg":
        "1556189729458-8d2e2d13-bca5-467e-a242-9e4cb238.json",
      "1556189729458-8d2e2d13-bca5-467e-a242-9e4cb238e(1).jpg":
        "1556189729458-8d2e2d13-bca5-467e-a242-9e4cb238.json",
    },
    note: "title inferred (the test gives only file and JSON names)",
  },
  {
    id: "ig .MP / .MP~2 motion parts each with their own .jpg sidecar (issue 405)",
    source:
      `${IG} testgp_samples_test.go checkMPissue405; https://github.com/simulot/immich-go/issues/405`,
    media: [
      "Untitled(1)/PXL_20210102_221126856.MP",
      "Untitled(1)/PXL_20210102_221126856.MP~2",
      "Untitled(1)/PXL_20210102_221126856.MP~2.jpg",
      "Untitled(1)/PXL_20210102_221126856.MP.jpg",
    ],
    json: [
      ["Untitled(1)/PXL_20210102_221126856.MP~2.jpg.json", "PXL_20210102_221126856.MP~2.jpg"],
      ["Untitled(1)/PXL_20210102_221126856.MP.jpg.json", "PXL_20210102_221126856.MP.jpg"],
    ],
    expect: {
      "Untitled(1)/PXL_20210102_221126856.MP": "Untitled(1)/PXL_20210102_221126856.MP.jpg.json",
      "Untitled(1)/PXL_20210102_221126856.MP.jpg": "Untitled(1)/PXL_20210102_221126856.MP.jpg.json",
      "Untitled(1)/PXL_20210102_221126856.MP~2": "Untitled(1)/PXL_20210102_221126856.MP~2.jpg.json",
      "Untitled(1)/PXL_20210102_221126856.MP~2.jpg":
        "Untitled(1)/PXL_20210102_221126856.MP~2.jpg.json",
    },
  },
  {
    id: "ig _n.j.json / _n.j(1).json (issue 613)",
    source: `${IG} adapters/googlePhotos/matcher_test.go (#613)`,
    media: [
      "13039_327707840323_537645323_9470255_27214_n.jpg",
      "13039_327707840323_537645323_9470255_27214_n(1).jpg",
    ],
    json: [
      [
        "13039_327707840323_537645323_9470255_27214_n.j.json",
        "13039_327707840323_537645323_9470255_27214_n.jpg",
      ],
      [
        "13039_327707840323_537645323_9470255_27214_n.j(1).json",
        "13039_327707840323_537645323_9470255_27214_n.jpg",
      ],
    ],
    expect: {
      "13039_327707840323_537645323_9470255_27214_n.jpg":
        "13039_327707840323_537645323_9470255_27214_n.j.json",
      "13039_327707840323_537645323_9470255_27214_n(1).jpg":
        "13039_327707840323_537645323_9470255_27214_n.j(1).json",
    },
  },
  {
    id: "ig Facebook screenshot .supple / .supple(1) and its -edited copy (issue 652)",
    source: `${IG} adapters/googlePhotos/matcher_test.go (#652)`,
    media: [
      "Screenshot_20231027_123303_Facebook.jpg",
      "Screenshot_20231027_123303_Facebook(1).jpg",
      "Screenshot_20231027_123303_Facebook-edited.jpg",
    ],
    json: [
      [
        "Screenshot_20231027_123303_Facebook.jpg.supple.json",
        "Screenshot_20231027_123303_Facebook.jpg",
      ],
      [
        "Screenshot_20231027_123303_Facebook.jpg.supple(1).json",
        "Screenshot_20231027_123303_Facebook.jpg",
      ],
    ],
    expect: {
      "Screenshot_20231027_123303_Facebook.jpg":
        "Screenshot_20231027_123303_Facebook.jpg.supple.json",
      "Screenshot_20231027_123303_Facebook(1).jpg":
        "Screenshot_20231027_123303_Facebook.jpg.supple(1).json",
      "Screenshot_20231027_123303_Facebook-edited.jpg":
        "Screenshot_20231027_123303_Facebook.jpg.supple.json",
    },
  },
  {
    id: "ig MVIMG ~2 with .supplemental-metad.json (issue 652)",
    source: `${IG} adapters/googlePhotos/matcher_test.go (#652)`,
    media: ["MVIMG_20200207_134534~2.jpg"],
    json: [["MVIMG_20200207_134534~2.jpg.supplemental-metad.json", "MVIMG_20200207_134534~2.jpg"]],
    expect: {
      "MVIMG_20200207_134534~2.jpg": "MVIMG_20200207_134534~2.jpg.supplemental-metad.json",
    },
  },
  {
    id: "ig IMAG0061-edited.JPG alone takes the original's sidecar (issue 698)",
    source: `${IG} adapters/googlePhotos/matcher_test.go (#698)`,
    media: ["IMAG0061-edited.JPG"],
    json: [["IMAG0061.JPG.supplemental-metadata.json", "IMAG0061.JPG"]],
    expect: { "IMAG0061-edited.JPG": "IMAG0061.JPG.supplemental-metadata.json" },
  },
  {
    id: "ig WhatsApp ~2 and its -edited copy with a -metadat sidecar (issue 698)",
    source: "https://github.com/simulot/immich-go/issues/698",
    media: [
      "Photos from 2023/IMG-20230325-WA0122~2.jpg",
      "Photos from 2023/IMG-20230325-WA0122~2-edited.jpg",
    ],
    json: [[
      "Photos from 2023/IMG-20230325-WA0122~2.jpg.supplemental-metadat.json",
      "IMG-20230325-WA0122~2.jpg",
    ]],
    expect: {
      "Photos from 2023/IMG-20230325-WA0122~2.jpg":
        "Photos from 2023/IMG-20230325-WA0122~2.jpg.supplemental-metadat.json",
      "Photos from 2023/IMG-20230325-WA0122~2-edited.jpg":
        "Photos from 2023/IMG-20230325-WA0122~2.jpg.supplemental-metadat.json",
    },
  },
  {
    id: "ig sidecar without the media extension, plus -edited copy (issue 674)",
    source: "https://github.com/simulot/immich-go/issues/674",
    media: [
      "Photos from 2014/2234089303984509579.jpg",
      "Photos from 2014/2234089303984509579-edited.jpg",
      "Photos from 2014/1190642159672506179.jpg",
    ],
    json: [
      ["Photos from 2014/2234089303984509579.supplemental-metadata.json", "2234089303984509579"],
      ["Photos from 2014/1190642159672506179.supplemental-metadata.json", "1190642159672506179"],
    ],
    expect: {
      "Photos from 2014/2234089303984509579.jpg":
        "Photos from 2014/2234089303984509579.supplemental-metadata.json",
      "Photos from 2014/2234089303984509579-edited.jpg":
        "Photos from 2014/2234089303984509579.supplemental-metadata.json",
      "Photos from 2014/1190642159672506179.jpg":
        "Photos from 2014/1190642159672506179.supplemental-metadata.json",
    },
  },
  {
    id: "ig live photo (1).MP4 beside (1).HEIC with .HEIC…(1).json (issue 1321)",
    source: "https://github.com/simulot/immich-go/issues/1321",
    media: ["IMG_0769.HEIC", "IMG_0769.MP4", "IMG_0769(1).HEIC", "IMG_0769(1).MP4"],
    json: [
      ["IMG_0769.HEIC.supplemental-metadata.json", "IMG_0769.HEIC"],
      ["IMG_0769.HEIC.supplemental-metadata(1).json", "IMG_0769.HEIC"],
    ],
    expect: {
      "IMG_0769.HEIC": "IMG_0769.HEIC.supplemental-metadata.json",
      "IMG_0769.MP4": "IMG_0769.HEIC.supplemental-metadata.json",
      "IMG_0769(1).HEIC": "IMG_0769.HEIC.supplemental-metadata(1).json",
      "IMG_0769(1).MP4": "IMG_0769.HEIC.supplemental-metadata(1).json",
    },
  },
  {
    id: "ig WhatsApp .jpeg and -edited.jpeg share one sidecar (issue 884)",
    source: "https://github.com/simulot/immich-go/issues/884",
    media: ["IMG-20150125-WA0005.jpeg", "IMG-20150125-WA0005-edited.jpeg"],
    json: [["IMG-20150125-WA0005.jpeg.supplemental-metadata.json", "IMG-20150125-WA0005.jpeg"]],
    expect: {
      "IMG-20150125-WA0005.jpeg": "IMG-20150125-WA0005.jpeg.supplemental-metadata.json",
      "IMG-20150125-WA0005-edited.jpeg": "IMG-20150125-WA0005.jpeg.supplemental-metadata.json",
    },
  },
  {
    id: "ig titles with '/' (sanitised to '_'), one without extension in the JSON name",
    source: `${IG} testgp_samples_test.go titlesWithForbiddenChars`,
    media: ["Photos from 2012/27_06_12 - 1.mov", "Photos from 2012/27_06_12 - 2.jpg"],
    json: [
      ["Photos from 2012/27_06_12 - 1.mov.json", "27/06/12 - 1"],
      ["Photos from 2012/27_06_12 - 2.json", "27/06/12 - 2"],
    ],
    expect: {
      "Photos from 2012/27_06_12 - 1.mov": "Photos from 2012/27_06_12 - 1.mov.json",
      "Photos from 2012/27_06_12 - 2.jpg": "Photos from 2012/27_06_12 - 2.json",
    },
  },
  {
    id: "ig image000000: .gif sidecar titled '….gif.json', a stray .jpg(1).json (issue 390)",
    source: `${IG} testgp_samples_test.go issue390WrongCount`,
    media: ["Photos from 2021/image000000.gif", "Photos from 2021/image000000.jpg"],
    json: [
      ["Photos from 2021/image000000.jpg.json", "image000000.jpg"],
      ["Photos from 2021/image000000.jpg(1).json", "image000000.jpg"],
      ["Photos from 2021/image000000.gif.json", "image000000.gif.json"],
    ],
    expect: {
      "Photos from 2021/image000000.gif": "Photos from 2021/image000000.gif.json",
      "Photos from 2021/image000000.jpg": "Photos from 2021/image000000.jpg.json",
    },
  },
];

Deno.test("matchTree() pairs sidecars as immich-go's suite and issues expect, part 1", async (t) => {
  await fieldCaseSteps(t, CASES);
});
