/** The index on its own: the same-item rule, album membership, transactions, a private connection. */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Statement } from "../src/index/_handle.ts";
import { MediaIndex } from "../src/index/mod.ts";
import type { IndexPort, MediaRecord, Source } from "../src/index/mod.ts";
import { findSameItemElsewhere } from "../src/index/pick_queries.ts";
import { addAlbumItems, findLowerFidelityTwin } from "../src/index/takeout_queries.ts";

function record(id: string, source: Source, over: Partial<MediaRecord> = {}): MediaRecord {
  return {
    id,
    source,
    originalName: "IMG_0001.jpg",
    mediaType: "photo",
    captureTime: "2021-04-05T06:07:08.250Z",
    dateSource: "api",
    ...over,
  };
}

async function withIndex(fn: (index: MediaIndex) => void | Promise<void>): Promise<void> {
  const target = await Deno.makeTempDir({ prefix: "index_tables_" });
  const index = MediaIndex.open(target);
  try {
    await fn(index);
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
}

Deno.test("the same-item rule serves the picker and Takeout", async (t) => {
  await t.step(
    "picker: another source's item with the same name and second",
    () =>
      withIndex((index) => {
        index.upsertItems([record("lib", "library"), record("pick", "picker")]);
        const picked = { originalName: "IMG_0001.jpg", mediaType: "photo" as const };
        const at = (captureTime: string) =>
          findSameItemElsewhere(index, { ...picked, captureTime });
        assert.equal(at("2021-04-05T06:07:08Z")?.id, "lib");
        assert.equal(at("2021-04-05T06:07:09Z"), undefined);
        assert.equal(
          findSameItemElsewhere(index, {
            ...picked,
            mediaType: "video",
            captureTime: "2021-04-05T06:07:08Z",
          }),
          undefined,
        );
      }),
  );

  await t.step(
    "picker: a name in another Unicode form is the same name",
    () =>
      withIndex((index) => {
        index.upsertItems([record("lib", "library", { originalName: "Caf\u00e9.jpg" })]);
        const row = findSameItemElsewhere(index, {
          originalName: "Cafe\u0301.jpg",
          mediaType: "photo",
          captureTime: "2021-04-05T06:07:08Z",
        });
        assert.equal(row?.id, "lib");
      }),
  );

  await t.step("picker: an item with a file on disk comes first", () =>
    withIndex((index) => {
      index.upsertItems([record("a", "library"), record("b", "takeout")]);
      index.markDownloaded("b", { size: 1, sha256: "0".repeat(64) });
      const row = findSameItemElsewhere(index, {
        originalName: "IMG_0001.jpg",
        mediaType: "photo",
        captureTime: "2021-04-05T06:07:08Z",
      });
      assert.equal(row?.id, "b");
    }));

  await t.step(
    "Takeout: only an API or picker copy that is not an original",
    () =>
      withIndex((index) => {
        index.upsertItems([record("own", "takeout"), record("orig", "library")]);
        index.markDownloaded("orig", { size: 1, sha256: "1".repeat(64), fidelity: "original" });
        const photo = {
          originalName: "IMG_0001.jpg",
          captureTime: new Date("2021-04-05T06:07:08Z"),
        };
        assert.equal(findLowerFidelityTwin(index, photo), undefined);
        index.upsertItems([record("api", "picker")]);
        index.markDownloaded("api", { size: 2, sha256: "2".repeat(64), fidelity: "picker" });
        assert.equal(findLowerFidelityTwin(index, photo)?.id, "api");
      }),
  );

  await t.step("the free functions go through the port, so a fake port serves them", () => {
    const asked: unknown[] = [];
    const port = {
      findSameItem(_item: unknown, rule: unknown) {
        asked.push(rule);
        return undefined;
      },
    } as unknown as IndexPort;
    findSameItemElsewhere(port, { originalName: "a.jpg", mediaType: "photo", captureTime: "x" });
    findLowerFidelityTwin(port, { originalName: "a.jpg", captureTime: new Date(0) });
    assert.deepEqual(asked, [{ otherThan: "picker" }, {
      otherThan: "takeout",
      belowOriginal: true,
    }]);
  });
});

Deno.test("album membership: replace after a listing, append for an import", () =>
  withIndex((index) => {
    index.upsertItems(["a", "b", "c", "d"].map((id) => record(id, "library")));
    index.upsertAlbum({ id: "A", title: "Trip", shared: false });
    index.setAlbumItems("A", ["b", "a", "b"], { count: 3, title: "Trip" });
    assert.deepEqual(index.albumItems("A").map((r) => r.id), ["b", "a"]);
    assert.equal(index.getAlbum("A")?.itemCount, 3);
    assert.equal(addAlbumItems(index, { albumId: "A", mediaIds: ["a", "c", "d", "c"] }), 2);
    assert.deepEqual(index.albumItems("A").map((r) => r.id), ["b", "a", "c", "d"]);
    assert.equal(index.getAlbum("A")?.itemCount, 4);
    assert.equal(index.getAlbum("A")?.listedTitle, "Trip");
    index.setAlbumItems("A", ["d"], { count: 1, title: "Trip 2" });
    assert.deepEqual(index.albumItems("A").map((r) => r.id), ["d"]);
    assert.equal(index.getAlbum("A")?.listedTitle, "Trip 2");
  }));

Deno.test("a transaction inside another joins it, and an error rolls back both", () =>
  withIndex((index) => {
    index.transaction(() => {
      index.upsertItems([record("a", "library")]);
      index.markDownloaded("a", { size: 1, sha256: "0".repeat(64) });
    });
    assert.equal(index.getItem("a")?.size, 1);
    assert.throws(
      () =>
        index.transaction(() => {
          index.upsertItems([record("b", "library")]);
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.equal(index.hasItem("b"), false);
  }));

Deno.test("MediaIndex keeps its connection private", () =>
  withIndex((index) => {
    assert.equal("db" in index, false);
    assert.equal("stmt" in index, false);
  }));

Deno.test("rows read in bulk as arrays equal rows read one at a time", async (t) => {
  await t.step(
    "every field, nulls, flags and people survive the array form",
    () =>
      withIndex((index) => {
        index.upsertItems([
          record("full", "takeout", {
            mimeType: "image/jpeg",
            width: 4032,
            height: 3024,
            cameraMake: "Canon",
            cameraModel: "EOS 5D",
            description: "Plage, été",
            latitude: 43.5,
            longitude: -1.25,
            altitude: 12.75,
            favourite: true,
            archived: true,
            trashed: false,
            videoStatus: "READY",
            productUrl: "https://photos.google.com/lr/photo/full",
            people: ["Ana", "Bo"],
            fidelity: "original",
          }),
          record("bare", "library", { captureTime: undefined, dateSource: "none" }),
          record("live", "takeout", {
            originalName: "IMG_0001.MP4",
            mediaType: "video",
            companionOf: "full",
            companionRole: "live",
          }),
        ]);
        index.markDownloaded("full", { size: 1234, sha256: "a".repeat(64) });
        index.markDownloaded("live", { size: 99, sha256: "b".repeat(64) });
        const bulk = index.allItems();
        assert.deepEqual(bulk.map((r) => r.id), ["full", "bare", "live"]);
        for (const row of bulk) assert.deepEqual(row, index.getItem(row.id));
        assert.deepEqual(bulk[0].people, ["Ana", "Bo"]);
        assert.equal(bulk[0].favourite, true);
        assert.equal(bulk[1].captureTime, null);

        index.recordTakeoutEntries([
          {
            entry: { key: "Photos from 2021/a.jpg", size: 1234, fingerprint: "crc32:1" },
            mediaId: "full",
          },
          { entry: { key: "Album/a.jpg", size: 1234, fingerprint: "crc32:1" }, mediaId: "full" },
          {
            entry: { key: "Photos from 2021/b.jpg", size: 5, fingerprint: "crc32:2" },
            mediaId: "bare",
          },
        ]);
        const known = index.downloadedTakeoutEntries();
        // Only items with a file are known; copies of one item share one row object.
        assert.equal(known.size, 2);
        const a = known.get("Photos from 2021/a.jpg\u00001234\u0000crc32:1");
        assert.deepEqual(a, index.getItem("full"));
        assert.equal(known.get("Album/a.jpg\u00001234\u0000crc32:1"), a);
      }),
  );

  await t.step("a statement that gives objects is turned into arrays in select-list order", () => {
    const db = new DatabaseSync(":memory:");
    try {
      const stmt = new Statement(db.prepare("SELECT 1 AS b, 'x' AS a, NULL AS c"), (e) => e);
      assert.deepEqual(stmt.arrays(), [[1, "x", null]]);
      assert.deepEqual(new Statement(db.prepare("SELECT 1 WHERE 0"), (e) => e).arrays(), []);
    } finally {
      db.close();
    }
  });
});
