import assert from "node:assert/strict";
import { sha256Hex } from "../src/files/hash.ts";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { INDEX_FILE, MediaIndex, settleListings } from "../src/index/mod.ts";
import type { MediaRecord } from "../src/index/types.ts";
import { verifyFiles } from "../src/sync/verify.ts";
import type { RunEvent } from "../src/events.ts";
import { runCli } from "./helpers.ts";

function record(id: string, over: Partial<MediaRecord> = {}): MediaRecord {
  return {
    id,
    source: "library",
    originalName: `${id}.jpg`,
    mimeType: "image/jpeg",
    mediaType: "photo",
    captureTime: "2021-04-05T06:07:08Z",
    dateSource: "api",
    ...over,
  };
}

/** A TARGET built without Google: items, files, a failure, a removed item and two runs. */
async function buildTarget(): Promise<{ target: string; paths: Record<string, string> }> {
  const target = await Deno.makeTempDir();
  const index = MediaIndex.open(target);
  try {
    index.upsertItems([
      record("a"),
      record("b"),
      record("c", {
        source: "takeout",
        originalName: "c.mp4",
        mimeType: "video/mp4",
        mediaType: "video",
      }),
      record("pending"),
      record("broken"),
      record("gone"),
    ]);
    const paths: Record<string, string> = {};
    for (const id of ["a", "b", "c", "gone"]) {
      const row = index.getItem(id)!;
      paths[id] = row.path;
      const bytes = new TextEncoder().encode(`bytes of ${id}`);
      await Deno.mkdir(join(target, row.folder), { recursive: true });
      await Deno.writeFile(join(target, row.path), bytes);
      const sha256 = sha256Hex(bytes);
      index.markDownloaded(id, { size: bytes.length, sha256, fidelity: "api" });
    }
    paths.broken = index.getItem("broken")!.path;
    index.recordFailure("broken", "download", 'Media "x" failed: 500 INTERNAL: boom');
    index.recordFailure("broken", "download", 'Media "x" failed: 500 INTERNAL: boom again');
    // Seen in an older listing only: marked removed, its file kept.
    const db = new DatabaseSync(join(target, INDEX_FILE));
    db.exec("UPDATE media_items SET last_seen_at = '2000-01-01T00:00:00Z' WHERE id = 'gone'");
    db.close();
    settleListings(index, { since: "2001-01-01T00:00:00Z", incomplete: [] });
    const run = index.startRun("sync");
    index.finishRun(run, { status: "partial", apiCalls: 12, mediaFetches: 34 });
    index.startRun("download");
    return { target, paths };
  } finally {
    index.close();
  }
}

Deno.test("status reports the index without Google, a token or a lock", async (t) => {
  const { target, paths } = await buildTarget();
  try {
    await t.step(
      "text: counts, failures with reasons, removed items, last runs; exit 4",
      async () => {
        const r = await runCli(["status", target], {});
        assert.equal(r.code, 4, r.stderr);
        assert.match(
          r.stdout,
          /items: 5 \(3 downloaded, 2 pending\), 1 removed from Google, 1 failed/,
        );
        assert.match(r.stdout, /library +photo +4 items, +2 downloaded/);
        assert.match(r.stdout, /takeout +video +1 items, +1 downloaded/);
        assert.ok(
          r.stdout.includes(
            `${paths.broken}: Media "x" failed: 500 INTERNAL: boom again (2 attempts`,
          ),
        );
        assert.match(
          r.stdout,
          /removed from Google \(files kept\):\n {2}photos\/2021\/04\/gone\.jpg/,
        );
        assert.match(
          r.stdout,
          /sync +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00 +partial \(API calls 12, media fetches 34\)/,
        );
        assert.match(
          r.stdout,
          /download +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00 +running or killed/,
        );
        assert.match(r.stdout, /bytes on disk: \d+ B/);
      },
    );

    await t.step("--json: one summary object with the whole lists", async () => {
      const r = await runCli(["status", target, "--json"], {});
      assert.equal(r.code, 4);
      const s = JSON.parse(r.stdout.trim().split("\n").pop()!);
      assert.equal(s.type, "summary");
      assert.equal(s.ok, false);
      assert.equal(s.items, 5);
      assert.equal(s.downloaded, 3);
      assert.equal(s.pending, 2);
      assert.deepEqual(s.removedItems.map((x: { id: string }) => x.id), ["gone"]);
      assert.equal(s.failures[0].attempts, 2);
      assert.equal(s.verify, undefined);
    });

    await t.step("verifyFiles() re-hashes every file and reports progress", async () => {
      const index = MediaIndex.open(target);
      try {
        const events: RunEvent[] = [];
        const clean = await verifyFiles(target, index, { onEvent: (e) => events.push(e) });
        assert.equal(clean.checked, 4);
        assert.equal(clean.ok, 4);
        assert.ok(events.some((e) => e.type === "phase" && e.phase === "verify" && e.total === 4));
        await Deno.writeTextFile(join(target, paths.a), "bytes of A");
        await Deno.remove(join(target, paths.gone));
        const bad = await verifyFiles(target, index, { concurrency: 2 });
        assert.deepEqual(bad.changed.map((p) => p.id), ["a"]);
        assert.notEqual(bad.changed[0].actual?.sha256, bad.changed[0].expected.sha256);
        assert.deepEqual(bad.missing.map((p) => p.id), ["gone"]);
        assert.equal(bad.ok, 2);
      } finally {
        index.close();
      }
    });

    await t.step("verifyFiles() stops on its signal and says it was interrupted", async () => {
      const index = MediaIndex.open(target);
      try {
        const stop = new AbortController();
        const r = await verifyFiles(target, index, {
          concurrency: 1,
          signal: stop.signal,
          onEvent: (e) => e.type === "progress" && stop.abort(),
        });
        assert.equal(r.checked, 1);
        assert.equal(r.interrupted, true);
      } finally {
        index.close();
      }
    });

    await t.step("a clean index exits 0", async () => {
      const index = MediaIndex.open(target);
      try {
        index.clearFailure("broken");
      } finally {
        index.close();
      }
      assert.equal((await runCli(["status", target], {})).code, 0);
      assert.equal((await runCli(["status", target, "--verify", "--quiet"], {})).code, 4);
    });
  } finally {
    await Deno.remove(target, { recursive: true });
  }
});
