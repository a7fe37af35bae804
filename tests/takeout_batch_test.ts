/**
 * A Takeout import commits its index writes in batches. A batch is atomic as a whole and each write
 * in it on its own; a run that dies before a batch's commit loses those rows, and the next run puts
 * the same files back at the same paths, with no stray copy.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../src/files/hash.ts";
import { MediaIndex, type MediaRecord } from "../src/index/mod.ts";
import { importTakeout } from "../src/sources/takeout/import.ts";
import { englishExport, writeZipParts } from "./fixtures/takeout/generate.ts";
import { walkFiles } from "./helpers.ts";

function record(id: string): MediaRecord {
  return {
    id,
    source: "takeout",
    originalName: `${id}.jpg`,
    captureTime: "2021-03-04T10:00:00Z",
    dateSource: "sidecar",
    mediaType: "photo",
  } as MediaRecord;
}

Deno.test("an index batch commits together, and a failed write in it undoes only its own", async () => {
  const target = await Deno.makeTempDir({ prefix: "gphotos-batch-" });
  try {
    let index = MediaIndex.open(target);
    index.beginBatch();
    index.upsertItems([record("a")]);
    assert.throws(() =>
      index.transaction(() => {
        index.upsertItems([record("b")]);
        throw new Error("stop");
      }), /stop/);
    index.upsertItems([record("c")]);
    assert.deepEqual(index.allItems().map((r) => r.id).sort(), ["a", "c"]);
    assert.throws(() => index.beginBatch(), /already open/);
    index.commitBatch();
    index.beginBatch();
    index.upsertItems([record("d")]);
    // Closed before the commit: the open batch is lost whole.
    index.close();
    index = MediaIndex.open(target);
    try {
      assert.deepEqual(index.allItems().map((r) => r.id).sort(), ["a", "c"]);
      index.commitBatch();
    } finally {
      index.close();
    }
  } finally {
    await Deno.remove(target, { recursive: true });
  }
});

/** Paths and SHA-256 of the files under photos/, and the index's paths and hashes. */
async function state(target: string, index: MediaIndex) {
  const files: string[] = [];
  for (const f of (await walkFiles(target)).sort()) {
    if (f.startsWith("photos/")) {
      files.push(`${f} ${sha256Hex(await Deno.readFile(join(target, f)))}`);
    }
  }
  const rows = index.allItems().map((r) => `${r.path} ${r.sha256}`).sort();
  return { files, rows };
}

Deno.test("a Takeout run that dies before its batch's commit is made whole by the next", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-batch-kill-" });
  try {
    const zips = await writeZipParts(englishExport(45), dir);
    const clean = join(dir, "clean");
    const target = join(dir, "t");
    await Deno.mkdir(clean);
    await Deno.mkdir(target);
    const cleanIndex = MediaIndex.open(clean);
    let expected;
    try {
      await importTakeout({ target: clean, paths: zips, index: cleanIndex });
      expected = await state(clean, cleanIndex);
      assert.ok(expected.files.length > 5);
      assert.deepEqual(expected.files, expected.rows);
    } finally {
      cleanIndex.close();
    }

    const index = MediaIndex.open(target);
    // The process dies before any commit: every file is placed, no row of the batch is kept.
    let open = false;
    const dying = new Proxy(index, {
      get(real, prop) {
        if (prop === "commitBatch") return () => {};
        if (prop === "beginBatch") {
          return () => {
            if (!open) real.beginBatch();
            open = true;
          };
        }
        const value = Reflect.get(real, prop, real);
        return typeof value === "function" ? value.bind(real) : value;
      },
    });
    await importTakeout({ target, paths: zips, index: dying });
    index.close();
    const lost = MediaIndex.open(target);
    try {
      const after = await state(target, lost);
      assert.deepEqual(after.files, expected.files, "the files were placed");
      assert.deepEqual(after.rows, [], "their rows were lost with the batch");
      const report = await importTakeout({ target, paths: zips, index: lost });
      assert.equal(report.failed, 0);
      assert.deepEqual(await state(target, lost), expected, "same paths, no stray copy");
    } finally {
      lost.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
