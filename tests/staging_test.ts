import assert from "node:assert/strict";
import { join } from "node:path";
import { discardStaged, placeStaged, readyStaged, stageChunks } from "../src/files/staging.ts";
import { sha256Hex } from "../src/files/hash.ts";
import { TEMP_DIR } from "../src/files/temp_names.ts";

const bytes = new TextEncoder().encode("a staged photo's bytes");
const pump = (data: Uint8Array) => async (sink: (c: Uint8Array) => unknown) => {
  await sink(data.subarray(0, 5));
  await sink(data.subarray(5));
};

async function withTarget(fn: (target: string) => Promise<void>): Promise<void> {
  const target = await Deno.makeTempDir({ prefix: "gphotos-staging-" });
  try {
    await fn(target);
  } finally {
    await Deno.remove(target, { recursive: true });
  }
}

Deno.test("a staged file got ready before its name is known is placed with its folder and mtime", async () => {
  await withTarget(async (target) => {
    const staged = await stageChunks(pump(bytes), { target, dir: "photos/2019/03", hint: "a.jpg" });
    assert.equal(staged.sha256, sha256Hex(bytes));
    assert.equal(staged.size, bytes.length);
    assert.ok(staged.tempPath.startsWith(join(target, TEMP_DIR)), staged.tempPath);
    const mtime = new Date("2019-03-04T05:06:07Z");
    await readyStaged(staged, { dir: "photos/2019/03", mtime });
    // Ready: the folder is made and the temporary file dated, but nothing has its final name yet.
    assert.ok((await Deno.stat(join(target, "photos/2019/03"))).isDirectory);
    assert.equal((await Deno.stat(staged.tempPath)).mtime?.getTime(), mtime.getTime());
    assert.deepEqual([...Deno.readDirSync(join(target, "photos/2019/03"))], []);
    await placeStaged(staged, { path: "photos/2019/03/a.jpg", mtime });
    const info = await Deno.stat(join(target, "photos/2019/03/a.jpg"));
    assert.equal(info.mtime?.getTime(), mtime.getTime());
    assert.deepEqual(await Deno.readFile(join(target, "photos/2019/03/a.jpg")), bytes);
    await assert.rejects(Deno.stat(staged.tempPath), Deno.errors.NotFound);
  });
});

Deno.test("a staged file placed elsewhere than it got ready for gets that folder and mtime too", async () => {
  await withTarget(async (target) => {
    const staged = await stageChunks(pump(bytes), { target, dir: "photos/2019/03", hint: "a.jpg" });
    await readyStaged(staged, { dir: "photos/2019/03", mtime: new Date("2019-03-04T00:00:00Z") });
    const mtime = new Date("2001-02-03T00:00:00Z");
    await placeStaged(staged, { path: "photos/2001/02/a.jpg", mtime });
    const info = await Deno.stat(join(target, "photos/2001/02/a.jpg"));
    assert.equal(info.mtime?.getTime(), mtime.getTime());
    assert.deepEqual(await Deno.readFile(join(target, "photos/2001/02/a.jpg")), bytes);
  });
});

Deno.test("a staged file placed without getting ready, or discarded, is handled whole", async () => {
  await withTarget(async (target) => {
    const placed = await stageChunks(pump(bytes), { target, dir: "photos/2019/03", hint: "a.jpg" });
    await placeStaged(placed, { path: "photos/2019/03/a.jpg" });
    assert.deepEqual(await Deno.readFile(join(target, "photos/2019/03/a.jpg")), bytes);
    const dropped = await stageChunks(pump(bytes), {
      target,
      dir: "photos/2019/03",
      hint: "b.jpg",
    });
    await discardStaged(dropped);
    await assert.rejects(Deno.stat(dropped.tempPath), Deno.errors.NotFound);
    assert.deepEqual([...Deno.readDirSync(join(target, "photos/2019/03"))].map((e) => e.name), [
      "a.jpg",
    ]);
  });
});
