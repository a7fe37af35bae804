import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { MediaIndex } from "../src/index/mod.ts";
import { recordTransfer } from "../src/index/transfer_queries.ts";
import { legacyTempNameFor, TEMP_DIR, tempPathFor } from "../src/files/temp_names.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { runCli, setupTarget, walkFiles } from "./helpers.ts";
import { TempFile } from "../src/files/atomic_file.ts";

/** Every entry under `dir`, folders included (a folder ends with "/"), not following symlinks. */
async function walkAll(dir: string, base = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(dir, base))) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(`${rel}/`, ...await walkAll(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

const TEMP_LIKE = [".IMG_2041.JPG.gphotos-tmp", ".x.gphotos-tmp", ".gphotos-tmp"];

Deno.test("items named like temporary files are downloaded and kept", async (t) => {
  const account = generateAccount({ items: 6, seed: 41, albums: 0, nasty: false });
  TEMP_LIKE.forEach((name, i) => account.items[i].filename = name);
  const ids = account.items.slice(0, TEMP_LIKE.length).map((i) => i.id);
  const fake = await startFakeGoogle({ account, seed: 41 });
  const tt = await setupTarget(fake);
  try {
    const check = async () => {
      const index = MediaIndex.open(tt.target);
      try {
        for (const id of ids) {
          const row = index.getItem(id)!;
          assert.ok(row.downloadedAt, `"${row.path}" is recorded as downloaded`);
          assert.ok(TEMP_LIKE.includes(row.path.split("/").pop()!), row.path);
          assert.deepEqual(
            await Deno.readFile(join(tt.target, row.path)),
            fake.servedBytes(id, "d"),
            `"${row.path}" is on disk`,
          );
        }
      } finally {
        index.close();
      }
    };

    await t.step("the first sync downloads them and leaves them on disk", async () => {
      const run = await runCli(["sync", tt.target, "--skip-albums"], tt.env);
      assert.equal(run.code, 0, run.stderr);
      await check();
    });

    await t.step("--retry-download finds them in place and fetches nothing again", async () => {
      const before = fake.calls.length;
      const run = await runCli(["sync", tt.target, "--skip-albums", "--retry-download"], tt.env);
      assert.equal(run.code, 0, run.stderr);
      await check();
      const fetched = fake.calls.slice(before).filter((c) => c.kind === "media");
      assert.deepEqual(fetched.map((c) => c.itemId), []);
    });
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});

Deno.test("the temp sweep deletes only in .gphotos-tmp/ and legacy temps the index names", async (t) => {
  const account = generateAccount({
    items: 6,
    seed: 43,
    albums: 0,
    nasty: false,
    itemBytes: 30_000,
  });
  const fake = await startFakeGoogle({ account, seed: 43 });
  const tt = await setupTarget(fake);
  const target = tt.target;
  try {
    assert.equal((await runCli(["index", target], tt.env)).code, 0);
    const index = MediaIndex.open(target);
    const [done, pending, legacyDone, legacyPending] = index.pendingItems()
      .filter((row) => row.mediaType === "photo");
    const bytesOf = (id: string) => fake.servedBytes(id, "d");
    const legacyOf = (path: string) => join(target, dirname(path), legacyTempNameFor(path));
    const planted = [
      "photos/2020/01/.IMG_1.JPG.0badc0de.gphotos-tmp",
      "photos/.gphotos-tmp",
      // The legacy name of an item the transfers table does not name: pattern alone is not enough.
      `${dirname(pending.path)}/${legacyTempNameFor(pending.path)}`,
    ];

    await t.step("leave the state an older version and a killed run could leave", async () => {
      index.markDownloaded(done.id, { size: 1, sha256: "x" });
      index.markDownloaded(legacyDone.id, { size: 1, sha256: "x" });
      await Deno.mkdir(join(target, TEMP_DIR), { recursive: true });
      // A stale temp of an item no longer pending, and half a temp of a pending one.
      await Deno.writeFile(tempPathFor(target, done.path), new Uint8Array(10));
      await Deno.writeFile(
        tempPathFor(target, pending.path),
        bytesOf(pending.id).subarray(0, 9000),
      );
      recordTransfer(index, pending.id, { total: bytesOf(pending.id).length });
      // Old-scheme temps beside the final files, named by the transfers table.
      for (const row of [legacyDone, legacyPending]) {
        await Deno.mkdir(join(target, row.folder), { recursive: true });
        recordTransfer(index, row.id, { total: bytesOf(row.id).length });
      }
      await Deno.writeFile(legacyOf(legacyDone.path), new Uint8Array(5));
      await Deno.writeFile(
        legacyOf(legacyPending.path),
        bytesOf(legacyPending.id).subarray(0, 7000),
      );
      for (const p of planted) {
        await Deno.mkdir(join(target, dirname(p)), { recursive: true });
        await Deno.writeTextFile(join(target, p), "mine");
      }
      index.close();
    });

    await t.step("a download resumes what it can and sweeps what is stale", async () => {
      const before = fake.calls.length;
      const run = await runCli(["download", target], tt.env);
      assert.equal(run.code, 0, run.stderr);
      const calls = fake.calls.slice(before).filter((c) => c.kind === "media");
      const rangeOf = (id: string) => calls.filter((c) => c.itemId === id).map((c) => c.range);
      assert.deepEqual(rangeOf(pending.id), ["bytes=9000-"], "the .gphotos-tmp temp resumed");
      assert.deepEqual(rangeOf(legacyPending.id), ["bytes=7000-"], "the legacy temp resumed");
      const check = MediaIndex.open(target);
      try {
        for (const row of [pending, legacyPending]) {
          assert.deepEqual(await Deno.readFile(join(target, row.path)), bytesOf(row.id));
          assert.ok(check.getItem(row.id)?.downloadedAt);
        }
      } finally {
        check.close();
      }
    });

    await t.step("stale temps are gone; files the index does not know stay", async () => {
      assert.deepEqual(await walkAll(join(target, TEMP_DIR)), []);
      await assert.rejects(Deno.stat(legacyOf(legacyDone.path)), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(legacyOf(legacyPending.path)), Deno.errors.NotFound);
      for (const p of planted) assert.equal(await Deno.readTextFile(join(target, p)), "mine", p);
    });
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});

Deno.test("a sync into TARGET whose photos/ links outside changes nothing there", async (t) => {
  const account = generateAccount({ items: 30, seed: 47, albums: 2, nasty: false });
  const fake = await startFakeGoogle({ account, seed: 47 });
  const tt = await setupTarget(fake);
  const outside = await Deno.makeTempDir({ prefix: "gphotos-outside-" });
  // Someone else's file whose name looks like one of ours.
  const theirs = ".holiday.jpg.0badc0de.gphotos-tmp";
  try {
    await Deno.writeTextFile(join(outside, theirs), "theirs");
    const sync = async () => {
      const run = await runCli(["sync", tt.target, "--json"], tt.env);
      assert.equal(run.code, 4, run.stderr.slice(-2000));
      const summary = JSON.parse(run.stdout.trim().split("\n").pop()!);
      assert.equal(summary.download.downloaded, 0);
      assert.ok(summary.download.failed >= summary.index.listed, run.stdout.slice(-2000));
      assert.match(summary.download.failedItems[0].error, /resolves outside/);
      assert.deepEqual(await walkAll(outside), [theirs], "no folder or file made or removed");
      assert.equal(await Deno.readTextFile(join(outside, theirs)), "theirs");
      const temps = (await walkFiles(tt.target)).filter((f) => f.startsWith(TEMP_DIR));
      assert.deepEqual(temps, []);
    };

    await t.step("photos/ a symlink out of TARGET", async () => {
      await Deno.symlink(outside, join(tt.target, "photos"));
      await sync();
    });

    await t.step("every photos/YYYY a symlink out of TARGET", async () => {
      await Deno.remove(join(tt.target, "photos"));
      await Deno.mkdir(join(tt.target, "photos"));
      const years = new Set(account.items.map((i) => i.creationTime?.slice(0, 4) ?? "1900"));
      for (const year of years) await Deno.symlink(outside, join(tt.target, "photos", year));
      await sync();
    });
  } finally {
    await fake.close();
    await tt.cleanup();
    await Deno.remove(outside, { recursive: true });
  }
});

/** Runs `cmd args…`, true when it exits 0. */
async function run(cmd: string, ...args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Whether this process may mount a tmpfs (root on Linux): the only way to get a second file system. */
async function canMount(): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  const dir = await Deno.makeTempDir();
  try {
    if (!(await run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir))) return false;
    return await run("umount", dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name: "a folder of TARGET on another file system fails its item, naming both paths",
  ignore: !(await canMount()),
  async fn(t) {
    const target = await Deno.makeTempDir();
    const mounted = join(target, "photos/2020");
    await Deno.mkdir(mounted, { recursive: true });
    assert.ok(await run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mounted));
    try {
      const bytes = new Uint8Array(1000).fill(7);
      await t.step("open refuses before a byte is fetched", async () => {
        await assert.rejects(
          TempFile.open(target, "photos/2020/01/a.jpg"),
          (err: Error) =>
            err.message.includes("different file systems") &&
            err.message.includes(join(target, TEMP_DIR)) &&
            err.message.includes(join(mounted, "01")),
        );
        assert.deepEqual(await walkAll(mounted), []);
      });

      await t.step("a rename across file systems fails and keeps the temporary file", async () => {
        await Deno.mkdir(join(target, "photos/2021"));
        const temp = await TempFile.open(target, "photos/2021/b.jpg");
        await temp.write(bytes);
        // The mount arrives between the open and the rename.
        assert.ok(
          await run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", join(target, "photos/2021")),
        );
        try {
          await assert.rejects(
            temp.commit({ expectedSize: bytes.length }),
            (err: Error) =>
              err.message.includes("different file systems") &&
              err.message.includes(temp.tempPath) &&
              err.message.includes(join(target, "photos/2021/b.jpg")),
          );
          assert.deepEqual(await Deno.readFile(temp.tempPath), bytes);
          assert.deepEqual(await walkAll(join(target, "photos/2021")), []);
        } finally {
          await run("umount", join(target, "photos/2021"));
        }
      });
    } finally {
      await run("umount", mounted);
      await Deno.remove(target, { recursive: true });
    }
  },
});
