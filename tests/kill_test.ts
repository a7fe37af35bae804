import assert from "node:assert/strict";
import { sha256Hex } from "../src/files/hash.ts";
import { join } from "node:path";
import { MediaIndex } from "../src/index/mod.ts";
import { TEMP_DIR, tempNameFor } from "../src/files/atomic_file.ts";
import type { FakeItem } from "./fixtures/account_types.ts";
import { generateAccount, mulberry32 } from "./fixtures/generate.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { CLI_PROCESS_ARGS, ISSUE_FAULTS, runCli, setupTarget, walkFiles } from "./helpers.ts";

function sha256(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

/** Where Deno keeps its cache: the child gets another HOME, so it must be told. */
async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

Deno.test("a download killed with SIGKILL five times ends as if it had never been", async (t) => {
  const account = generateAccount({ items: 2000, seed: 31, albums: 0 });
  const fake = await startFakeGoogle({
    account,
    seed: 31,
    ...ISSUE_FAULTS,
  });
  const tt = await setupTarget(fake);
  const target = tt.target;
  const env = { ...tt.env, DENO_DIR: await denoDir() };
  const byId = new Map(account.items.map((i) => [i.id, i]));
  const served = (item: FakeItem) =>
    fake.servedBytes(item.id, item.mimeType.startsWith("video/") ? "dv" : "d");
  const listed = account.items.filter((i) => i.inLibrary && !i.archived);
  const fetchable = listed.filter((i) => (i.videoStatus ?? "READY") === "READY");
  const random = mulberry32(31);

  const spawn = () =>
    new Deno.Command(Deno.execPath(), {
      args: [
        ...CLI_PROCESS_ARGS,
        "download",
        target,
        "--json",
      ],
      env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();

  /** Items whose bytes are all on disk: a final file, or a temporary file as long as the item. */
  const completeOnDisk = async (): Promise<Set<string>> => {
    const index = MediaIndex.open(target);
    try {
      const done = new Set<string>();
      const tempSizes = new Map<string, number>();
      const photos = await Deno.stat(join(target, "photos")).then(() => true, () => false);
      for (const f of photos ? await walkFiles(join(target, "photos")) : []) {
        const row = index.getItemByPath(`photos/${f}`);
        assert.ok(row, `file "photos/${f}" belongs to an item`);
        // No file under a final name is ever incomplete.
        const want = served(byId.get(row.id)!);
        const got = await Deno.readFile(join(target, "photos", f));
        assert.equal(sha256(got), sha256(want), `final file "photos/${f}" is complete`);
        done.add(row.id);
      }
      const temps = await Deno.stat(join(target, TEMP_DIR)).then(() => true, () => false);
      for (const name of temps ? await walkFiles(join(target, TEMP_DIR)) : []) {
        tempSizes.set(name, (await Deno.stat(join(target, TEMP_DIR, name))).size);
      }
      for (const row of index.pendingItems()) {
        const size = tempSizes.get(tempNameFor(row.path));
        if (size !== undefined && size === served(byId.get(row.id)!).length) done.add(row.id);
      }
      return done;
    } finally {
      index.close();
    }
  };

  try {
    assert.equal((await runCli(["index", target], tt.env)).code, 0);
    const kills: { atMedia: number; onDisk: number }[] = [];

    await t.step("five runs killed at random moments", async () => {
      for (let k = 0; k < 5; k++) {
        const before = fake.core.counts.media;
        const callsBefore = fake.calls.length;
        const protectedIds = await completeOnDisk();
        const child = spawn();
        // A random moment: after a random number of media requests of this run.
        const atMedia = before + 10 + Math.floor(random() * 300);
        let exited = false;
        const status = child.status.then((s) => {
          exited = true;
          return s;
        });
        while (!exited && fake.core.counts.media < atMedia) {
          await new Promise((r) => setTimeout(r, 1));
        }
        if (!exited) child.kill("SIGKILL");
        const s = await status;
        await child.stdout.cancel();
        await child.stderr.cancel();
        assert.equal(s.signal, "SIGKILL", `run ${k + 1} was killed before it could finish`);
        // What was completely on disk before this run was not fetched again by it.
        const refetched = fake.calls.slice(callsBefore).filter((c) =>
          c.kind === "media" && c.itemId !== undefined && protectedIds.has(c.itemId)
        );
        assert.deepEqual(refetched.map((c) => c.itemId), [], `run ${k + 1} fetched nothing stored`);
        kills.push({ atMedia: fake.core.counts.media, onDisk: (await completeOnDisk()).size });
      }
      assert.ok(kills[4].onDisk > 0, "the killed runs made progress");
    });

    await t.step("the last run finishes without fetching what is stored", async () => {
      const protectedIds = await completeOnDisk();
      const callsBefore = fake.calls.length;
      const child = spawn();
      const out = await child.output();
      const stdout = new TextDecoder().decode(out.stdout);
      // The FAILED video is skipped, not failed: exit 0, as an uninterrupted run would. A killed
      // run may have recorded it as skipped already, so this run skips it or does not queue it.
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const summary = JSON.parse(stdout.trim().split("\n").pop()!);
      assert.equal(summary.failed, 0);
      assert.ok(summary.skipped === 1 || summary.skipped === 2, String(summary.skipped));
      const refetched = fake.calls.slice(callsBefore).filter((c) =>
        c.kind === "media" && c.itemId !== undefined && protectedIds.has(c.itemId)
      );
      assert.deepEqual(refetched, []);
    });

    await t.step(
      "every item is there byte for byte, once, and no temporary file is left",
      async () => {
        const index = MediaIndex.open(target);
        try {
          for (const item of fetchable) {
            const row = index.getItem(item.id)!;
            assert.ok(row.downloadedAt, row.path);
            const want = served(item);
            assert.equal(row.sha256, sha256(want), row.path);
            assert.equal(sha256(await Deno.readFile(join(target, row.path))), row.sha256, row.path);
          }
          const files = (await walkFiles(target)).filter((f) => f.startsWith("photos/"));
          const temps = (await walkFiles(target)).filter((f) => f.startsWith(`${TEMP_DIR}/`));
          assert.deepEqual(temps, [], "no temporary file is left");
          assert.deepEqual(files, index.downloadedItems().map((r) => r.path).sort());
          assert.equal(files.length, fetchable.length);
          assert.deepEqual(index.failures(), []);
          assert.deepEqual(
            index.skippedItems().map((f) => f.id),
            listed.filter((i) => i.videoStatus === "FAILED").map((i) => i.id),
          );
          const running = index.lastRuns().find((r) => r.command === "download");
          assert.equal(running?.status, "ok");
        } finally {
          index.close();
        }
        // Completed transfers per item: more than one only for an item whose last bytes were on
        // the wire when a run was killed (at most the 16 transfers under way, per kill).
        const complete = fake.counters().mediaComplete;
        const twice = [...complete.values()].filter((n) => n > 1).length;
        assert.ok(twice <= 5 * 16, `${twice} items completed twice`);
      },
    );
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});
