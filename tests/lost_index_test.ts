import assert from "node:assert/strict";
import { join } from "node:path";
import { MediaIndex } from "../src/index/mod.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import type { FakeGoogle } from "./fake_google/mod.ts";
import type { Account, FakeItem } from "./fixtures/account_types.ts";
import { generateAccount } from "./fixtures/generate.ts";
import {
  albumTree,
  runCli,
  setupTarget,
  sha256Hex,
  type TestTarget,
  walkFiles,
} from "./helpers.ts";

/** Deletes the index as a user who lost it would: the files and album folders stay. */
async function loseIndex(target: string): Promise<void> {
  for (const name of ["gphotos.sqlite", "gphotos.sqlite-wal", "gphotos.sqlite-shm"]) {
    await Deno.remove(join(target, name)).catch(() => {});
  }
}

/** Every downloaded row's file holds exactly the bytes Google serves for that row's item. */
async function assertRowsHoldTheirBytes(t: TestTarget, fake: FakeGoogle): Promise<number> {
  const index = MediaIndex.open(t.target);
  try {
    let n = 0;
    for (const row of index.downloadedItems()) {
      const served = fake.servedBytes(row.id, row.mediaType === "video" ? "dv" : "d");
      const bytes = await Deno.readFile(join(t.target, row.path));
      assert.equal(await sha256Hex(bytes), await sha256Hex(served), `${row.path} of ${row.id}`);
      n++;
    }
    return n;
  } finally {
    index.close();
  }
}

async function photoFiles(target: string): Promise<string[]> {
  return (await walkFiles(target)).filter((f) => f.startsWith("photos/")).sort();
}

async function sync(t: TestTarget): Promise<Record<string, unknown>> {
  const r = await runCli(["sync", t.target, "--json"], t.env);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

function account(): Account {
  // Padded to one size: a file of another item cannot be told apart by its size alone.
  return generateAccount({ items: 12, seed: 41, albums: 2, nasty: false, itemBytes: 6000 });
}

Deno.test("sync after the index is lost adopts a file only when it holds the item's bytes", async (t) => {
  const acct = account();
  const fake = await startFakeGoogle({ account: acct, seed: 41 });
  const tt = await setupTarget(fake);
  try {
    await sync(tt);
    const before = await photoFiles(tt.target);
    const albumsBefore = await albumTree(tt.target);
    assert.ok(Object.keys(albumsBefore).length > 0, "the account has album folders");

    await t.step(
      "the same library: every file adopted, no second file, no (2) folder",
      async () => {
        await loseIndex(tt.target);
        const s = await sync(tt);
        const download = s.download as { downloaded: number; recorded: number };
        assert.equal(download.downloaded, 0);
        assert.equal(download.recorded, before.length);
        assert.deepEqual(await photoFiles(tt.target), before);
        assert.equal(await assertRowsHoldTheirBytes(tt, fake), before.length);
        // The album folders made before are the album folders now, links and all.
        assert.deepEqual(await albumTree(tt.target), albumsBefore);
      },
    );

    const old = acct.items.find((i) =>
      i.inLibrary && !i.archived && !i.mimeType.startsWith("video/")
    )!;
    const index = MediaIndex.open(tt.target);
    const oldPath = index.getItem(old.id)!.path;
    index.close();
    const oldBytes = await Deno.readFile(join(tt.target, oldPath));
    // A new upload with the same name and time: same size, other bytes.
    const copy = old.bytes();
    copy[copy.length - 1] ^= 0xff;
    const fresh: FakeItem = { ...old, id: `${old.id}new`, bytes: () => copy.slice() };
    // Listed first, so the new index gives it the old item's name.
    acct.items.unshift(fresh);
    const served = fake.servedBytes(fresh.id, "d");
    assert.equal(served.length, oldBytes.length, "same size: only the hash tells them apart");
    assert.notEqual(await sha256Hex(served), await sha256Hex(oldBytes));

    await t.step("a new item named like an old one gets its own (n) name", async () => {
      await loseIndex(tt.target);
      await sync(tt);
      const idx = MediaIndex.open(tt.target);
      try {
        const newPath = idx.getItem(fresh.id)!.path;
        const dot = oldPath.lastIndexOf(".");
        // Its own " (n)": which n depends on the order the listing and the checks run in.
        const [stem, ext] = [oldPath.slice(0, dot), oldPath.slice(dot)];
        assert.ok(newPath.startsWith(`${stem} (`) && newPath.endsWith(`)${ext}`), newPath);
        assert.equal(idx.getItem(old.id)!.path, oldPath, "the old item keeps its file");
      } finally {
        idx.close();
      }
      assert.deepEqual(await Deno.readFile(join(tt.target, oldPath)), oldBytes, "untouched");
      assert.equal(await assertRowsHoldTheirBytes(tt, fake), before.length + 1);
      assert.equal((await photoFiles(tt.target)).length, before.length + 1);
      const st = await runCli(["status", tt.target, "--verify"], tt.env);
      assert.equal(st.code, 0, st.stdout + st.stderr);
      assert.deepEqual(
        Object.keys(await albumTree(tt.target)).filter((p) => / \(2\)$/.test(p)),
        [],
        "no album folder made twice",
      );
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("a FAILED video is skipped until Google lists it otherwise, by sync and download alike", async () => {
  const acct = generateAccount({ items: 6, seed: 43, albums: 0, nasty: false });
  const video = acct.items[0];
  video.mimeType = "video/mp4";
  video.filename = "broken.mp4";
  video.videoStatus = "FAILED";
  const fake = await startFakeGoogle({ account: acct, seed: 43 });
  const tt = await setupTarget(fake);
  try {
    const first = await sync(tt);
    const skipped = (first.download as { skippedItems: { id: string; reason: string }[] })
      .skippedItems;
    assert.deepEqual(skipped.map((s) => s.id), [video.id]);
    assert.match(skipped[0].reason, /status FAILED/);
    fake.resetCounters();
    const dl = await runCli(["download", tt.target, "--json"], tt.env);
    assert.equal(dl.code, 0, dl.stderr);
    assert.equal(fake.counters().media, 0, "download does not retry it either");
    const st = await runCli(["status", tt.target, "--json"], tt.env);
    assert.equal(st.code, 0, st.stdout);
    const status = JSON.parse(st.stdout.trim().split("\n").at(-1)!);
    assert.equal(status.skipped, 1);
    assert.equal(status.pending, 0);
    assert.deepEqual(status.skippedItems.map((s: { id: string }) => s.id), [video.id]);
    // Google processed it after all: the next listing says READY and it is fetched.
    video.videoStatus = "READY";
    const again = await sync(tt);
    assert.equal((again.download as { downloaded: number }).downloaded, 1);
    const index = MediaIndex.open(tt.target);
    try {
      assert.deepEqual(index.skippedItems(), []);
      assert.ok(index.getItem(video.id)!.downloadedAt);
    } finally {
      index.close();
    }
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});
