import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../src/files/hash.ts";
import { tempPathFor } from "../src/files/atomic_file.ts";
import { MediaIndex } from "../src/index/mod.ts";
import { transferOf } from "../src/index/transfer_queries.ts";
import type { MediaRow } from "../src/index/types.ts";
import { indexLibrary } from "../src/sources/library/library_index.ts";
import { LibraryUrlSource } from "../src/sources/library/media_urls.ts";
import { parseBandwidth, TokenBucket } from "../src/sync/bandwidth_limit.ts";
import { DownloadEngine, type DownloadEngineOptions } from "../src/sync/download_engine.ts";
import type { Account } from "./fixtures/account_types.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { type Rig, rig } from "./engine_rig.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { CLI_PROCESS_ARGS, runCli, setupTarget } from "./helpers.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Plain photos whose bytes are `size` long, served as they are. */
function photos(sizes: number[], seed: number): Account {
  const account = generateAccount({ items: sizes.length, seed, albums: 0, nasty: false });
  account.items.forEach((item, i) => {
    const bytes = new Uint8Array(sizes[i]).map((_, j) => (j * 131 + i * 7 + (j >> 12)) & 0xff);
    item.mimeType = "image/png";
    item.filename = `p${i}.png`;
    item.archived = false;
    item.inLibrary = true;
    delete item.videoStatus;
    item.bytes = () => bytes;
  });
  return account;
}

function engineFor(r: Rig, extra: Partial<DownloadEngineOptions>): DownloadEngine {
  return new DownloadEngine({
    target: r.t.target,
    index: r.index,
    http: r.http,
    urls: new LibraryUrlSource({ api: r.library }),
    cutBackoffMs: 1,
    progressIntervalMs: 0,
    ...extra,
  });
}

async function assertServed(r: Rig, row: MediaRow): Promise<void> {
  const want = r.fake.servedBytes(row.id, "d");
  const got = await Deno.readFile(join(r.t.target, row.path));
  assert.equal(got.length, want.length, `length of "${row.path}"`);
  assert.equal(sha256Hex(got), sha256Hex(want), `bytes of "${row.path}"`);
  const stored = r.index.getItem(row.id)!;
  assert.equal(stored.sha256, sha256Hex(want), "the recorded hash is of the whole file");
  assert.equal(stored.size, want.length);
}

Deno.test("DownloadEngine starts videos and big items first", async () => {
  const account = generateAccount({ items: 8, seed: 41, albums: 0, nasty: false });
  // [video, width, height] in listing order.
  const shapes: [boolean, number, number][] = [
    [false, 100, 100],
    [false, 4000, 3000],
    [true, 640, 480],
    [false, 100, 100],
    [true, 1920, 1080],
    [false, 2000, 1500],
    [false, 0, 0],
    [false, 4000, 3000],
  ];
  account.items.forEach((item, i) => {
    const [video, w, h] = shapes[i];
    item.mimeType = video ? "video/mp4" : "image/png";
    item.filename = `i${i}.${video ? "mp4" : "png"}`;
    item.width = w;
    item.height = h;
    item.archived = false;
    item.inLibrary = true;
    if (video) item.videoStatus = "READY";
    else delete item.videoStatus;
    const bytes = new Uint8Array(2000).fill(i);
    item.bytes = () => bytes;
  });
  const r = await rig({ account, seed: 41 });
  try {
    await indexLibrary(r.library, r.index, {});
    const rows = account.items.map((item) => r.index.getItem(item.id)!);
    const engine = engineFor(r, { maxThreads: 1 });
    engine.add(rows);
    const summary = await engine.finish();
    assert.equal(summary.downloaded, 8);
    const order = r.fake.calls.filter((c) => c.kind === "media")
      .map((c) => account.items.findIndex((item) => item.id === c.itemId));
    // Videos by pixels, then photos by pixels, equal ones in listing order; no size at all last.
    assert.deepEqual(order, [4, 2, 1, 7, 5, 0, 3, 6]);
  } finally {
    await r.close();
  }
});

Deno.test("DownloadEngine splits a big transfer over free slots", async (t) => {
  const size = 3 * MiB + 12345;
  const r = await rig({
    account: photos([size], 42),
    seed: 42,
    bandwidthBytesPerSec: 2 * MiB,
  });
  try {
    await indexLibrary(r.library, r.index, {});
    const [row] = r.index.pendingItems();
    const engine = engineFor(r, { maxThreads: 4, splitBytes: 256 * KiB });
    engine.add([row]);
    const summary = await engine.finish();
    await t.step("the bytes are identical and the hash covers the whole file", async () => {
      assert.equal(summary.downloaded, 1);
      assert.deepEqual(summary.failed, []);
      assert.equal(summary.bytes, size, "no byte fetched twice");
      await assertServed(r, row);
    });
    await t.step("ranges ran in parallel, never more than --max-threads", () => {
      const media = r.fake.calls.filter((c) => c.kind === "media");
      const ranged = media.filter((c) => c.status === 206 && /^bytes=\d+-\d+$/.test(c.range ?? ""));
      assert.ok(ranged.length >= 3, `ranged requests: ${ranged.length}`);
      assert.ok(media.length <= 1 + ranged.length);
    });
    await t.step("nothing of the split is left in the index", () => {
      assert.equal(transferOf(r.index, row.id), undefined);
    });
  } finally {
    await r.close();
  }
});

Deno.test("DownloadEngine resumes every range of a split cut by a stop", async (t) => {
  const size = 4 * MiB;
  const r = await rig({
    account: photos([size], 43),
    seed: 43,
    bandwidthBytesPerSec: 1 * MiB,
  });
  try {
    await indexLibrary(r.library, r.index, {});
    const [row] = r.index.pendingItems();
    const stop = new AbortController();
    await t.step("a run stopped half way leaves its ranges recorded", async () => {
      const engine = engineFor(r, {
        maxThreads: 4,
        splitBytes: 256 * KiB,
        signal: stop.signal,
        progressIntervalMs: 20,
        onEvent(e) {
          if (e.type === "progress" && (e.bytes ?? 0) >= size / 2) stop.abort();
        },
      });
      engine.add([row]);
      const summary = await engine.finish();
      assert.equal(summary.interrupted, true);
      const ranges = transferOf(r.index, row.id)?.ranges;
      assert.ok(ranges && ranges.length >= 3, `ranges: ${JSON.stringify(ranges)}`);
      assert.ok(ranges.some(([start, , pos]) => start > 0 && pos > start), "a range made progress");
      const info = await Deno.stat(tempPathFor(r.t.target, row.path));
      assert.ok(info.size > 0);
    });
    await t.step("the next run fetches only what is missing, and the file is whole", async () => {
      const before = r.fake.calls.length;
      const engine = engineFor(r, { maxThreads: 4, splitBytes: 256 * KiB });
      engine.add([row]);
      const summary = await engine.finish();
      assert.equal(summary.downloaded, 1);
      const again = r.fake.calls.slice(before).filter((c) => c.kind === "media");
      assert.ok(again.every((c) => c.range && !/^bytes=0-/.test(c.range)), "no range from byte 0");
      // Counted by the server: what a killed run had is not sent again.
      const sent = again.reduce((n, c) => n + (c.bytesSent ?? 0), 0);
      assert.ok(sent < size * 0.75, `sent ${sent} of ${size} again`);
      await assertServed(r, row);
      assert.equal(transferOf(r.index, row.id), undefined);
    });
  } finally {
    await r.close();
  }
});

Deno.test("DownloadEngine falls back to one stream when the server ignores Range", async () => {
  const size = 2 * MiB + 777;
  const r = await rig({
    account: photos([size], 44),
    seed: 44,
    bandwidthBytesPerSec: 2 * MiB,
    ignoreRange: true,
  });
  try {
    await indexLibrary(r.library, r.index, {});
    const [row] = r.index.pendingItems();
    const engine = engineFor(r, { maxThreads: 4, splitBytes: 256 * KiB });
    engine.add([row]);
    const summary = await engine.finish();
    assert.equal(summary.downloaded, 1);
    assert.deepEqual(summary.failed, []);
    await assertServed(r, row);
    const media = r.fake.calls.filter((c) => c.kind === "media");
    assert.ok(media.every((c) => c.status === 200));
    // One refused try at a range, then no more: the head's stream carried every byte.
    assert.ok(media.length <= 2, `media requests: ${media.length}`);
    assert.ok((media[0].bytesSent ?? 0) >= size, "the first stream carried the whole file");
  } finally {
    await r.close();
  }
});

Deno.test("--bwlimit holds all transfers together to the rate", async () => {
  const rate = 512 * KiB;
  const sizes = [768 * KiB, 512 * KiB, 256 * KiB];
  const r = await rig({ account: photos(sizes, 45), seed: 45 });
  try {
    await indexLibrary(r.library, r.index, {});
    const rows = r.index.pendingItems();
    const engine = engineFor(r, { maxThreads: 4, bwlimit: rate });
    const started = performance.now();
    engine.add(rows);
    const summary = await engine.finish();
    const seconds = (performance.now() - started) / 1000;
    assert.equal(summary.downloaded, 3);
    const ideal = summary.bytes / rate;
    // Never faster than the limit allows; the upper bound leaves room for a loaded machine (the
    // download benchmark measures how close to the limit it runs).
    assert.ok(seconds >= ideal * 0.9, `${seconds.toFixed(2)} s for ${ideal} s`);
    assert.ok(seconds <= ideal * 1.3, `${seconds.toFixed(2)} s for ${ideal} s`);
  } finally {
    await r.close();
  }
});

Deno.test("parseBandwidth() reads rclone's rates", () => {
  const table: [string, number | undefined][] = [
    ["4M", 4 * MiB],
    ["512K", 512 * KiB],
    ["1.5G", 1.5 * 1024 * MiB],
    ["100B", 100],
    ["10", 10 * KiB],
    ["2MiB", 2 * MiB],
    ["0", undefined],
    ["fast", undefined],
    ["-1M", undefined],
  ];
  for (const [text, want] of table) assert.equal(parseBandwidth(text), want, text);
});

Deno.test("TokenBucket makes concurrent takers share the rate", async () => {
  let now = 0;
  const bucket = new TokenBucket(1000, {
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
  });
  // Three takers of 500 bytes each take 1.5 s in all at 1000 bytes a second, whatever the order.
  for (let i = 0; i < 3; i++) await bucket.take(500);
  assert.ok(Math.abs(now - 1500) < 1, `${now} ms`);
});

Deno.test("--bwlimit refuses a rate it cannot read with one line, exit 2", async () => {
  const fake = await startFakeGoogle({ account: photos([1000], 46), seed: 46 });
  const setup = await setupTarget(fake);
  try {
    for (const command of ["sync", "download", "pick"]) {
      const before = fake.calls.length;
      const res = await runCli([command, setup.target, "--bwlimit", "fast"], setup.env);
      assert.equal(res.code, 2, `${command}: ${res.stderr}`);
      const lines = res.stderr.trim().split("\n");
      assert.equal(lines.length, 1, res.stderr);
      assert.match(lines[0], /"fast" is not a rate such as 4M/);
      assert.equal(fake.calls.length, before, "nothing asked of Google");
    }
  } finally {
    await fake.close();
    await setup.cleanup();
  }
});

Deno.test("a split download killed with SIGKILL resumes every range", async () => {
  const size = 24 * MiB + 999;
  const fake = await startFakeGoogle({
    account: photos([size], 47),
    seed: 47,
    bandwidthBytesPerSec: 4 * MiB,
  });
  const setup = await setupTarget(fake);
  const env = { ...setup.env, DENO_DIR: await denoDir() };
  try {
    assert.equal((await runCli(["index", setup.target], setup.env)).code, 0);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        ...CLI_PROCESS_ARGS,
        "download",
        setup.target,
        "--max-threads",
        "6",
      ],
      env,
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Kill once the transfer is split and its ranges have made progress.
    const index = MediaIndex.open(setup.target);
    let row: MediaRow | undefined;
    try {
      row = index.pendingItems()[0];
      const deadline = Date.now() + 20_000;
      for (;;) {
        const ranges = transferOf(index, row.id)?.ranges;
        if (ranges && ranges.length >= 3 && ranges.slice(1).every(([s, , p]) => p > s)) break;
        assert.ok(Date.now() < deadline, "the transfer was split");
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill("SIGKILL");
      await child.status;
    } finally {
      index.close();
    }
    const before = fake.calls.length;
    const res = await runCli(["download", setup.target, "--json"], setup.env);
    assert.equal(res.code, 0, res.stderr);
    const summary = JSON.parse(res.stdout.trim().split("\n").at(-1)!);
    assert.equal(summary.downloaded, 1);
    const again = fake.calls.slice(before).filter((c) => c.kind === "media");
    const sent = again.reduce((n, c) => n + (c.bytesSent ?? 0), 0);
    assert.ok(sent < size, `sent ${sent} of ${size} again`);
    assert.ok(again.every((c) => c.range && !/^bytes=0-/.test(c.range)), "no range from byte 0");
    const got = await Deno.readFile(join(setup.target, row.path));
    assert.equal(sha256Hex(got), sha256Hex(fake.servedBytes(row.id, "d")));
  } finally {
    await fake.close();
    await setup.cleanup();
  }
});

/** Where Deno keeps its cache: the child gets another HOME, so it must be told. */
async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}
