import assert from "node:assert/strict";
import { sha256Hex } from "../src/files/hash.ts";
import { join } from "node:path";
import type { RunEvent } from "../src/events.ts";
import type { MediaRow } from "../src/index/types.ts";
import { TEMP_DIR, tempPathFor } from "../src/files/atomic_file.ts";
import { DownloadEngine, downloadPending } from "../src/sync/download_engine.ts";
import { recordTransfer, recordTransferDone, transferOf } from "../src/index/transfer_queries.ts";
import { indexLibrary } from "../src/sources/library/library_index.ts";
import { LibraryUrlSource } from "../src/sources/library/media_urls.ts";
import type { FakeItem } from "./fixtures/account_types.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { type Rig, rig } from "./engine_rig.ts";
import { ISSUE_FAULTS, walkFiles } from "./helpers.ts";

function sha256(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

function param(item: FakeItem): "d" | "dv" {
  return item.mimeType.startsWith("video/") ? "dv" : "d";
}

/** Asserts every downloaded item's file holds exactly what the fake serves, with the right mtime. */
async function assertFilesMatch(r: Rig, items: FakeItem[]): Promise<void> {
  for (const item of items) {
    const row = r.index.getItem(item.id);
    assert.ok(row, `item ${item.id} (${item.filename}) is indexed`);
    assert.ok(row.downloadedAt, `item "${item.filename}" is downloaded`);
    const want = r.fake.servedBytes(item.id, param(item));
    const got = await Deno.readFile(join(r.t.target, row.path));
    assert.equal(sha256(got), sha256(want), `bytes of "${row.path}"`);
    assert.equal(row.sha256, sha256(want));
    assert.equal(row.size, want.length);
    assert.equal(row.fidelity, "api");
    if (row.captureTime) {
      const info = await Deno.stat(join(r.t.target, row.path));
      assert.equal(info.mtime?.getTime(), new Date(row.captureTime).getTime(), row.path);
    }
  }
}

/** Files of TARGET other than the index, token and lock: each must be an item's path. */
async function mediaFiles(target: string): Promise<string[]> {
  return (await walkFiles(target)).filter((f) =>
    !/^(gphotos\.sqlite(-wal|-shm)?|gphotos\.lock|\.gphotos\.token)$/.test(f)
  );
}

Deno.test("DownloadEngine fetches a faulty 2,000-item library byte for byte", async (t) => {
  const account = generateAccount({ items: 2000, seed: 11, albums: 0 });
  const r = await rig({
    account,
    seed: 11,
    ...ISSUE_FAULTS,
  });
  try {
    const urls = new LibraryUrlSource({ api: r.library });
    const events: RunEvent[] = [];
    let expired = 0;
    const engine = new DownloadEngine({
      target: r.t.target,
      index: r.index,
      http: r.http,
      urls,
      maxThreads: 16,
      tally: r.pacer.tally,
      cutBackoffMs: 1,
      onEvent(e) {
        events.push(e);
        // Age every URL and token twice during the run, as an hour-long download would.
        if (e.type === "progress" && e.phase === "download" && e.done >= 600 * (expired + 1)) {
          expired++;
          r.fake.advanceClock(31);
        }
      },
    });
    const started = performance.now();
    // As `sync` does: downloads start while the index is still filling.
    const indexed = await indexLibrary(r.library, r.index, {
      onPage: (items) => urls.seed(items),
      onAdded: (rows) => engine.add(rows),
    });
    const summary = await engine.finish();
    const seconds = (performance.now() - started) / 1000;

    const listed = account.items.filter((i) => i.inLibrary && !i.archived);
    const processing = listed.filter((i) => i.videoStatus === "PROCESSING");
    const failedVideo = listed.filter((i) => i.videoStatus === "FAILED");
    const fetchable = listed.filter((i) =>
      i.videoStatus === undefined || i.videoStatus === "READY"
    );

    await t.step("every fetchable item lands byte-identical, with its capture time", async () => {
      assert.equal(indexed.listed, listed.length);
      assert.equal(summary.downloaded, fetchable.length);
      assert.equal(summary.recorded, 0);
      await assertFilesMatch(r, fetchable);
    });

    await t.step("a processing video is skipped, a failed one skipped and recorded so", () => {
      const skipped = new Set(summary.skipped.map((s) => s.id));
      assert.deepEqual(skipped, new Set([...processing, ...failedVideo].map((i) => i.id)));
      const reasons = new Map(summary.skipped.map((s) => [s.id, s.reason]));
      for (const i of processing) assert.match(reasons.get(i.id)!, /processing/);
      for (const i of failedVideo) assert.match(reasons.get(i.id)!, /FAILED/);
      assert.deepEqual(summary.failed, []);
      assert.deepEqual(r.index.failures(), []);
      assert.deepEqual(r.index.skippedItems().map((s) => s.id), failedVideo.map((i) => i.id));
    });

    await t.step("no temporary file is left and no item appears twice", async () => {
      const files = await mediaFiles(r.t.target);
      assert.deepEqual(files.filter((f) => f.startsWith(`${TEMP_DIR}/`)), []);
      const paths = r.index.downloadedItems().map((row) => row.path).sort();
      assert.deepEqual(files, paths);
      for (const [id, n] of r.fake.counters().mediaComplete) {
        assert.equal(n, 1, `item ${id} fetched completely ${n} times`);
      }
    });

    await t.step("the faults really happened and were survived", () => {
      const media = r.fake.calls.filter((c) => c.kind === "media");
      assert.ok(media.some((c) => c.status === 429), "429s");
      assert.ok(media.some((c) => c.status === 500 || c.status === 503), "5xx");
      assert.ok(media.some((c) => c.status === 403), "expired URLs");
      assert.ok(media.some((c) => c.status === 206 && c.range), "ranges resumed cut transfers");
      assert.ok(expired >= 2, "clock advanced");
      assert.ok(urls.batchCalls > 0, "batchGet refreshed URLs");
      assert.ok(r.pacer.tally.retries > 100, `retries ${r.pacer.tally.retries}`);
      assert.equal(summary.mediaFetches, media.length, "every media request counted");
      assert.ok(summary.bytes >= fetchable.length);
      const last = events.findLast((e) => e.type === "progress");
      assert.ok(last?.type === "progress" && last.done === listed.length);
      assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
    });

    await t.step(
      "hostile names land inside TARGET/photos and nothing is written elsewhere",
      async () => {
        for (const row of r.index.allItems()) {
          assert.ok(row.path.startsWith("photos/"), row.path);
          assert.ok(!row.path.split("/").includes(".."), row.path);
        }
        for (const f of await mediaFiles(r.t.target)) assert.ok(f.startsWith("photos/"), f);
        // The temp root holds only the target and the client secret the rig wrote.
        const root = (await walkFiles(r.t.root)).filter((f) => !f.startsWith("target/"));
        assert.deepEqual(root, ["client_secret.json"]);
      },
    );
  } finally {
    await r.close();
  }
});

Deno.test("DownloadEngine picks up after a killed run without fetching twice", async (t) => {
  const account = generateAccount({
    items: 40,
    seed: 3,
    albums: 0,
    nasty: false,
    itemBytes: 50_000,
  });
  const r = await rig({ account, seed: 3 });
  try {
    await indexLibrary(r.library, r.index, {});
    const rows = r.index.pendingItems();
    const [renamed, partial, orphan, whole] = rows;
    const served = (row: MediaRow) =>
      r.fake.servedBytes(row.id, row.mediaType === "video" ? "dv" : "d");

    await t.step("leave the state a SIGKILL could leave", async () => {
      await Deno.mkdir(join(r.t.target, TEMP_DIR), { recursive: true });
      // Renamed into place, index not updated yet: the digest was recorded before the rename.
      await Deno.mkdir(join(r.t.target, renamed.folder), { recursive: true });
      await Deno.writeFile(join(r.t.target, renamed.path), served(renamed));
      recordTransferDone(r.index, renamed.id, {
        size: served(renamed).length,
        sha256: sha256(served(renamed)),
      });
      // Half a temporary file.
      await Deno.mkdir(join(r.t.target, partial.folder), { recursive: true });
      const half = served(partial).subarray(0, 20_000);
      await Deno.writeFile(
        tempPathFor(r.t.target, partial.path),
        half,
      );
      // Every byte received, the run killed before the rename.
      await Deno.mkdir(join(r.t.target, whole.folder), { recursive: true });
      await Deno.writeFile(
        tempPathFor(r.t.target, whole.path),
        served(whole),
      );
      recordTransfer(r.index, whole.id, { total: served(whole).length, etag: '"x"' });
      recordTransfer(r.index, partial.id, { total: served(partial).length, etag: '"e"' });
      // A temporary file of an item that is complete by now.
      r.index.markDownloaded(orphan.id, { size: 1, sha256: "x" });
      await Deno.mkdir(join(r.t.target, orphan.folder), { recursive: true });
      await Deno.writeFile(
        tempPathFor(r.t.target, orphan.path),
        new Uint8Array(10),
      );
    });

    await t.step("the next run records, resumes and cleans up", async () => {
      const summary = await downloadPending({
        target: r.t.target,
        index: r.index,
        http: r.http,
        urls: new LibraryUrlSource({ api: r.library }),
        tally: r.pacer.tally,
      });
      assert.equal(summary.recorded, 2);
      assert.equal(summary.downloaded, rows.length - 3);
      assert.equal(summary.failed.length, 0);
      const complete = r.fake.counters().mediaComplete;
      assert.equal(complete.get(renamed.id), undefined, "the renamed file was not fetched");
      assert.ok(!r.fake.calls.some((c) => c.itemId === whole.id), "the whole temp was not fetched");
      const ranged = r.fake.calls.filter((c) => c.itemId === partial.id);
      assert.equal(ranged.length, 1);
      assert.equal(ranged[0].range, "bytes=20000-");
      assert.equal(ranged[0].status, 206);
      assert.equal(transferOf(r.index, partial.id), undefined, "finished transfers are forgotten");
      for (const row of rows.filter((x) => x.id !== orphan.id)) {
        const got = r.index.getItem(row.id)!;
        assert.equal(got.sha256, sha256(served(row)), row.path);
        assert.deepEqual(await Deno.readFile(join(r.t.target, row.path)), served(row));
      }
      const files = await mediaFiles(r.t.target);
      assert.deepEqual(files.filter((f) => f.startsWith(`${TEMP_DIR}/`)), []);
    });
  } finally {
    await r.close();
  }
});

Deno.test("downloadPending() with retryDownload fetches missing and changed files again", async () => {
  const account = generateAccount({ items: 12, seed: 5, albums: 0, nasty: false });
  const r = await rig({ account, seed: 5 });
  try {
    await indexLibrary(r.library, r.index, {});
    const run = (retryDownload: boolean) =>
      downloadPending({
        target: r.t.target,
        index: r.index,
        http: r.http,
        urls: new LibraryUrlSource({ api: r.library }),
      }, { retryDownload });
    const listed = account.items.filter((i) => i.inLibrary && !i.archived).length;
    assert.ok(listed >= 5);
    assert.equal((await run(false)).downloaded, listed);
    const [gone, changed] = r.index.downloadedItems();
    const original = await Deno.readFile(join(r.t.target, changed.path));
    await Deno.remove(join(r.t.target, gone.path));
    await Deno.writeFile(join(r.t.target, changed.path), new Uint8Array(3));
    assert.equal((await run(false)).downloaded, 0, "without the flag nothing is checked");
    const again = await run(true);
    assert.equal(again.rechecked, 2);
    assert.equal(again.downloaded, 2);
    assert.deepEqual(await Deno.readFile(join(r.t.target, changed.path)), original);
    assert.ok((await Deno.stat(join(r.t.target, gone.path))).isFile);
    assert.equal((await run(true)).downloaded, 0);
  } finally {
    await r.close();
  }
});

Deno.test("DownloadEngine skips a processing video, then fetches it once ready", async () => {
  const account = generateAccount({ items: 5, seed: 9, albums: 0, nasty: false });
  const video = account.items[0];
  video.mimeType = "video/mp4";
  video.filename = "clip.mp4";
  video.videoStatus = "PROCESSING";
  const r = await rig({ account, seed: 9 });
  try {
    await indexLibrary(r.library, r.index, {});
    const run = () =>
      downloadPending({
        target: r.t.target,
        index: r.index,
        http: r.http,
        urls: new LibraryUrlSource({ api: r.library }),
      });
    const listed = account.items.filter((i) => i.inLibrary && !i.archived).length;
    const first = await run();
    assert.deepEqual(first.skipped.map((s) => s.id), [video.id]);
    assert.equal(first.downloaded, listed - 1);
    assert.equal(first.failed.length, 0);
    assert.equal(r.index.getItem(video.id)?.downloadedAt, null);
    video.videoStatus = "READY";
    const second = await run();
    assert.equal(second.downloaded, 1);
    assert.deepEqual(second.skipped, []);
    assert.deepEqual(
      await Deno.readFile(join(r.t.target, r.index.getItem(video.id)!.path)),
      r.fake.servedBytes(video.id, "dv"),
    );
  } finally {
    await r.close();
  }
});

Deno.test("DownloadEngine stops on its signal and the next run finishes the job", async () => {
  const account = generateAccount({
    items: 30,
    seed: 13,
    albums: 0,
    nasty: false,
    itemBytes: 200_000,
  });
  // Photos only: every body is 200 kB (a video's `=dv` is longer), so bytes in that are no multiple
  // of it mean a body part-way; videos, fetched first, would break that.
  for (const item of account.items) {
    if (!item.mimeType.startsWith("video/")) continue;
    item.mimeType = "image/png";
    item.filename = item.filename.replace(/\.[^.]*$/, "") + ".png";
    delete item.videoStatus;
  }
  // Slow enough that a transfer is still part-way when the stop lands, however loaded the machine.
  const r = await rig({ account, seed: 13, bandwidthBytesPerSec: 400_000 });
  try {
    await indexLibrary(r.library, r.index, {});
    const pending = r.index.pendingItems().length;
    const stop = new AbortController();
    const first = new DownloadEngine({
      target: r.t.target,
      index: r.index,
      http: r.http,
      urls: new LibraryUrlSource({ api: r.library }),
      maxThreads: 4,
      signal: stop.signal,
      onEvent(e) {
        // Stop while some temporary file on disk is part-way, so the next run has a cut body to
        // resume however the machine's load times the transfers (bytes counted in are not enough:
        // they say nothing of which file holds them).
        if (e.type === "progress" && e.done >= 6 && partTemps(r.t.target).length > 0) {
          stop.abort();
        }
      },
    });
    await first.addFromIndex();
    const s1 = await first.finish();
    assert.equal(s1.interrupted, true);
    assert.ok(s1.downloaded >= 6 && s1.downloaded < pending, String(s1.downloaded));
    assert.deepEqual(s1.failed, []);
    assert.deepEqual(r.index.failures(), []);
    // Bytes written stay written: the stop keeps every part-way file for the next run.
    const cut = partTemps(r.t.target);
    assert.ok(cut.length > 0, "a part-way temporary file is kept");
    const s2 = await downloadPending({
      target: r.t.target,
      index: r.index,
      http: r.http,
      urls: new LibraryUrlSource({ api: r.library }),
    });
    assert.equal(s2.interrupted, false);
    // An item whose last byte landed just as the stop came is finished by the next run without a
    // fetch ("recorded"); every item is counted exactly once either way.
    assert.equal(s1.downloaded + s2.downloaded + s2.recorded, pending);
    // Transfers cut by the stop kept their bytes and were resumed, not restarted.
    for (const size of cut) {
      assert.ok(
        r.fake.calls.some((c) => c.status === 206 && c.range === `bytes=${size}-`),
        `resumed from byte ${size} with Range`,
      );
    }
    await assertFilesMatch(r, account.items.filter((i) => i.inLibrary && !i.archived));
    const files = await mediaFiles(r.t.target);
    assert.deepEqual(files.filter((f) => f.startsWith(`${TEMP_DIR}/`)), []);
  } finally {
    await r.close();
  }
});

Deno.test("DownloadEngine's summary counts only bytes of finished files", async () => {
  const account = generateAccount({ items: 8, seed: 5, albums: 0, nasty: false });
  for (const i of account.items) i.videoStatus = undefined;
  const r = await rig({ account, seed: 5, cutRate: 1 });
  try {
    await indexLibrary(r.library, r.index, {});
    const common = {
      target: r.t.target,
      index: r.index,
      http: r.http,
      urls: new LibraryUrlSource({ api: r.library }),
      maxThreads: 4,
      cutBackoffMs: 1,
    };
    let received = 0;
    // Every body is cut part-way and never retried: bytes arrive, no file is finished.
    const cut = await downloadPending({
      ...common,
      maxTransferTries: 1,
      onEvent: (e) => {
        if (e.type === "progress") received = Math.max(received, e.bytes ?? 0);
      },
    });
    assert.equal(cut.downloaded, 0);
    assert.ok(cut.failed.length > 0);
    assert.ok(received > 0, "bytes were received");
    assert.equal(cut.bytes, 0);
    // The next run resumes the cut files: it counts them whole, not only the bytes it received.
    r.fake.setOptions({ cutRate: 0 });
    const done = await downloadPending({
      ...common,
      urls: new LibraryUrlSource({ api: r.library }),
    });
    const rows = r.index.downloadedItems();
    assert.equal(done.downloaded, rows.length);
    assert.equal(done.bytes, rows.reduce((sum, row) => sum + (row.size ?? 0), 0));
  } finally {
    await r.close();
  }
});

/** Sizes of the temporary files that hold part of a 200 kB body. */
function partTemps(target: string): number[] {
  const sizes: number[] = [];
  const statOf = (path: string) => {
    try {
      return Deno.statSync(path);
    } catch (err) {
      // Renamed into place between the listing and the look.
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
  };
  if (!statOf(join(target, TEMP_DIR))) return sizes;
  for (const entry of Deno.readDirSync(join(target, TEMP_DIR))) {
    const size = statOf(join(target, TEMP_DIR, entry.name))?.size ?? 0;
    if (size > 0 && size < 200_000) sizes.push(size);
  }
  return sizes;
}
