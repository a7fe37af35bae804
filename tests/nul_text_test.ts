/** A NUL in text from a source: node:sqlite would cut the string there; the index never lets it. */
import assert from "node:assert/strict";
import { MediaIndex } from "../src/index/mod.ts";
import type { MediaRecord } from "../src/index/mod.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { runCli, setupTarget, walkFiles } from "./helpers.ts";

function record(id: string, over: Partial<MediaRecord> = {}): MediaRecord {
  return {
    id,
    source: "library",
    originalName: "IMG_0001.jpg",
    mediaType: "photo",
    captureTime: "2021-04-05T06:07:08Z",
    dateSource: "api",
    ...over,
  };
}

async function withIndex(fn: (index: MediaIndex) => void): Promise<void> {
  const target = await Deno.makeTempDir({ prefix: "nul_text_" });
  const index = MediaIndex.open(target);
  try {
    fn(index);
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
}

Deno.test("the index stores no text cut at a NUL", async (t) => {
  await t.step(
    "a name and a description keep their tail, the NUL made _",
    () =>
      withIndex((index) => {
        const result = index.upsertItems([
          record("a", { originalName: "x\0y.jpg", description: "before\0after" }),
        ]);
        assert.equal(result.added.length, 1);
        const row = index.getItem("a")!;
        assert.equal(row.originalName, "x_y.jpg");
        assert.equal(row.description, "before_after");
        assert.equal(row.path, "photos/2021/04/x_y.jpg");
      }),
  );

  await t.step(
    "an id with a NUL is refused and does not overwrite item x",
    () =>
      withIndex((index) => {
        index.upsertItems([record("x", { originalName: "mine.jpg" })]);
        const result = index.upsertItems([
          record("x\0y", { originalName: "hostile.jpg", description: "took over" }),
        ]);
        assert.equal(result.added.length, 0);
        assert.equal(result.updated, 0);
        assert.equal(result.refused.length, 1);
        assert.equal(result.refused[0].id, "x\0y");
        assert.match(result.refused[0].reason, /NUL/);
        const x = index.getItem("x")!;
        assert.equal(x.originalName, "mine.jpg");
        assert.equal(x.description, null);
        assert.equal(index.allItems().length, 1);
        assert.equal(index.hasItem("x\0y"), false);
        assert.equal(index.getItem("x\0y"), undefined);
      }),
  );

  await t.step(
    "an album id with a NUL is refused; a title keeps its tail",
    () =>
      withIndex((index) => {
        index.upsertItems([record("x")]);
        assert.equal(index.upsertAlbum({ id: "A", title: "a\0b", shared: false }), true);
        assert.equal(index.getAlbum("A")!.title, "a_b");
        assert.equal(index.upsertAlbum({ id: "A\0evil", title: "evil", shared: false }), false);
        assert.equal(index.getAlbum("A")!.title, "a_b");
        index.setAlbumItems("A", ["x", "x\0y"], { count: 2, title: "a_b" });
        assert.deepEqual(index.albumItems("A").map((r) => r.id), ["x"]);
      }),
  );
});

Deno.test("sync: an album titled a\\0b gets folder a_b, a NUL id is skipped with a warning", async () => {
  const account = generateAccount({ items: 3, seed: 21, nasty: false, albums: 1 });
  const [first, second] = account.items;
  const album = account.albums[0];
  album.title = "a\0b";
  album.itemIds = [first.id];
  // A hostile copy of the second item whose id is the first's plus a NUL and more.
  account.items.push({ ...second, id: `${first.id}\0y`, filename: "hostile.jpg" });
  const fake = await startFakeGoogle({ account, seed: 21 });
  const setup = await setupTarget(fake);
  try {
    const res = await runCli(["sync", setup.target, "--json"], setup.env);
    assert.ok(res.code === 0 || res.code === 4, res.stderr);
    const warnings = res.stdout.split("\n").filter((l) => l.includes('"type":"warning"'));
    assert.ok(warnings.some((w) => /NUL character/.test(w)), res.stdout);
    const index = MediaIndex.open(setup.target);
    try {
      const albumRow = index.getAlbum(album.id)!;
      assert.equal(albumRow.title, "a_b");
      assert.match(albumRow.folder ?? "", /^albums\/\d{4}\/\d{2} a_b$/);
      const firstRow = index.getItem(first.id)!;
      assert.equal(firstRow.originalName, first.filename);
      assert.equal(index.allItems().length, 3);
    } finally {
      index.close();
    }
    const files = await walkFiles(setup.target);
    assert.ok(files.some((f) => / a_b\//.test(f)), files.join("\n"));
    assert.ok(!files.some((f) => f.includes("hostile")), files.join("\n"));
  } finally {
    await fake.close();
    await setup.cleanup();
  }
});
