/**
 * Sidecar pairings from GPTH Neo's unit tests, ente's upload tests and an immich issue, as field
 * cases (tests/fixtures/takeout/field_cases.ts).
 */
import { fieldCaseSteps, NEO } from "./fixtures/takeout/field_cases.ts";
import type { FieldCase } from "./fixtures/takeout/field_cases.ts";

const CASES: FieldCase[] = [
  {
    id: "neo file without extension; names with several dots",
    source:
      `${NEO} test/unit/metadata_matcher_service_test.dart + metadata_matcher_confidence_test.dart`,
    media: ["no_extension", "noext", "file.with.dots.jpg", "Photo.JPG"],
    json: [
      ["no_extension.supplemental-metadata.json", "no_extension"],
      ["noext.json", "noext"],
      ["file.with.dots.jpg.supplemental-metadata.json", "file.with.dots.jpg"],
      ["Photo.JPG.supplemental-metadata.json", "Photo.JPG"],
    ],
    expect: {
      "no_extension": "no_extension.supplemental-metadata.json",
      "noext": "noext.json",
      "file.with.dots.jpg": "file.with.dots.jpg.supplemental-metadata.json",
      "Photo.JPG": "Photo.JPG.supplemental-metadata.json",
    },
  },
  {
    id: "neo UUID(1).jpg with .suppl(1).json",
    source: `${NEO} test/unit/issue_123_numbered_json_matching_test.dart`,
    media: [
      "A/0bf4bdc0-0194-43e1-a85b-8823858343c7(1).jpg",
      "B/0bf4bdc0-0194-43e1-a85b-8823858343c7(1).jpg",
    ],
    json: [
      [
        "A/0bf4bdc0-0194-43e1-a85b-8823858343c7.jpg.suppl(1).json",
        "0bf4bdc0-0194-43e1-a85b-8823858343c7.jpg",
      ],
      [
        "B/0bf4bdc0-0194-43e1-a85b-8823858343c7.jpg.supplemental-metadata(1).json",
        "0bf4bdc0-0194-43e1-a85b-8823858343c7.jpg",
      ],
    ],
    expect: {
      "A/0bf4bdc0-0194-43e1-a85b-8823858343c7(1).jpg":
        "A/0bf4bdc0-0194-43e1-a85b-8823858343c7.jpg.suppl(1).json",
      "B/0bf4bdc0-0194-43e1-a85b-8823858343c7(1).jpg":
        "B/0bf4bdc0-0194-43e1-a85b-8823858343c7.jpg.supplemental-metadata(1).json",
    },
  },
  {
    id: "neo FullSizeRender(1)(1).HEIC + .MP4, counter left in the stem",
    source: `${NEO} test/unit/issue_123_numbered_json_matching_test.dart (from Neo issue 123)`,
    media: ["FullSizeRender(1)(1).HEIC", "FullSizeRender(1)(1).MP4"],
    json: [["FullSizeRender(1)(1).HEIC.supplemental-metadata.json", "FullSizeRender(1).HEIC"]],
    expect: {
      "FullSizeRender(1)(1).HEIC": "FullSizeRender(1)(1).HEIC.supplemental-metadata.json",
      "FullSizeRender(1)(1).MP4": "FullSizeRender(1)(1).HEIC.supplemental-metadata.json",
    },
    note: "title inferred",
  },
  {
    id: "neo FullSizeRender(1)(1).MP4 alone with the HEIC's counter-in-stem sidecar",
    source: `${NEO} test/unit/issue_123_numbered_json_matching_test.dart`,
    media: ["FullSizeRender(1)(1).MP4"],
    json: [["FullSizeRender(1)(1).HEIC.supplemental-metadata.json", "FullSizeRender(1).HEIC"]],
    expect: { "FullSizeRender(1)(1).MP4": "FullSizeRender(1)(1).HEIC.supplemental-metadata.json" },
    note: "Neo expects it with tryhard (cross-extension); title inferred",
  },
  {
    // Neo pairs it only with --tryhard and flags cross-extension hits as "not own sidecar" (#139).
    // A JPG is no live-photo video: beside a HEIC it is a separate photo, so it stays without.
    id: "neo IMG_1976(1).JPG stays without the IMG_1976.HEIC…(1).json of another photo",
    source: `${NEO} test/unit/issue_123_numbered_json_matching_test.dart`,
    media: ["IMG_1976(1).JPG"],
    json: [["IMG_1976.HEIC.supplemental-metadata(1).json", "IMG_1976.HEIC"]],
    expect: { "IMG_1976(1).JPG": null },
  },
  {
    id: "neo IMG_1976.MP4 keeps its own sidecar over a (1).HEIC one",
    source: `${NEO} test/unit/issue_123_numbered_json_matching_test.dart`,
    media: ["IMG_1976.MP4"],
    json: [
      ["IMG_1976.MP4.supplemental-metadata.json", "IMG_1976.MP4"],
      ["IMG_1976(1).HEIC.supplemental-metadata.json", "IMG_1976(1).HEIC"],
    ],
    expect: { "IMG_1976.MP4": "IMG_1976.MP4.supplemental-metadata.json" },
  },
  {
    id: "neo decoys: photo/photograph, image/imagine/imagery, short/long UUID, all (1)",
    source: `${NEO} test/unit/issue_123_numbered_json_matching_test.dart (false-positive group)`,
    media: ["photo(1).jpg", "image(1).jpg", "0bf4bdc0-0194(1).jpg"],
    json: [
      ["photo.jpg.supplemental-metadata(1).json", "photo.jpg"],
      ["photograph.jpg.supplemental-metadata(1).json", "photograph.jpg"],
      ["image.jpg.supplemental-metadata(1).json", "image.jpg"],
      ["imagine.jpg.supplemental-metadata(1).json", "imagine.jpg"],
      ["imagery.jpg.supplemental-metadata(1).json", "imagery.jpg"],
      ["0bf4bdc0-0194.jpg.supplemental-metadata(1).json", "0bf4bdc0-0194.jpg"],
      ["0bf4bdc0-0194-43e1.jpg.supplemental-metadata(1).json", "0bf4bdc0-0194-43e1.jpg"],
    ],
    expect: {
      "photo(1).jpg": "photo.jpg.supplemental-metadata(1).json",
      "image(1).jpg": "image.jpg.supplemental-metadata(1).json",
      "0bf4bdc0-0194(1).jpg": "0bf4bdc0-0194.jpg.supplemental-metadata(1).json",
    },
  },
  {
    id: "neo image(1).jpg ↔ image(1).supplemental-metadata.json ('number in middle')",
    source: `${NEO} test/unit/issue_123_numbered_json_matching_test.dart`,
    media: ["image(1).jpg"],
    json: [["image(1).supplemental-metadata.json", "image(1)"]],
    expect: { "image(1).jpg": "image(1).supplemental-metadata.json" },
    note: "synthetic; title inferred",
  },
  {
    // Neo pairs it only with --tryhard (isOwnSidecar=false). A partial suffix counts only where
    // Google's 47-unit cut made it, and "photo-ed.jpg" is far shorter: a photo of its own.
    id: "neo photo-ed.jpg (short name, partial '-ed') stays without photo.jpg's sidecar",
    source: `${NEO} test/unit/metadata_matcher_confidence_test.dart`,
    media: ["photo.jpg", "photo-ed.jpg"],
    json: [["photo.jpg.supplemental-metadata.json", "photo.jpg"]],
    expect: {
      "photo.jpg": "photo.jpg.supplemental-metadata.json",
      "photo-ed.jpg": null,
    },
  },
  {
    id: "neo cross-extension video → HEIC/JPG sidecar without the still",
    source:
      `${NEO} test/unit/metadata_matcher_tryhard_test.dart + metadata_matcher_confidence_test.dart`,
    media: ["x1/video.mp4", "x2/clip.mov", "x3/IMG_4288.MP4", "x4/IMG_2367.MP4"],
    json: [
      ["x1/video.HEIC.json", "video.HEIC"],
      ["x2/clip.HEIC.supplemental-metadata.json", "clip.HEIC"],
      ["x3/IMG_4288.JPG.supplemental-metadata.json", "IMG_4288.JPG"],
      ["x4/IMG_2367.HEIC.supplemental-metadata.json", "IMG_2367.HEIC"],
    ],
    expect: {
      "x1/video.mp4": "x1/video.HEIC.json",
      "x2/clip.mov": "x2/clip.HEIC.supplemental-metadata.json",
      "x3/IMG_4288.MP4": "x3/IMG_4288.JPG.supplemental-metadata.json",
      "x4/IMG_2367.MP4": "x4/IMG_2367.HEIC.supplemental-metadata.json",
    },
  },
  {
    id: "neo .MP alone takes the .MP.jpg sidecar",
    source:
      `${NEO} test/unit/metadata_matcher_tryhard_test.dart + metadata_matcher_confidence_test.dart`,
    media: ["video.MP", "motion.MP"],
    json: [
      ["video.MP.jpg.json", "video.MP.jpg"],
      ["motion.MP.jpg.supplemental-metadata.json", "motion.MP.jpg"],
    ],
    expect: {
      "video.MP": "video.MP.jpg.json",
      "motion.MP": "motion.MP.jpg.supplemental-metadata.json",
    },
  },
  {
    id: "neo .cover, .mp~2 and .MP files with their own sidecars (issue 138)",
    source: `${NEO} test/e2e/e2e_issue_138_cover_and_mp_tilde_test.dart`,
    media: [
      "Photos from 2023/IMG_0001.cover",
      "Photos from 2023/IMG_0002.mp~2",
      "Photos from 2023/IMG_0003.MP",
    ],
    json: [
      ["Photos from 2023/IMG_0001.cover.json", "IMG_0001.cover"],
      ["Photos from 2023/IMG_0002.mp~2.json", "IMG_0002.mp~2"],
      ["Photos from 2023/IMG_0003.MP.json", "IMG_0003.MP"],
    ],
    expect: {
      "Photos from 2023/IMG_0001.cover": "Photos from 2023/IMG_0001.cover.json",
      "Photos from 2023/IMG_0002.mp~2": "Photos from 2023/IMG_0002.mp~2.json",
      "Photos from 2023/IMG_0003.MP": "Photos from 2023/IMG_0003.MP.json",
    },
    note: "synthetic e2e fixture",
  },
  {
    id: "neo literal '(10)' in the title plus a counter: Käfersteige (10)(1).jpg",
    source:
      `${NEO} lib/common/services/json_metadata_services/json_metadata_matcher_service.dart (comment)`,
    media: ["Käfersteige (10).jpg", "Käfersteige (10)(1).jpg"],
    json: [
      ["Käfersteige (10).jpg.supplemental-metadata.json", "Käfersteige (10).jpg"],
      ["Käfersteige (10).jpg.supplemental-metadata(1).json", "Käfersteige (10).jpg"],
    ],
    expect: {
      "Käfersteige (10).jpg": "Käfersteige (10).jpg.supplemental-metadata.json",
      "Käfersteige (10)(1).jpg": "Käfersteige (10).jpg.supplemental-metadata(1).json",
    },
    note: "sidecar names inferred from the media name in the code comment",
  },

  // ───────────────────────── ente ─────────────────────────
  {
    id: "ente fileNameToJSONMappingCases",
    source: "ente-io/ente web/apps/photos/tests/upload.test.ts",
    media: [
      "IMG20210211125718-edited.jpg",
      "IMG20210211174722.jpg",
      "21345678901234567890123456789012345678901234567.png",
      "IMG20210211174722(1).jpg",
      "IMG2021021(4455)74722(1).jpg",
      "IMG2021021.json74722(1).jpg",
      "IMG2021021(1)74722(1).jpg",
      "IMG_1159.HEIC",
      "PXL_20241231_151646544.MP.jpg",
      "PXL_20240827_094331806.PORTRAIT(1).jpg",
      "PXL_20240506_142610305.LONG_EXPOSURE-01.COVER.jpg",
      "PXL_20211120_223243932.MOTION-02.ORIGINAL.jpg",
      "20220322_205147-edited(1).jpg",
    ],
    json: [
      ["IMG20210211125718.jpg.json", "IMG20210211125718.jpg"],
      ["IMG20210211174722.jpg.json", "IMG20210211174722.jpg"],
      [
        "2134567890123456789012345678901234567890123456.json",
        "21345678901234567890123456789012345678901234567.png",
      ],
      ["IMG20210211174722.jpg(1).json", "IMG20210211174722.jpg"],
      ["IMG2021021(4455)74722.jpg(1).json", "IMG2021021(4455)74722.jpg"],
      ["IMG2021021.json74722.jpg(1).json", "IMG2021021.json74722.jpg"],
      ["IMG2021021(1)74722.jpg(1).json", "IMG2021021(1)74722.jpg"],
      ["IMG_1159.HEIC.supplemental-metadata.json", "IMG_1159.HEIC"],
      ["PXL_20241231_151646544.MP.jpg.supplemental-met.json", "PXL_20241231_151646544.MP.jpg"],
      [
        "PXL_20240827_094331806.PORTRAIT.jpg.supplement(1).json",
        "PXL_20240827_094331806.PORTRAIT.jpg",
      ],
      [
        "PXL_20240506_142610305.LONG_EXPOSURE-01.COVER..json",
        "PXL_20240506_142610305.LONG_EXPOSURE-01.COVER.jpg",
      ],
      [
        "PXL_20211120_223243932.MOTION-02.ORIGINAL.jpg..json",
        "PXL_20211120_223243932.MOTION-02.ORIGINAL.jpg",
      ],
      ["20220322_205147.jpg.supplemental-metadata(1).json", "20220322_205147.jpg"],
    ],
    expect: {
      "IMG20210211125718-edited.jpg": "IMG20210211125718.jpg.json",
      "IMG20210211174722.jpg": "IMG20210211174722.jpg.json",
      "21345678901234567890123456789012345678901234567.png":
        "2134567890123456789012345678901234567890123456.json",
      "IMG20210211174722(1).jpg": "IMG20210211174722.jpg(1).json",
      "IMG2021021(4455)74722(1).jpg": "IMG2021021(4455)74722.jpg(1).json",
      "IMG2021021.json74722(1).jpg": "IMG2021021.json74722.jpg(1).json",
      "IMG2021021(1)74722(1).jpg": "IMG2021021(1)74722.jpg(1).json",
      "IMG_1159.HEIC": "IMG_1159.HEIC.supplemental-metadata.json",
      "PXL_20241231_151646544.MP.jpg": "PXL_20241231_151646544.MP.jpg.supplemental-met.json",
      "PXL_20240827_094331806.PORTRAIT(1).jpg":
        "PXL_20240827_094331806.PORTRAIT.jpg.supplement(1).json",
      "PXL_20240506_142610305.LONG_EXPOSURE-01.COVER.jpg":
        "PXL_20240506_142610305.LONG_EXPOSURE-01.COVER..json",
      "PXL_20211120_223243932.MOTION-02.ORIGINAL.jpg":
        "PXL_20211120_223243932.MOTION-02.ORIGINAL.jpg..json",
      "20220322_205147-edited(1).jpg": "20220322_205147.jpg.supplemental-metadata(1).json",
    },
    note: "titles inferred; ente tests each pair on its own, here they share one folder",
  },
  {
    id: "ente 'skytree (2).jpg' with the counter left in the sidecar stem",
    source:
      "ente-io/ente web/packages/gallery/services/upload/metadata-json.ts (comment); ente PR #12691",
    media: ["skytree (2).jpg"],
    json: [["skytree (2).jpg.supplemental-metadata.json", "skytree.jpg"]],
    expect: { "skytree (2).jpg": "skytree (2).jpg.supplemental-metadata.json" },
  },
  {
    id: "ente newer exports do not clip long sidecar names (ente#11594)",
    source: "https://github.com/ente/ente/issues/11594 ; names from immich-go#652",
    media: [
      "Screenshot_20231027_123303_Facebook.jpg",
      "Screenshot_20231027_123303_Facebook(1).jpg",
    ],
    json: [
      [
        "Screenshot_20231027_123303_Facebook.jpg.supplemental-metadata.json",
        "Screenshot_20231027_123303_Facebook.jpg",
      ],
      [
        "Screenshot_20231027_123303_Facebook.jpg.supplemental-metadata(1).json",
        "Screenshot_20231027_123303_Facebook.jpg",
      ],
    ],
    expect: {
      "Screenshot_20231027_123303_Facebook.jpg":
        "Screenshot_20231027_123303_Facebook.jpg.supplemental-metadata.json",
      "Screenshot_20231027_123303_Facebook(1).jpg":
        "Screenshot_20231027_123303_Facebook.jpg.supplemental-metadata(1).json",
    },
  },
  {
    id: "immich 4-digit counter 2025-04-28(3516).jpg",
    source: "https://github.com/immich-app/immich/issues/30319",
    media: ["2025-04-28(3516).jpg"],
    json: [["2025-04-28.jpg.supplemental-metadata(3516).json", "2025-04-28.jpg"]],
    expect: { "2025-04-28(3516).jpg": "2025-04-28.jpg.supplemental-metadata(3516).json" },
    note: "sidecar name cut off in the issue text after '2025-04-28.jpg.su'; full form assumed",
  },
];

Deno.test("matchTree() pairs sidecars as GPTH Neo's and ente's suites expect", async (t) => {
  await fieldCaseSteps(t, CASES);
});
