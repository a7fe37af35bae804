import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { runCli, setupTarget, sha256Hex, walkFiles } from "./helpers.ts";
import { MediaIndex } from "../src/index/mod.ts";

Deno.test("sync (the bare command) indexes, downloads and links albums in one run", async (t) => {
  const account = generateAccount({ items: 150, seed: 21, albums: 4 });
  const fake = await startFakeGoogle({ account, seed: 21, quirks: true });
  const tt = await setupTarget(fake);
  try {
    const res = await runCli([tt.target, "--json"], tt.env);
    // The account holds a FAILED video on purpose: Google cannot serve it, so it is skipped with
    // its reason (not a failure a rerun fixes), the rest lands, exit 0.
    assert.equal(res.code, 0, res.stderr);
    const summary = JSON.parse(res.stdout.trim().split("\n").at(-1)!);
    assert.equal(summary.command, "sync");

    const index = MediaIndex.open(tt.target);
    try {
      await t.step(
        "every downloadable item is on disk, byte-identical to what Google serves",
        async () => {
          const rows = index.allItems();
          const byId = new Map(account.items.map((i) => [i.id, i]));
          let checked = 0;
          for (const row of rows) {
            const item = byId.get(row.id)!;
            if (item.videoStatus && item.videoStatus !== "READY") {
              assert.equal(row.downloadedAt, null, `${row.path} is not READY`);
              continue;
            }
            assert.ok(row.downloadedAt, `${row.path} downloaded`);
            const bytes = await Deno.readFile(join(tt.target, row.path));
            const served = fake.servedBytes(row.id, row.mediaType === "video" ? "dv" : "d");
            assert.equal(await sha256Hex(bytes), await sha256Hex(served), row.path);
            assert.equal(row.sha256, await sha256Hex(served));
            checked++;
          }
          assert.ok(checked > 100);
          // Album-only items were found through the albums and downloaded too.
          const albumOnly = account.items.filter((i) => !i.inLibrary);
          assert.ok(albumOnly.length > 0);
          for (const item of albumOnly) {
            assert.ok(index.getItem(item.id)?.downloadedAt, item.filename);
          }
        },
      );

      await t.step("album folders hold links that resolve into photos/", async () => {
        const files = await walkFiles(join(tt.target, "albums"));
        assert.ok(files.length > 0);
        for (const f of files) {
          const path = join(tt.target, "albums", f);
          const info = await Deno.lstat(path);
          assert.ok(info.isSymlink, f);
          const real = await Deno.realPath(path);
          assert.ok(real.startsWith(await Deno.realPath(join(tt.target, "photos"))), f);
        }
      });

      await t.step(
        "status lists the FAILED video as skipped, with the reason, exit 0",
        async () => {
          const st = await runCli(["status", tt.target], tt.env);
          assert.equal(st.code, 0, st.stdout + st.stderr);
          assert.deepEqual(index.failures(), []);
          const failedVideos = account.items.filter((i) =>
            i.inLibrary && i.videoStatus === "FAILED"
          );
          assert.ok(failedVideos.length >= 1);
          const skipped = index.skippedItems();
          assert.deepEqual(skipped.map((s) => s.id).sort(), failedVideos.map((i) => i.id).sort());
          const text = st.stdout.split("\n");
          const at = text.indexOf("skipped (Google cannot serve them):");
          assert.ok(at >= 0, st.stdout);
          assert.ok(text[at + 1].includes(`${skipped[0].path}: `), text[at + 1]);
          assert.match(text[at + 1], /status FAILED/);
        },
      );
    } finally {
      index.close();
    }

    await t.step("a second sync fetches nothing again", async () => {
      fake.resetCounters();
      const again = await runCli(["sync", tt.target, "--json"], tt.env);
      assert.equal(again.code, 0, again.stderr);
      const s = JSON.parse(again.stdout.trim().split("\n").at(-1)!);
      assert.equal(s.download.downloaded, 0);
      assert.equal(fake.counters().mediaComplete.size, 0);
      // The FAILED video is not tried again: no media request at all.
      assert.equal(fake.counters().media, 0);
      const failedIds = new Set(
        account.items.filter((i) => i.videoStatus === "FAILED").map((i) => i.id),
      );
      assert.ok(failedIds.size >= 1);
      for (const x of s.download.skippedItems) assert.ok(!failedIds.has(x.id), x.path);
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("sync --index-only downloads nothing; --skip-index downloads what the index has", async () => {
  const account = generateAccount({ items: 40, seed: 22, nasty: false, albums: 1 });
  const fake = await startFakeGoogle({ account, seed: 22 });
  const tt = await setupTarget(fake);
  try {
    const first = await runCli(["sync", tt.target, "--index-only"], tt.env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(fake.counters().media, 0);
    fake.resetCounters();
    const dry = await runCli(["download", tt.target, "--dry-run", "--json"], tt.env);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout.trim().split("\n").at(-1)!);
    assert.equal(
      plan.wouldDownload,
      account.items.filter((i) => i.inLibrary && !i.archived).length,
    );
    assert.equal(fake.counters().api + fake.counters().media, 0, "a dry run asks Google nothing");
    await assert.rejects(Deno.stat(join(tt.target, "photos")), Deno.errors.NotFound);
    const second = await runCli(
      ["sync", tt.target, "--skip-index", "--skip-albums", "--json"],
      tt.env,
    );
    assert.equal(second.code, 0, second.stderr);
    const s = JSON.parse(second.stdout.trim().split("\n").at(-1)!);
    assert.equal(s.index, null);
    assert.ok(s.download.downloaded > 0);
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});
