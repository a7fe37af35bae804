/** The naming and path rules of TARGET, as a table: each row is a line of the specification. */
import assert from "node:assert/strict";
import {
  albumFolder,
  clashKey,
  dateFolder,
  dateFromFileName,
  dupBaseName,
  foldName,
  isDeviceName,
  isInside,
  isPlainRelative,
  itemFileName,
  safeName,
  splitExtension,
  stripDupSuffix,
  truncateUtf8,
  utf8Length,
  withDupNumber,
  withFolderDupNumber,
} from "../src/layout/mod.ts";

const bytes = (s: string): number => new TextEncoder().encode(s).length;
const utc = (iso: string): Date => new Date(iso);

const A300 = "a".repeat(300);
const EMOJI = "\u{1F600}"; // 4 bytes
const CJK = "\u65E5"; // 3 bytes
const FAMILY = "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}"; // one grapheme, 18 bytes
const CAFE_NFC = "caf\u00e9.jpg";
const CAFE_NFD = "cafe\u0301.jpg";

Deno.test("safeName() makes any name safe on Linux, macOS, NTFS and exFAT", async (t) => {
  const cases: [string, string, string][] = [
    // Forbidden characters become "_".
    ["slash", "a/b.jpg", "a_b.jpg"],
    ["backslash", "a\\b.jpg", "a_b.jpg"],
    ["colon", "12:30.jpg", "12_30.jpg"],
    ["asterisk", "a*b.jpg", "a_b.jpg"],
    ["question mark", "why?.jpg", "why_.jpg"],
    ["double quote", 'say "hi".jpg', "say _hi_.jpg"],
    ["less than", "a<b.jpg", "a_b.jpg"],
    ["greater than", "a>b.jpg", "a_b.jpg"],
    ["pipe", "a|b.jpg", "a_b.jpg"],
    ["all of them", '/\\:*?"<>|.jpg', "_________.jpg"],
    ["path traversal stays one name", "../etc/passwd", ".._etc_passwd"],
    // Control characters become "_".
    ["NUL", "a\u0000b.jpg", "a_b.jpg"],
    ["tab and newline", "a\tb\nc.jpg", "a_b_c.jpg"],
    ["U+001F", "a\u001fb.jpg", "a_b.jpg"],
    ["DEL U+007F", "a\u007fb.jpg", "a_b.jpg"],
    ["C1 controls are legal everywhere, kept", "a\u0085b.jpg", "a\u0085b.jpg"],
    ["lone surrogate cannot be UTF-8", "a\ud800b.jpg", "a_b.jpg"],
    // Trailing dots and spaces are trimmed, leading ones kept.
    ["trailing dots", "photo.jpg...", "photo.jpg"],
    ["trailing spaces", "photo.jpg   ", "photo.jpg"],
    ["trailing dots and spaces mixed", "photo. . .", "photo"],
    ["leading space kept", " photo.jpg", " photo.jpg"],
    // Windows device names get "_" after the device part.
    ["CON", "CON", "CON_"],
    ["lower-case nul", "nul", "nul_"],
    ["CON with extension", "CON.jpg", "CON_.jpg"],
    ["device before first dot", "CON.tar.gz", "CON_.tar.gz"],
    ["PRN", "prn.png", "prn_.png"],
    ["AUX", "Aux", "Aux_"],
    ["COM1", "COM1.txt", "COM1_.txt"],
    ["COM9", "com9", "com9_"],
    ["LPT1", "LPT1.jpg", "LPT1_.jpg"],
    ["LPT9", "lpt9", "lpt9_"],
    ["device then space then extension", "AUX .jpg", "AUX_ .jpg"],
    ["device with trailing dot", "CON.", "CON_"],
    ["COM10 is not a device", "COM10.jpg", "COM10.jpg"],
    ["CONSOLE is not a device", "CONSOLE.jpg", "CONSOLE.jpg"],
    ["device inside a name is fine", "xCON.jpg", "xCON.jpg"],
    // Never empty, "." or "..".
    ["empty", "", "_"],
    ["dot", ".", "_"],
    ["dot dot", "..", "_"],
    ["three dots", "...", "_"],
    ["only spaces", "   ", "_"],
    ["dot and spaces", ". .", "_"],
    ["leading dot kept with a rest", ".hidden.jpg", ".hidden.jpg"],
    ["extension only", ".jpg", ".jpg"],
    ["two leading dots with a rest", "..foo", "..foo"],
    // Length: at most 255 UTF-8 bytes, extension kept.
    ["300-byte ASCII with extension", "a".repeat(296) + ".jpg", "a".repeat(251) + ".jpg"],
    ["300-byte ASCII without extension", A300, "a".repeat(255)],
    ["300-byte emoji with extension", EMOJI.repeat(74) + ".jpg", EMOJI.repeat(62) + ".jpg"],
    ["300-byte emoji without extension", EMOJI.repeat(75), EMOJI.repeat(63)],
    ["300-byte CJK with extension", CJK.repeat(99) + ".jpg", CJK.repeat(83) + ".jpg"],
    ["300-byte CJK without extension", CJK.repeat(100), CJK.repeat(85)],
    ["an emoji sequence is not split", FAMILY.repeat(17), FAMILY.repeat(14)],
    ["long extension is not an extension", A300 + ".abcdefghijklmnopqrstuvwxyz", "a".repeat(255)],
    ["extension with a space is not kept", A300 + ".a b", "a".repeat(255)],
    ["exactly 255 bytes untouched", "b".repeat(251) + ".jpg", "b".repeat(251) + ".jpg"],
    ["cut exposing a trailing space trims it", "x".repeat(254) + "  y", "x".repeat(254)],
    ["cut exposing a device name escapes it", "CON" + " ".repeat(300) + "x", "CON_"],
    // Unicode is kept as is.
    ["NFD stays NFD", CAFE_NFD, CAFE_NFD],
    ["NFC stays NFC", CAFE_NFC, CAFE_NFC],
    ["emoji kept", "\u{1F389} party.jpg", "\u{1F389} party.jpg"],
    ["Google's (n) is not removed here", "IMG (2).jpg", "IMG (2).jpg"],
  ];
  for (const [what, input, expected] of cases) {
    await t.step(`${what}: ${JSON.stringify(input.slice(0, 40))}`, () => {
      assert.equal(safeName(input), expected);
    });
  }

  await t.step("every result obeys every rule", () => {
    const nasty = [
      ...cases.map(([, input]) => input),
      "\u0000".repeat(300),
      ". . . . ." + "\u{1F600}".repeat(100),
      "CON" + ".".repeat(300),
      "a".repeat(1000) + ".JPEG",
      "e" + "\u0301".repeat(300),
      CJK.repeat(50) + "." + CJK.repeat(5),
    ];
    for (const input of nasty) {
      const out = safeName(input);
      assert.ok(bytes(out) <= 255, `too long: ${input.slice(0, 20)}`);
      assert.ok(bytes(out) > 0);
      // deno-lint-ignore no-control-regex -- asserting control characters are gone
      assert.doesNotMatch(out, /[/\\:*?"<>|\u0000-\u001f\u007f]/);
      assert.doesNotMatch(out, /[. ]$/);
      assert.ok(out !== "." && out !== "..");
      assert.ok(!isDeviceName(out), `device: ${out}`);
      assert.equal(out, out.toWellFormed());
      assert.equal(safeName(out), out, "safeName is idempotent");
    }
  });
});

Deno.test("splitExtension() finds the extension a shortened name keeps", async (t) => {
  const cases: [string, string, string][] = [
    ["IMG.jpg", "IMG", ".jpg"],
    ["a.tar.gz", "a.tar", ".gz"],
    [".hidden", ".hidden", ""],
    ["noext", "noext", ""],
    ["St. Petersburg", "St. Petersburg", ""],
    ["trailing.", "trailing.", ""],
    ["16 bytes is an extension: x.abcdefghijklmno", "x", ".abcdefghijklmno"],
    ["17 bytes is not: x.abcdefghijklmnop", "x.abcdefghijklmnop", ""],
  ];
  for (const [label, stem, extension] of cases) {
    const name = label.split(": ").at(-1)!;
    await t.step(JSON.stringify(label), () => {
      assert.deepEqual(splitExtension(name), { stem, extension });
    });
  }
});

Deno.test("stripDupSuffix() removes Google's (n) before the extension", async (t) => {
  const cases: [string, string][] = [
    ["IMG (2).jpg", "IMG.jpg"],
    ["IMG (12).JPG", "IMG.JPG"],
    ["IMG (2)", "IMG"],
    ["IMG (2) (3).jpg", "IMG.jpg"],
    ["IMG(2).jpg", "IMG(2).jpg"],
    ["IMG (0).jpg", "IMG (0).jpg"],
    ["IMG (02).jpg", "IMG (02).jpg"],
    ["Trip (2019).jpg", "Trip (2019).jpg"],
    ["IMG (2)x.jpg", "IMG (2)x.jpg"],
    [" (2).jpg", " (2).jpg"],
    ["IMG.jpg", "IMG.jpg"],
  ];
  for (const [input, expected] of cases) {
    await t.step(`${input} -> ${expected}`, () => assert.equal(stripDupSuffix(input), expected));
  }
});

Deno.test("clashKey() matches names one folder cannot hold twice", async (t) => {
  const cases: [string, string, string, boolean][] = [
    ["identical names", "IMG_0001.JPG", "IMG_0001.JPG", true],
    ["case only", "img_0002.jpg", "IMG_0002.JPG", true],
    ["NFC vs NFD", CAFE_NFC, CAFE_NFD, true],
    ["NFD upper vs NFC lower", "CAFE\u0301.JPG", CAFE_NFC, true],
    ["Google's (n) vs plain", "IMG (2).jpg", "img.jpg", true],
    ["Google's (n) vs (n)", "IMG (2).jpg", "IMG (3).jpg", true],
    ["Greek final sigma vs capital sigma (full case folding)", "\u03c2.jpg", "\u03a3.jpg", true],
    ["Greek final sigma vs small sigma", "\u03c2.jpg", "\u03c3.jpg", true],
    ["sharp s vs SS (full case folding)", "Stra\u00dfe.jpg", "STRASSE.jpg", true],
    ["ligature fi vs fi", "\ufb01sh.jpg", "FISH.jpg", true],
    ["different names", "a.jpg", "b.jpg", false],
    ["different extensions", "a.jpg", "a.jpeg", false],
    ["a year is a name, not a marker", "Trip (2019).jpg", "Trip.jpg", false],
  ];
  for (const [what, a, b, clash] of cases) {
    await t.step(`${what}: ${clash ? "clash" : "no clash"}`, () => {
      assert.equal(clashKey(a) === clashKey(b), clash);
    });
  }
  await t.step("foldName() keeps the (n), so a numbered name never folds onto its base", () => {
    assert.notEqual(foldName("IMG (2).jpg"), foldName("IMG.jpg"));
    assert.equal(foldName(CAFE_NFD), foldName("CAF\u00c9.JPG"));
  });
});

Deno.test("withDupNumber() inserts (n) before the extension within 255 bytes", async (t) => {
  const cases: [string, string, number, string][] = [
    ["n = 1 is the name itself", "IMG.jpg", 1, "IMG.jpg"],
    ["n = 2", "IMG.jpg", 2, "IMG (2).jpg"],
    ["no extension", "IMG", 3, "IMG (3)"],
    ["leading dot has no extension", ".hidden", 2, ".hidden (2)"],
    ["two-digit n", "a.tar.gz", 10, "a.tar (10).gz"],
    ["at the limit, stem is cut", "a".repeat(251) + ".jpg", 2, "a".repeat(247) + " (2).jpg"],
    ["at the limit, no extension", "a".repeat(255), 2, "a".repeat(251) + " (2)"],
    ["emoji at the limit", EMOJI.repeat(62) + ".jpg", 10, EMOJI.repeat(61) + " (10).jpg"],
    ["CJK at the limit", CJK.repeat(85), 2, CJK.repeat(83) + " (2)"],
  ];
  for (const [what, name, n, expected] of cases) {
    await t.step(what, () => {
      const out = withDupNumber(name, n);
      assert.equal(out, expected);
      assert.ok(bytes(out) <= 255);
    });
  }
  await t.step("n must be a positive integer", () => {
    assert.throws(() => withDupNumber("a.jpg", 0), RangeError);
    assert.throws(() => withDupNumber("a.jpg", 1.5), RangeError);
  });
});

Deno.test("dupBaseName() and itemFileName() give each item of a clash group its own name", async (t) => {
  const cases: [string, number, string][] = [
    ["IMG_0001.JPG", 1, "IMG_0001.JPG"],
    ["IMG_0001.JPG", 3, "IMG_0001 (3).JPG"],
    ["IMG (2).jpg", 1, "IMG.jpg"],
    ["IMG (2).jpg", 2, "IMG (2).jpg"],
    ["CON (2).jpg", 1, "CON_.jpg"],
    ["IMG (2). (3)", 1, "IMG"],
    ["a/b (2).jpg", 1, "a_b.jpg"],
    ["", 2, "_ (2)"],
  ];
  for (const [original, n, expected] of cases) {
    await t.step(`${JSON.stringify(original)} #${n} -> ${expected}`, () => {
      assert.equal(itemFileName(original, n), expected);
    });
  }
  await t.step("names of one group and of other groups never fold together", () => {
    const originals = ["IMG.jpg", "IMG (2).jpg", "img (3).JPG", "IMG (2) (2).jpg", "IMG (2). (3)"];
    const groups = new Map<string, number>();
    const seen = new Set<string>();
    for (const original of originals) {
      const base = dupBaseName(original);
      assert.equal(dupBaseName(base), base, "the base is stable");
      const key = clashKey(base);
      const n = (groups.get(key) ?? 0) + 1;
      groups.set(key, n);
      const folded = foldName(withDupNumber(base, n));
      assert.ok(!seen.has(folded), `clash on ${folded}`);
      seen.add(folded);
    }
  });
});

Deno.test("dateFolder() files items by UTC year and month", async (t) => {
  const cases: [string, Date | undefined, boolean, string][] = [
    ["ordinary", utc("2020-02-29T08:40:52Z"), false, "photos/2020/02"],
    ["flat", utc("2020-02-29T08:40:52Z"), true, "photos/2020-02"],
    ["UTC, not local time", utc("2020-01-31T23:30:00-02:00"), false, "photos/2020/02"],
    ["before 1970", utc("1969-07-20T20:17:40Z"), false, "photos/1969/07"],
    ["1901", utc("1901-12-13T20:45:52Z"), false, "photos/1901/12"],
    ["year 999 padded", new Date(Date.UTC(999, 4, 1)), false, "photos/0999/05"],
    ["year 999 flat", new Date(Date.UTC(999, 4, 1)), true, "photos/0999-05"],
    ["far future", utc("2099-01-01T00:00:00Z"), false, "photos/2099/01"],
    ["five-digit year", utc("+010000-03-01T00:00:00Z"), false, "photos/10000/03"],
    ["no date at all", undefined, false, "photos/1900/01"],
    ["no date, flat", undefined, true, "photos/1900-01"],
    ["invalid date", new Date("nonsense"), false, "photos/1900/01"],
  ];
  for (const [what, time, flat, expected] of cases) {
    await t.step(
      `${what} -> ${expected}`,
      () => assert.equal(dateFolder(time, { flat }), expected),
    );
  }
});

Deno.test("dateFromFileName() reads dates cameras and apps write into names", async (t) => {
  const cases: [string, string | undefined][] = [
    ["IMG_20200229_084052.jpg", "2020-02-29T08:40:52.000Z"],
    ["PXL_20230101_123456789.jpg", "2023-01-01T12:34:56.789Z"],
    ["2020-02-29 08.40.52.jpg", "2020-02-29T08:40:52.000Z"],
    ["Screenshot_2020-02-29-08-40-52.png", "2020-02-29T08:40:52.000Z"],
    ["Screenshot 2020-02-29 at 08.40.52.png", "2020-02-29T08:40:52.000Z"],
    ["VID-20200229-WA0001.mp4", "2020-02-29T00:00:00.000Z"],
    ["IMG-20200229-WA0001.jpg", "2020-02-29T00:00:00.000Z"],
    ["20200229_084052.mp4", "2020-02-29T08:40:52.000Z"],
    ["20200229084052.jpg", "2020-02-29T08:40:52.000Z"],
    ["signal-2020-02-29-084052.jpg", "2020-02-29T08:40:52.000Z"],
    ["IMG_0001_20200229.jpg", "2020-02-29T00:00:00.000Z"],
    ["MVIMG_19690720_201740.jpg", "1969-07-20T20:17:40.000Z"],
    ["scan 1901.12.13.jpg", "1901-12-13T00:00:00.000Z"],
    ["impossible time keeps the date: 20200229_256100.jpg", "2020-02-29T00:00:00.000Z"],
    ["IMG_0001.JPG", undefined],
    ["DSC01234.JPG", undefined],
    ["Trip (2019).jpg", undefined],
    ["month 13: 20201301_000000.jpg", undefined],
    ["no 29 February in 2021: 20210229.jpg", undefined],
    ["30 February: 20200230.jpg", undefined],
    ["digits run on: 120200229.jpg", undefined],
    ["year too old: 17991231.jpg", undefined],
    ["year too far: 21000101.jpg", undefined],
    ["mixed separators: 2020-02_29.jpg", undefined],
    ["a 13-digit number: 1582965652000.jpg", undefined],
  ];
  for (const [label, expected] of cases) {
    const name = label.split(": ").at(-1)!;
    await t.step(`${label} -> ${expected ?? "none"}`, () => {
      assert.equal(dateFromFileName(name)?.toISOString(), expected);
    });
  }
});

Deno.test("albumFolder() names album folders like the SPEC", async (t) => {
  const feb = utc("2020-02-29T08:40:52Z");
  const long = "x".repeat(500);
  const cases: [string, string | undefined, Date | undefined, object, string][] = [
    ["dated", "Trip", feb, {}, "albums/2020/02 Trip"],
    ["omit date", "Trip", feb, { omitDate: true }, "albums/Trip"],
    ["flat", "Trip", feb, { flat: true }, "albums/2020-02 Trip"],
    ["omit date wins over flat", "Trip", feb, { omitDate: true, flat: true }, "albums/Trip"],
    ["slash in title", "Paris/London", feb, {}, "albums/2020/02 Paris_London"],
    ["emoji title", "\u{1F389} Party", feb, {}, "albums/2020/02 \u{1F389} Party"],
    ["untitled", undefined, feb, {}, "albums/2020/02 Untitled"],
    ["empty title", "", feb, {}, "albums/2020/02 Untitled"],
    ["blank title", "   ", feb, { omitDate: true }, "albums/Untitled"],
    ["no dated item", "Empty", undefined, {}, "albums/Empty"],
    ["device name title", "CON", feb, { omitDate: true }, "albums/CON_"],
    ["trailing dot title", "Trip.", feb, {}, "albums/2020/02 Trip"],
    ["pre-1970 album", "Moon", utc("1969-07-20T20:17:40Z"), {}, "albums/1969/07 Moon"],
    ["500-char title", long, feb, {}, `albums/2020/${"02 " + "x".repeat(252)}`],
    ["500-char title, flat", long, feb, { flat: true }, `albums/${"2020-02 " + "x".repeat(247)}`],
    ["500-char title, omit date", long, feb, { omitDate: true }, `albums/${"x".repeat(255)}`],
  ];
  for (const [what, title, date, options, expected] of cases) {
    await t.step(`${what} -> ${expected.slice(0, 40)}`, () => {
      assert.equal(albumFolder(title, date, options), expected);
    });
  }
  await t.step("a 500-emoji title fits 255 bytes without a split character", () => {
    const folder = albumFolder(EMOJI.repeat(500), feb, {});
    const last = folder.split("/").at(-1)!;
    assert.ok(bytes(last) <= 255 && bytes(last) > 250);
    assert.equal(last, last.toWellFormed());
    assert.ok(last.startsWith("02 " + EMOJI));
  });
});

Deno.test("withFolderDupNumber() numbers clashing album folders", async (t) => {
  const cases: [string, number, string][] = [
    ["albums/2020/02 Trip", 1, "albums/2020/02 Trip"],
    ["albums/2020/02 Trip", 2, "albums/2020/02 Trip (2)"],
    ["albums/Trip", 3, "albums/Trip (3)"],
    [`albums/${"x".repeat(255)}`, 2, `albums/${"x".repeat(251)} (2)`],
  ];
  for (const [folder, n, expected] of cases) {
    await t.step(`${folder.slice(0, 30)} #${n}`, () => {
      assert.equal(withFolderDupNumber(folder, n), expected);
    });
  }
  await t.step("n must be a positive integer", () => {
    assert.throws(() => withFolderDupNumber("albums/x", 0), RangeError);
  });
});

Deno.test("isInside() refuses paths that escape TARGET", async (t) => {
  const root = "/backup/target";
  const cases: [string, boolean][] = [
    ["photos/2020/02/IMG.jpg", true],
    ["albums/2020/02 Trip/IMG.jpg", true],
    ["photos/./2020/IMG.jpg", true],
    ["photos/...", true],
    ["photos/..foo", true],
    ["../outside", false],
    ["photos/../../outside", false],
    ["photos\\..\\..\\outside", false],
    ["..", false],
    ["", false],
    [".", false],
    ["./", false],
    ["/etc/passwd", false],
    ["C:\\Windows", false],
    ["\\\\server\\share", false],
    ["photos/a\u0000b", false],
    ["/backup/target/photos/IMG.jpg", true],
    ["/backup/target", false],
    ["/backup/targetx/IMG.jpg", false],
    ["/backup/target/../x", false],
  ];
  for (const [path, inside] of cases) {
    await t.step(`${JSON.stringify(path)} -> ${inside}`, () => {
      assert.equal(isInside(root, path), inside);
    });
  }
});

Deno.test("isPlainRelative() is true only for paths isInside() takes as they are", async (t) => {
  const root = "/backup/target";
  const cases: [string, boolean][] = [
    ["photos/2020/02/IMG.jpg", true],
    ["albums/2020/02 Trip/IMG (1).jpg", true],
    ["photos/...", true],
    ["photos/..foo", true],
    [".hidden/x", true],
    ["photos/./2020/IMG.jpg", false],
    ["photos//IMG.jpg", false],
    ["photos/", false],
    ["../outside", false],
    ["photos/../../outside", false],
    ["photos/..", false],
    ["photos\\..\\..\\outside", false],
    ["..", false],
    [".", false],
    ["", false],
    ["/etc/passwd", false],
    ["C:\\Windows", false],
    ["C:x", false],
    ["\\\\server\\share", false],
    ["photos/a\u0000b", false],
  ];
  for (const [path, plain] of cases) {
    await t.step(`${JSON.stringify(path)} -> ${plain}`, () => {
      assert.equal(isPlainRelative(path), plain);
      // Plain is a fast "inside": never true where isInside says no.
      if (plain) assert.equal(isInside(root, path), true);
    });
  }
});

Deno.test("utf8Length() and truncateUtf8() count and cut bytes", async (t) => {
  await t.step("counts like TextEncoder", () => {
    for (const s of ["", "abc", CAFE_NFD, EMOJI, CJK, FAMILY, "\u00ff\u07ff\u0800"]) {
      assert.equal(utf8Length(s), bytes(s));
    }
  });
  await t.step("counts a lone surrogate as U+FFFD", () => assert.equal(utf8Length("\ud800"), 3));
  await t.step("never splits a surrogate pair", () => {
    assert.equal(truncateUtf8(EMOJI + EMOJI, 7), EMOJI);
  });
  await t.step("cuts a huge cluster on code points when nothing else fits", () => {
    assert.equal(truncateUtf8("e" + "\u0301".repeat(10), 5), "e\u0301\u0301");
  });
});
