/**
 * Sidecar pairings from a Rust Takeout uploader's tests, and edited copies under the localised
 * suffixes that reports and the other tools' code show Google writes, as field cases
 * (tests/fixtures/takeout/field_cases.ts).
 */
import { editedCase, fieldCaseSteps, GPTH, NEO, RUST } from "./fixtures/takeout/field_cases.ts";
import type { FieldCase } from "./fixtures/takeout/field_cases.ts";

const CASES: FieldCase[] = [
  {
    id: "rs every clip point of the tag; U+202F; title without extension; .MOV title on a .jpg",
    source: RUST,
    media: [
      "IMG_20140913_100655_nopm_.jpg",
      "9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
      "IMAGE_184EC254-639C-450E-9B14-7EE4377AE094.MOV",
      "2019 school photo wgc soraya.JPG",
      "Screenshot 2025-03-03 at 6.01.26\u202fPM.png",
      "FullSizeRender(42).jpg",
      "IMAGE_D0209A83-AEF5-4D12-A17A-6981B7EDD66C.MOV(1).jpg",
      "PicasaSync(6).jpg",
      "11 8_30_46 AM.jpg",
    ],
    json: [
      ["IMG_20140913_100655_nopm_.jpg.supplemental-met.json", "IMG_20140913_100655_nopm_.jpg"],
      [
        "9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.suppl.json",
        "9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
      ],
      [
        "IMAGE_184EC254-639C-450E-9B14-7EE4377AE094.MOV.json",
        "IMAGE_184EC254-639C-450E-9B14-7EE4377AE094.MOV",
      ],
      ["2019 school photo wgc soraya.JPG.supplemental-.json", "2019 school photo wgc soraya.JPG"],
      [
        "Screenshot 2025-03-03 at 6.01.26\u202fPM.png.supple.json",
        "Screenshot 2025-03-03 at 6.01.26\u202fPM.png",
      ],
      ["FullSizeRender.jpg.supplemental-metadata(42).json", "FullSizeRender.jpg"],
      [
        "IMAGE_D0209A83-AEF5-4D12-A17A-6981B7EDD66C.MOV(1).json",
        "IMAGE_D0209A83-AEF5-4D12-A17A-6981B7EDD66C.MOV",
      ],
      ["PicasaSync.supplemental-metadata(6).json", "PicasaSync"],
      ["11 8_30_46 AM.supplemental-metadata.json", "11 8:30:46 AM"],
    ],
    expect: {
      "IMG_20140913_100655_nopm_.jpg": "IMG_20140913_100655_nopm_.jpg.supplemental-met.json",
      "9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG":
        "9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.suppl.json",
      "IMAGE_184EC254-639C-450E-9B14-7EE4377AE094.MOV":
        "IMAGE_184EC254-639C-450E-9B14-7EE4377AE094.MOV.json",
      "2019 school photo wgc soraya.JPG": "2019 school photo wgc soraya.JPG.supplemental-.json",
      "Screenshot 2025-03-03 at 6.01.26\u202fPM.png":
        "Screenshot 2025-03-03 at 6.01.26\u202fPM.png.supple.json",
      "FullSizeRender(42).jpg": "FullSizeRender.jpg.supplemental-metadata(42).json",
      "IMAGE_D0209A83-AEF5-4D12-A17A-6981B7EDD66C.MOV(1).jpg":
        "IMAGE_D0209A83-AEF5-4D12-A17A-6981B7EDD66C.MOV(1).json",
      "PicasaSync(6).jpg": "PicasaSync.supplemental-metadata(6).json",
      "11 8_30_46 AM.jpg": "11 8_30_46 AM.supplemental-metadata.json",
    },
    note: "titles inferred",
  },
  {
    id: "rs IMG_1189-edited.JPG alone",
    source: RUST,
    media: ["IMG_1189-edited.JPG"],
    json: [["IMG_1189.JPG.supplemental-metadata.json", "IMG_1189.JPG"]],
    expect: { "IMG_1189-edited.JPG": "IMG_1189.JPG.supplemental-metadata.json" },
  },
  {
    id: "rs IMG_1189-edited.JPG with its own sidecar and the original's",
    source: RUST,
    media: ["IMG_1189-edited.JPG"],
    json: [
      ["IMG_1189-edited.JPG.supplemental-metadata.json", "IMG_1189-edited.JPG"],
      ["IMG_1189.JPG.supplemental-metadata.json", "IMG_1189.JPG"],
    ],
    expect: { "IMG_1189-edited.JPG": "IMG_1189-edited.JPG.supplemental-metadata.json" },
  },
  {
    id: "rs -edited(1) alone takes the original's (1) sidecar",
    source: RUST,
    media: ["IMG_20141017_180800-edited(1).jpg"],
    json: [["IMG_20141017_180800.jpg.supplemental-metadata(1).json", "IMG_20141017_180800.jpg"]],
    expect: {
      "IMG_20141017_180800-edited(1).jpg": "IMG_20141017_180800.jpg.supplemental-metadata(1).json",
    },
  },
  {
    id: "rs -SMILE alone",
    source: RUST,
    media: ["IMG_20140905_093118-SMILE.jpg"],
    json: [["IMG_20140905_093118.jpg.supplemental-metadata.json", "IMG_20140905_093118.jpg"]],
    expect: {
      "IMG_20140905_093118-SMILE.jpg": "IMG_20140905_093118.jpg.supplemental-metadata.json",
    },
  },
  {
    id: "rs -ANIMATION.gif alone takes the .jpg original's sidecar",
    source: RUST,
    media: ["FullSizeRender-ANIMATION.gif"],
    json: [["FullSizeRender.jpg.supplemental-metadata.json", "FullSizeRender.jpg"]],
    expect: { "FullSizeRender-ANIMATION.gif": "FullSizeRender.jpg.supplemental-metadata.json" },
  },
  {
    id: "rs IMG_3716.MP4 alone takes the HEIC's sidecar",
    source: RUST,
    media: ["IMG_3716.MP4"],
    json: [["IMG_3716.HEIC.supplemental-metadata.json", "IMG_3716.HEIC"]],
    expect: { "IMG_3716.MP4": "IMG_3716.HEIC.supplemental-metadata.json" },
  },
  {
    id: "rs a moved length cap: .sup (44), .supplemental-me (56), none, legacy",
    source: `${RUST.split(",")[0]}, test_detect_survives_a_changed_length_cap`,
    media: [
      "c1/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
      "c2/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
      "c3/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
      "c4/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
    ],
    json: [
      [
        "c1/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.sup.json",
        "9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
      ],
      [
        "c2/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.supplemental-me.json",
        "9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
      ],
      [
        "c3/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.supplemental-metadata.json",
        "9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
      ],
      [
        "c4/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.json",
        "9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG",
      ],
    ],
    expect: {
      "c1/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG":
        "c1/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.sup.json",
      "c2/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG":
        "c2/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.supplemental-me.json",
      "c3/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG":
        "c3/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.supplemental-metadata.json",
      "c4/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG":
        "c4/9C19C4BF-E0C8-4D74-8DC4-4BB2338FB029.JPG.json",
    },
    note: "hypothetical caps (robustness test), not observed exports",
  },

  // ───────────────────── localised edited suffixes ─────────────────────
  // Only suffixes a report shows Google writes: a pull request or issue, or an entry the other
  // tools credit to the user who reported it (GPTH lib/extras.dart, Neo extra_formats.dart).
  editedCase("-bearbeitet", "https://github.com/mattwilson1024/google-photos-exif/pull/49", {
    base: "IMG20231202",
  }),
  editedCase("-modifié", "https://github.com/garzj/google-photos-migrate/pull/5", {
    base: "DSC06824",
    ext: ".JPG",
  }),
  {
    ...editedCase("-modifié", `https://github.com/${GPTH}/pull/247 (macOS NFD)`),
    id: 'edited suffix "-modifié" written in NFD (macOS), NFC-normalised as part.ts does',
    media: ["IMG_20190704_183501.jpg", "IMG_20190704_183501-modifié.jpg".normalize("NFD")],
  },
  editedCase("-modificato", `${GPTH} lib/extras.dart (IT, @rgstori); ${NEO} extra_formats.dart`),
  editedCase("-bewerkt", `${GPTH} lib/extras.dart (NL, @jaapp); ${NEO} extra_formats.dart`),
  editedCase("-編集済み", `${GPTH} lib/extras.dart (JA, @fossamagna); ${NEO} extra_formats.dart`),
  editedCase(
    "-editado",
    `${GPTH} lib/extras.dart (ES, @Sappstal report); ${NEO} extra_formats.dart`,
  ),
  editedCase(
    "-editada",
    `${NEO} lib/common/constants/extra_formats.dart (ES, "as seen in issue 105")`,
  ),
  editedCase("-editat", `${GPTH} lib/extras.dart (CA, @Sappstal report, #217 follow-up)`),
];

Deno.test("matchTree() pairs sidecars as a Rust uploader's suite and the edited-suffix reports expect", async (t) => {
  await fieldCaseSteps(t, CASES);
});
