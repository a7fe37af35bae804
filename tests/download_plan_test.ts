import assert from "node:assert/strict";
import { join } from "node:path";
import { MediaIndex, settleListings } from "../src/index/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { runCli, setupTarget } from "./helpers.ts";

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** The ids `download --dry-run` lists. */
function planned(stdout: string): string[] {
  const summary = jsonLines(stdout).at(-1)!;
  return (summary.items as { id: string }[]).map((i) => i.id).sort();
}

/** The ids the engine fetched (or found complete on disk) in a `download --json` run. */
function fetched(stdout: string): string[] {
  return jsonLines(stdout)
    .filter((e) => e.type === "item" && e.phase === "download" && e.status === "downloaded")
    .map((e) => e.id as string)
    .sort();
}

Deno.test("download --dry-run lists exactly the items the engine then fetches", async (t) => {
  const account = generateAccount({ items: 12, seed: 31, albums: 0, nasty: false });
  const listed = account.items.filter((i) => i.inLibrary && !i.archived);
  const video = listed[0];
  video.mimeType = "video/mp4";
  video.filename = "clip.mp4";
  video.videoStatus = "READY";
  const [missing, changed, present, pendingA, pendingB, removed] = listed.slice(1, 7).map((i) =>
    i.id
  );
  const fake = await startFakeGoogle({ account, seed: 31 });
  const tt = await setupTarget(fake);
  try {
    assert.equal((await runCli(["index", tt.target], tt.env)).code, 0);
    const first = await runCli(["download", tt.target, "--skip-video"], tt.env);
    assert.equal(first.code, 0, first.stderr);

    const index = MediaIndex.open(tt.target);
    try {
      const fileOf = (id: string) => join(tt.target, index.getItem(id)!.path);
      await Deno.remove(fileOf(missing));
      await Deno.writeTextFile(fileOf(changed), "edited", { append: true });
      for (const id of [pendingA, pendingB, removed]) {
        await Deno.remove(fileOf(id));
        index.markNotDownloaded(id);
      }
      // Google no longer lists `removed`: every other item is seen after the listing started.
      const listingStart = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      index.touchItems(index.allItems().map((r) => r.id).filter((id) => id !== removed));
      settleListings(index, { since: listingStart, incomplete: [] });
      index.upsertItems([{
        id: "picked-only",
        source: "picker",
        originalName: "picked.jpg",
        mimeType: "image/jpeg",
        mediaType: "photo",
        captureTime: "2021-05-05T10:00:00Z",
        dateSource: "picker",
        fidelity: "picker",
      }]);
      assert.ok(index.getItem(present)!.downloadedAt);
      assert.equal(index.getItem(video.id)!.downloadedAt, null);
    } finally {
      index.close();
    }

    for (
      const [flags, want] of [
        [["--skip-video", "--retry-download"], [missing, changed, pendingA, pendingB]],
        [[], [video.id]],
      ] as const
    ) {
      await t.step(`download ${flags.join(" ") || "(no flags)"}`, async () => {
        const dry = await runCli(["download", tt.target, "--dry-run", "--json", ...flags], tt.env);
        assert.equal(dry.code, 0, dry.stderr);
        const plan = planned(dry.stdout);
        assert.deepEqual(plan, [...want].sort());
        const run = await runCli(["download", tt.target, "--json", ...flags], tt.env);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(fetched(run.stdout), plan);
      });
    }
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});
