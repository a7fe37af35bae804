import assert from "node:assert/strict";
import { join } from "node:path";
import { MediaIndex } from "../src/index/mod.ts";
import { importTakeout } from "../src/sources/takeout/import.ts";
import { importTakeoutAndLink } from "../src/sync/takeout_run.ts";
import { englishExport, writeZipParts } from "./fixtures/takeout/generate.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("album folders are the sync step after a Takeout import, not the import's", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-takeout-run-" });
  const paths = await writeZipParts(englishExport(), dir, {});
  const fresh = async (name: string) => {
    const target = join(dir, name);
    await Deno.mkdir(target);
    return { target, index: MediaIndex.open(target) };
  };
  try {
    await t.step("importTakeout() records albums in the index and writes no albums/", async () => {
      const { target, index } = await fresh("source-only");
      try {
        const report = await importTakeout({ target, paths, index });
        assert.ok(report.albums > 0);
        assert.ok(!("albumFolders" in report));
        assert.ok(!(await exists(join(target, "albums"))));
      } finally {
        index.close();
      }
    });
    await t.step("importTakeoutAndLink() links them, unless told not to", async () => {
      const { target, index } = await fresh("linked");
      try {
        const off = await importTakeoutAndLink({ target, paths, index, albumFolders: false });
        assert.equal(off.albumFolders, undefined);
        assert.ok(!(await exists(join(target, "albums"))));
        const on = await importTakeoutAndLink({ target, paths, index });
        assert.equal(on.albumFolders?.albums, on.albums);
        assert.ok((on.albumFolders?.linksMade ?? 0) > 0);
        assert.ok(await exists(join(target, "albums")));
      } finally {
        index.close();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
