import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireLock, MediaIndex } from "../src/index/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { runCli, setupTarget } from "./helpers.ts";

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

Deno.test("download and status report a processing video, an always-failing item and files gone wrong", async (t) => {
  const account = generateAccount({ items: 30, seed: 21, albums: 0, nasty: false });
  const listed = account.items.filter((i) => i.inLibrary && !i.archived);
  const video = listed[0];
  video.mimeType = "video/mp4";
  video.filename = "clip.mp4";
  video.videoStatus = "PROCESSING";
  const broken = listed[1];
  const fake = await startFakeGoogle({ account, seed: 21, alwaysFail: new Set([broken.id]) });
  const tt = await setupTarget(fake);
  const target = tt.target;
  const rowOf = (id: string) => {
    const index = MediaIndex.open(target);
    try {
      return index.getItem(id)!;
    } finally {
      index.close();
    }
  };
  try {
    assert.equal((await runCli(["index", target], tt.env)).code, 0);

    await t.step(
      "download skips the processing video, records the failing item, exits 4",
      async () => {
        const r = await runCli(["download", target, "--json", "--max-threads", "4"], tt.env);
        assert.equal(r.code, 4, r.stderr);
        const s = lastJson(r.stdout);
        assert.equal(s.type, "summary");
        assert.equal(s.downloaded, listed.length - 2);
        assert.equal(s.skipped, 1);
        assert.equal(s.failed, 1);
        assert.equal((s.failedItems as { id: string }[])[0].id, broken.id);
        assert.match((s.skippedItems as { reason: string }[])[0].reason, /processing/);
        assert.ok(Number(s.mediaFetches) >= listed.length - 1);
        assert.ok(Number(s.apiCalls) >= 1);
        assert.equal(s.apiCallsDailyQuota, 10000);
        assert.equal(s.mediaFetchesDailyQuota, 75000);
        const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
        assert.ok(events.some((e) => e.type === "progress" && e.phase === "download"));
      },
    );

    await t.step("status lists the failed item with its error and exits 4", async () => {
      const r = await runCli(["status", target], tt.env);
      assert.equal(r.code, 4);
      assert.ok(r.stdout.includes(rowOf(broken.id).path), r.stdout);
      assert.match(r.stdout, /500/);
      assert.match(r.stdout, /1 attempt/);
      assert.match(r.stdout, new RegExp(`${listed.length - 2} downloaded, 2 pending`));
      const j = await runCli(["status", target, "--json"], tt.env);
      const s = lastJson(j.stdout);
      assert.equal(s.ok, false);
      assert.equal((s.failures as { mediaId: string }[])[0].mediaId, broken.id);
      assert.ok((s.lastRuns as { command: string }[]).some((x) => x.command === "download"));
    });

    await t.step(
      "the next run fetches the video once ready and the item once it works",
      async () => {
        video.videoStatus = "READY";
        fake.setOptions({ alwaysFail: new Set() });
        const r = await runCli(["download", target], tt.env);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /download: 2 downloaded/);
        assert.match(r.stdout, /of Google's 10,000 a day/);
        assert.deepEqual(
          await Deno.readFile(join(target, rowOf(video.id).path)),
          fake.servedBytes(video.id, "dv"),
        );
        assert.equal(fake.counters().mediaComplete.get(video.id), 1);
        const s = await runCli(["status", target], tt.env);
        assert.equal(s.code, 0, s.stdout);
      },
    );

    await t.step("status --verify reports a deleted and a modified file and exits 4", async () => {
      const gone = rowOf(listed[2].id);
      const changed = rowOf(listed[3].id);
      await Deno.remove(join(target, gone.path));
      // Same size, other bytes: only the hash can tell.
      const bytes = await Deno.readFile(join(target, changed.path));
      bytes[bytes.length - 1] ^= 0xff;
      await Deno.writeFile(join(target, changed.path), bytes);
      assert.equal((await runCli(["status", target], tt.env)).code, 0, "without --verify");
      const r = await runCli(["status", target, "--verify"], tt.env);
      assert.equal(r.code, 4);
      assert.ok(r.stdout.includes(`missing ${gone.path}`), r.stdout);
      assert.ok(r.stdout.includes(`changed ${changed.path}`), r.stdout);
      assert.match(r.stdout, /2 missing|1 missing, 1 changed/);
      const j = lastJson((await runCli(["status", target, "--verify", "--json"], tt.env)).stdout);
      const v = j.verify as { missing: { id: string }[]; changed: { id: string }[]; ok: number };
      assert.deepEqual(v.missing.map((m) => m.id), [gone.id]);
      assert.deepEqual(v.changed.map((m) => m.id), [changed.id]);
      assert.equal(v.ok, listed.length - 2);
    });

    await t.step("download --retry-download fetches missing and resized files again", async () => {
      const changed = rowOf(listed[3].id);
      const r = await runCli(["download", target, "--retry-download", "--json"], tt.env);
      assert.equal(r.code, 0);
      // The check is cheap (a stat): a same-size change needs --verify to be seen.
      assert.equal(lastJson(r.stdout).downloaded, 1);
      assert.equal((await runCli(["status", target, "--verify"], tt.env)).code, 4);
      await Deno.writeFile(join(target, changed.path), new Uint8Array(1));
      const again = await runCli(["download", target, "--retry-download", "--json"], tt.env);
      assert.equal(lastJson(again.stdout).downloaded, 1);
      assert.equal(lastJson(again.stdout).rechecked, 1);
      assert.deepEqual(
        await Deno.readFile(join(target, changed.path)),
        fake.servedBytes(listed[3].id, "d"),
      );
      assert.equal((await runCli(["status", target, "--verify"], tt.env)).code, 0);
    });

    await t.step(
      "status needs no token and no lock, and refuses a folder without an index",
      async () => {
        await Deno.remove(join(target, ".gphotos.token"));
        const lock = await acquireLock(target, "test");
        try {
          const r = await runCli(["status", target], { HOME: tt.root });
          assert.equal(r.code, 0, r.stderr);
        } finally {
          lock.release();
        }
        const empty = await Deno.makeTempDir();
        try {
          const r = await runCli(["status", empty], { HOME: tt.root });
          assert.equal(r.code, 2);
          assert.match(r.stderr, /No index/);
          assert.deepEqual([...Deno.readDirSync(empty)], []);
        } finally {
          await Deno.remove(empty, { recursive: true });
        }
      },
    );
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});

Deno.test("download --skip-video leaves videos pending and never fetches them", async () => {
  const account = generateAccount({ items: 24, seed: 23, albums: 0, nasty: false });
  const listed = account.items.filter((i) => i.inLibrary && !i.archived);
  listed[0].mimeType = "video/mp4";
  listed[0].filename = "a.mp4";
  listed[0].videoStatus = "READY";
  const fake = await startFakeGoogle({ account, seed: 23, latencyMs: 20 });
  const tt = await setupTarget(fake);
  try {
    assert.equal((await runCli(["index", tt.target], tt.env)).code, 0);
    const r = await runCli(
      ["download", tt.target, "--skip-video", "--concurrency", "3", "--json"],
      tt.env,
    );
    assert.equal(r.code, 0, r.stderr);
    const videos = listed.filter((i) => i.mimeType.startsWith("video/")).length;
    assert.equal(lastJson(r.stdout).downloaded, listed.length - videos);
    const index = MediaIndex.open(tt.target);
    try {
      assert.equal(index.pendingItems().length, videos);
    } finally {
      index.close();
    }
    const media = fake.calls.filter((c) => c.kind === "media");
    assert.ok(media.every((c) => !c.itemId || c.itemId !== listed[0].id));
    assert.ok(media.length >= listed.length - videos);
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});

Deno.test("download stops with exit 3 when the token is revoked, recording no failures", async () => {
  const account = generateAccount({ items: 10, seed: 25, albums: 0, nasty: false });
  const fake = await startFakeGoogle({ account, seed: 25, accessTokenLifetimeS: 60 });
  const tt = await setupTarget(fake);
  try {
    assert.equal((await runCli(["index", tt.target], tt.env)).code, 0);
    const token = JSON.parse(await Deno.readTextFile(join(tt.target, ".gphotos.token")));
    fake.revokeRefreshToken(token.refresh_token);
    fake.advanceClock(120);
    const r = await runCli(["download", tt.target], tt.env);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /auth/);
    const index = MediaIndex.open(tt.target);
    try {
      assert.deepEqual(index.failures(), []);
      assert.equal(index.downloadedItems().length, 0);
    } finally {
      index.close();
    }
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});
