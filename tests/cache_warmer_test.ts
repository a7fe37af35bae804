import assert from "node:assert/strict";
import { join } from "node:path";
import { warmFile, warmStats } from "../src/files/cache_warmer.ts";

Deno.test("warmFile() reads a file through and ignores one that is missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-warm-" });
  try {
    const path = join(dir, "index.sqlite");
    await Deno.writeFile(path, new Uint8Array(3 * 1024 * 1024 + 17));
    // Resolving (not hanging, not throwing) is all a caller may rely on; no handle is left open,
    // which the test's resource sanitizer checks.
    await warmFile(path);
    await warmFile(path, 1000);
    await warmFile(join(dir, "missing.sqlite"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("warmStats() stats in a worker that sends back each size and ends by itself, or when stopped", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-warm-" });
  try {
    const names = Array.from({ length: 600 }, (_, i) => `f${i}.jpg`);
    for (const name of names.slice(0, 300)) await Deno.writeTextFile(join(dir, name), "x");
    await t.step("600 paths, half of them missing: the worker ends on its own", async () => {
      // The worker ran its code and said so; the test's sanitizer then sees no worker left.
      const warming = warmStats(dir, names);
      assert.equal(warming.sizes, undefined);
      assert.equal(await warming.done, "done");
      // Each path's size as found, -1 for one that is missing or is not a file.
      const sizes = [...warming.sizes!];
      assert.deepEqual(sizes.slice(0, 300), Array(300).fill(1));
      assert.deepEqual(sizes.slice(300), Array(300).fill(-1));
    });
    await t.step("a folder and a file of another size are told apart", async () => {
      await Deno.mkdir(join(dir, "f0.folder"));
      await Deno.writeTextFile(join(dir, "f1.jpg"), "twelve bytes");
      const warming = warmStats(dir, ["f0.folder", ...names.slice(1)]);
      assert.equal(await warming.done, "done");
      assert.equal(warming.sizes![0], -1);
      assert.equal(warming.sizes![1], 12);
    });
    await t.step("stopped at once, it ends at once, with no sizes", async () => {
      const warming = warmStats(dir, names);
      warming.stop();
      assert.equal(await warming.done, "stopped");
      assert.equal(warming.sizes, undefined);
    });
    await t.step("a few paths start no worker: no sizes, the caller stats them", async () => {
      const warming = warmStats(dir, names.slice(0, 10));
      assert.equal(await warming.done, "done");
      assert.equal(warming.sizes, undefined);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
