import assert from "node:assert/strict";
import {
  chooseCaptureTime,
  classifyJson,
  exifDate,
  parseExifDate,
  parseJsonFile,
  type Sidecar,
} from "../src/sources/takeout/metadata.ts";
import { originalNameOf } from "../src/sources/takeout/_record.ts";
import { xmpCoordinate, xmpSidecar } from "../src/sources/takeout/xmp.ts";
import { jpegWithExif } from "./fixtures/media_bytes.ts";

function sidecarOf(value: unknown): Sidecar {
  const info = classifyJson(value);
  assert.equal(info.kind, "sidecar");
  return (info as { kind: "sidecar"; sidecar: Sidecar }).sidecar;
}

Deno.test("classifyJson() tells sidecars, album files and other JSON by content", async (t) => {
  await t.step("a sidecar: photoTakenTime in UTC epoch seconds, formatted ignored", () => {
    const s = sidecarOf({
      title: "IMG_1.jpg",
      photoTakenTime: { timestamp: "1464552531", formatted: "29 May 2016, 20:08:51 UTC" },
    });
    assert.equal(s.takenTime?.toISOString(), "2016-05-29T20:08:51.000Z");
    assert.equal(s.title, "IMG_1.jpg");
  });
  await t.step("timestamp 0, empty or only a localised formatted string means no time", () => {
    for (
      const taken of [{ timestamp: "0" }, { timestamp: "" }, {
        formatted: "11. 4. 2017 22:37:11 UTC",
      }]
    ) {
      assert.equal(sidecarOf({ title: "a", photoTakenTime: taken }).takenTime, undefined);
    }
  });
  await t.step("GPS from geoData, else geoDataExif; 0/0 means none", () => {
    const zero = { latitude: 0, longitude: 0, altitude: 0 };
    const paris = { latitude: 48.8584, longitude: 2.2945, altitude: 35 };
    const sydney = { latitude: -33.85, longitude: 151.2, altitude: 0 };
    let s = sidecarOf({ photoTakenTime: { timestamp: "1" }, geoData: sydney, geoDataExif: paris });
    assert.deepEqual([s.latitude, s.longitude], [-33.85, 151.2]);
    s = sidecarOf({ photoTakenTime: { timestamp: "1" }, geoData: zero, geoDataExif: paris });
    assert.deepEqual([s.latitude, s.longitude, s.altitude], [48.8584, 2.2945, 35]);
    s = sidecarOf({ photoTakenTime: { timestamp: "1" }, geoData: zero, geoDataExif: zero });
    assert.equal(s.latitude, undefined);
    assert.equal(s.longitude, undefined);
  });
  await t.step("flags only when true; people's names, each once", () => {
    const s = sidecarOf({
      photoTakenTime: { timestamp: "1" },
      favorited: true,
      archived: true,
      people: [{ name: "Alice" }, { name: "Bob" }, { name: "Alice" }, {}],
      description: "a caption",
    });
    assert.deepEqual(
      [s.favourite, s.archived, s.trashed, s.people, s.description],
      [true, true, false, ["Alice", "Bob"], "a caption"],
    );
    assert.equal(sidecarOf({ creationTime: { timestamp: "5" } }).favourite, false);
  });
  await t.step("album files in any language and shape; untitled albums too", () => {
    assert.deepEqual(
      classifyJson({
        title: "Urlaub",
        description: "",
        access: "shared",
        date: { timestamp: "10" },
      }),
      { kind: "album", album: { title: "Urlaub", shared: true, date: new Date(10_000) } },
    );
    assert.deepEqual(
      classifyJson({ albumData: { title: "Old shape", date: { timestamp: "0" } } }),
      {
        kind: "album",
        album: { title: "Old shape", shared: false },
      },
    );
    assert.deepEqual(classifyJson({ title: "", access: "protected" }), {
      kind: "album",
      album: { title: "", shared: false },
    });
    assert.equal(classifyJson({ title: "E\u0301te\u0301" }).kind, "album");
    const album = classifyJson({ title: "E\u0301te\u0301" }) as { album: { title: string } };
    assert.equal(album.album.title, "Été");
  });
  await t.step("other JSON is neither", () => {
    assert.deepEqual(classifyJson([]), { kind: "other" });
    assert.deepEqual(classifyJson({ subscriptions: [] }), { kind: "other" });
    assert.deepEqual(parseJsonFile('\ufeff{"x": 1}'), { kind: "other" });
    assert.throws(() => parseJsonFile("{ cut"), SyntaxError);
  });
});

Deno.test("parseExifDate() and exifDate() read EXIF wall-clock time", async () => {
  assert.equal(parseExifDate("2019:07:04 12:30:15")?.toISOString(), "2019-07-04T12:30:15.000Z");
  assert.equal(
    parseExifDate("2019:07:04 12:30:15", "+02:00")?.toISOString(),
    "2019-07-04T10:30:15.000Z",
  );
  assert.equal(parseExifDate("2019:07:04 12:30:15.25")?.toISOString(), "2019-07-04T12:30:15.250Z");
  assert.equal(parseExifDate("0000:00:00 00:00:00"), undefined);
  assert.equal(parseExifDate("    :  :     :  :  "), undefined);
  const when = new Date(Date.UTC(2004, 1, 29, 23, 59, 58));
  assert.equal(
    (await exifDate(jpegWithExif({ seed: 1, dateTimeOriginal: when })))?.getTime(),
    when.getTime(),
  );
  assert.equal(await exifDate(jpegWithExif({ seed: 2 })), undefined);
  assert.equal(await exifDate(new Uint8Array([1, 2, 3])), undefined);
});

Deno.test("chooseCaptureTime() prefers sidecar, then EXIF, then the name, then the entry", async () => {
  const sidecar: Sidecar = {
    takenTime: new Date(1000),
    favourite: false,
    archived: false,
    trashed: false,
    people: [],
  };
  let exifAsked = false;
  const exif = () => {
    exifAsked = true;
    return Promise.resolve(new Date(2000));
  };
  const entryTime = new Date(4000);
  const name = "IMG_20200105_101010.jpg";
  assert.deepEqual(await chooseCaptureTime(name, { sidecar, exif, entryTime }), {
    time: new Date(1000),
    source: "sidecar",
  });
  assert.equal(exifAsked, false, "EXIF is not read when the sidecar dates the file");
  assert.deepEqual(await chooseCaptureTime(name, { exif, entryTime }), {
    time: new Date(2000),
    source: "exif",
  });
  const none = () => Promise.resolve(undefined);
  assert.deepEqual(await chooseCaptureTime(name, { exif: none, entryTime }), {
    time: new Date(Date.UTC(2020, 0, 5, 10, 10, 10)),
    source: "filename",
  });
  assert.deepEqual(await chooseCaptureTime("holiday.jpg", { exif: none, entryTime }), {
    time: entryTime,
    source: "entry",
  });
  assert.equal(await chooseCaptureTime("holiday.jpg", {}), undefined);
});

Deno.test("originalNameOf() keeps the title, with the archive file's extension", () => {
  const cases: [string, string | undefined, string][] = [
    ["IMG_1.jpg", "IMG_1.jpg", "IMG_1.jpg"],
    ["P7040106.jpg", "P7040106.JPG", "P7040106.JPG"],
    ["Peanut Butter Balls.jpg", "Peanut Butter Balls", "Peanut Butter Balls.jpg"],
    ["IMG_2.jpg", "IMG_2.HEIC", "IMG_2.jpg"],
    ["27_06_12 - 2.jpg", "27/06/12 - 2.jpg", "27/06/12 - 2.jpg"],
    [
      "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg",
      "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg",
      "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg",
    ],
    ["21.12(1).11 - 1", "21.12.11 - 1", "21.12.11 - 1"],
    ["Cafe\u0301.jpg", "Cafe\u0301.jpg", "Café.jpg"],
    ["x.jpg", undefined, "x.jpg"],
    ["x.jpg", "  ", "x.jpg"],
  ];
  for (const [file, title, want] of cases) assert.equal(originalNameOf(file, title), want, file);
});

Deno.test("xmpSidecar() writes date, GPS, description, rating and people", () => {
  assert.equal(xmpCoordinate(48.8584, "latitude"), "48,51.504000N");
  assert.equal(xmpCoordinate(-33.5, "latitude"), "33,30.000000S");
  assert.equal(xmpCoordinate(-0.25, "longitude"), "0,15.000000W");
  const xmp = xmpSidecar({
    captureTime: new Date(Date.UTC(2019, 6, 4, 12, 0, 0)),
    latitude: -33.5,
    longitude: 151.25,
    altitude: -3,
    description: 'Fish & "chips" <3',
    favourite: true,
    people: ["Zoë"],
  });
  assert.match(xmp, /exif:DateTimeOriginal="2019-07-04T12:00:00Z"/);
  assert.match(xmp, /exif:GPSLatitude="33,30\.000000S"/);
  assert.match(xmp, /exif:GPSLongitude="151,15\.000000E"/);
  assert.match(xmp, /exif:GPSAltitudeRef="1"/);
  assert.match(xmp, /Fish &amp; &quot;chips&quot; &lt;3/);
  assert.match(xmp, /xmp:Rating="5"/);
  assert.match(xmp, /<rdf:li>Zoë<\/rdf:li>/);
  const bare = xmpSidecar({});
  assert.doesNotMatch(bare, /GPS|DateTimeOriginal|dc:description/);
  assert.match(bare, /<\/x:xmpmeta>/);
});
