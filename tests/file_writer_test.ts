import assert from "node:assert/strict";
import { join } from "node:path";
import { dryRunWriter, fileWriter } from "../src/files/writer.ts";
import { swapFolder } from "../src/files/folder_swap.ts";

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("fileWriter() writes inside TARGET only, also through symlinks", async (t) => {
  const target = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    const w = fileWriter(target);
    await t.step("makes folders, links, small files; renames and removes", async () => {
      await w.mkdir("albums/x");
      await w.writeFile("albums/x/a.txt", "a");
      await w.symlink("a.txt", "albums/x/s.txt");
      await w.link(join(target, "albums/x/a.txt"), join(target, "albums/x/h.txt"));
      await w.rename("albums/x/h.txt", "albums/x/h2.txt");
      assert.deepEqual(await names(join(target, "albums/x")), ["a.txt", "h2.txt", "s.txt"]);
      assert.equal(await Deno.readTextFile(join(target, "albums/x/s.txt")), "a");
      await w.remove("albums/x/h2.txt");
      assert.deepEqual(await names(join(target, "albums/x")), ["a.txt", "s.txt"]);
    });
    await t.step(
      "refuses paths outside TARGET and folders that are symlinks out of it",
      async () => {
        await Deno.symlink(outside, join(target, "out"));
        await assert.rejects(w.mkdir("../elsewhere"), RangeError);
        await assert.rejects(w.mkdir("out/deeper"), RangeError);
        await assert.rejects(w.symlink("x", "out/s"), RangeError);
        await assert.rejects(w.link(join(target, "albums/x/a.txt"), "out/h"), RangeError);
        await assert.rejects(w.rename("albums/x/a.txt", "out/a.txt"), RangeError);
        await assert.rejects(w.writeFile("out/r.json", "{}"), RangeError);
        assert.deepEqual(await names(outside), []);
      },
    );
  } finally {
    await Deno.remove(target, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("dryRunWriter() performs nothing and records the plan", async () => {
  const target = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(target, "kept"));
    await Deno.writeTextFile(join(target, "kept/f.txt"), "x");
    const w = dryRunWriter(target);
    await w.mkdir("kept");
    await w.mkdir("new/folder");
    await w.mkdir(join(target, "new/folder"));
    await w.symlink("../kept/f.txt", "new/folder/s.txt");
    await w.link(join(target, "kept/f.txt"), "new/folder/h.txt");
    await w.rename("kept/f.txt", "kept/g.txt");
    await w.writeFile("status.html", "<p>é</p>");
    await w.remove("kept/f.txt");
    await assert.rejects(w.remove("kept"), /not empty/);
    await assert.rejects(w.remove("missing"), Deno.errors.NotFound);
    assert.deepEqual(w.planned, [
      { op: "mkdir", path: "new/folder" },
      { op: "symlink", path: "new/folder/s.txt", target: "../kept/f.txt" },
      { op: "link", path: "new/folder/h.txt", existing: join(target, "kept/f.txt") },
      { op: "rename", path: "kept/f.txt", to: "kept/g.txt" },
      { op: "write", path: "status.html", size: 9 },
      { op: "remove", path: "kept/f.txt" },
    ]);
    assert.deepEqual(await names(target), ["kept"]);
    assert.deepEqual(await names(join(target, "kept")), ["f.txt"]);
  } finally {
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("swapFolder() replaces a folder whole, and only once the new one is in", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const final = join(dir, "comparison");
    await Deno.mkdir(final);
    await Deno.writeTextFile(join(final, "old.txt"), "old");
    const built = join(dir, "comparison.tmp-1");
    await Deno.mkdir(built);
    await Deno.writeTextFile(join(built, "new.txt"), "new");
    await swapFolder(built, final, { tag: "1" });
    assert.deepEqual(await names(dir), ["comparison"]);
    assert.deepEqual(await names(final), ["new.txt"]);
    // A build that cannot go in leaves the old folder where it was.
    await assert.rejects(swapFolder(join(dir, "missing"), final, { tag: "2" }));
    assert.deepEqual(await names(dir), ["comparison"]);
    assert.deepEqual(await names(final), ["new.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
