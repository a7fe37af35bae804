/**
 * Benchmark of `download` against the fake Google, the CLI in a subprocess:
 * 1. throughput: N files of 1 MiB at 50 ms latency, 2 MiB/s per connection and at most 16 bodies
 *    served at once (a user's downlink), at concurrency 1, 4, 8, 16 and 32, each beside the ideal
 *    `bytes ÷ (min(c, 16) × 2 MiB/s)` plus the listing round trips (one `sync --skip-albums`);
 * 2. mixed sizes (issue 13): 2,000 items from a fixed seed, log-uniform sizes (90% photos of
 *    0.05–0.5 MB, 1% of them up to 9 MB; 10% videos of 0.2–30 MB), 50 ms to the first byte, 2 MB/s a
 *    connection, 16 served at once, through one `sync --max-threads 16`, beside the server's limit
 *    `Σ(latency + size ÷ rate) ÷ 16 + 1 s`;
 * 3. memory: peak RSS of the CLI while it downloads five 500 MiB files (the fake streams views of one
 *    shared buffer, so its own memory does not count).
 * Targets: ≥ 90% of ideal from concurrency 16 up; mixed ≤ 1.1× the limit; peak memory ≤ 150 MB.
 */
import { setupTarget } from "../../tests/helpers.ts";
import { denoCacheDir } from "./_process.ts";
import { sha256Hex } from "../../src/files/hash.ts";
import { join } from "node:path";
import { startFakeGoogle } from "../../tests/fake_google/mod.ts";
import type { FakeGoogle } from "../../tests/fake_google/mod.ts";
import type { Account, FakeItem } from "../../tests/fixtures/account_types.ts";
import { generateAccount, mulberry32 } from "../../tests/fixtures/generate.ts";
import { peakRssOf } from "./_process.ts";

const MiB = 1024 * 1024;
const MOD = new URL("../../mod.ts", import.meta.url).pathname;

/** Sizes of the benchmark; the defaults are the issue's. */
export interface BenchDownloadOptions {
  /** Fewer files and smaller big files, for a smoke test (about 2 minutes instead of 30). */
  quick?: boolean;
  files?: number;
  fileBytes?: number;
  latencyMs?: number;
  /** Per connection, bytes a second. */
  bandwidth?: number;
  maxServed?: number;
  concurrencies?: number[];
  bigFiles?: number;
  bigBytes?: number;
  /** Items of the mixed-size account. */
  mixedItems?: number;
}

/** Runs the download benchmark and returns its Markdown section. */
export async function benchDownload(opts: BenchDownloadOptions = {}): Promise<string> {
  const quick = opts.quick ?? false;
  const files = opts.files ?? (quick ? 100 : 2000);
  const fileBytes = opts.fileBytes ?? MiB;
  const latencyMs = opts.latencyMs ?? 50;
  const bandwidth = opts.bandwidth ?? 2 * MiB;
  const maxServed = opts.maxServed ?? 16;
  const concurrencies = opts.concurrencies ?? [1, 4, 8, 16, 32];
  const bigFiles = opts.bigFiles ?? 5;
  const bigBytes = opts.bigBytes ?? (quick ? 100 * MiB : 500 * MiB);
  const denoDir = await denoCacheDir();

  const rows: string[] = [];
  for (const c of concurrencies) {
    const r = await throughputRun({
      files,
      fileBytes,
      latencyMs,
      bandwidth,
      maxServed,
      c,
      denoDir,
    });
    const ideal = (files * fileBytes) / (Math.min(c, maxServed) * bandwidth) + r.listingS;
    const share = ideal / r.wallS;
    const target = c >= 16 ? (share >= 0.9 ? " ✅" : " ❌") : "";
    rows.push(
      `| ${c} | ${r.wallS.toFixed(1)} s | ${ideal.toFixed(1)} s | ${
        (share * 100).toFixed(1)
      }%${target} | ` +
        `${(r.bytes / MiB / r.downloadS).toFixed(1)} MiB/s | ${r.apiCalls} / ${r.mediaFetches} | ` +
        `${(r.peakRss / MiB).toFixed(0)} MiB |`,
    );
  }
  const mixed = await mixedRun({ items: opts.mixedItems ?? (quick ? 200 : 2000), denoDir });
  const mixedRatio = mixed.wallS / mixed.limitS;
  const mem = await memoryRun({ files: bigFiles, bytes: bigBytes, denoDir });
  const memOk = mem.peakRss <= 150 * 1000 * 1000;
  return [
    `## download: ${files.toLocaleString("en")} files of ${
      fileBytes / MiB
    } MiB at ${latencyMs} ms, ` +
    `${bandwidth / MiB} MiB/s a connection, at most ${maxServed} served at once`,
    "",
    "`sync --skip-albums --max-threads C` as a CLI subprocess on a fresh TARGET (the listing feeds the",
    "downloads page by page); the wall time runs from process start to exit, Deno start-up included. The ideal is",
    `\`bytes ÷ (min(C, ${maxServed}) × ${bandwidth / MiB} MiB/s)\` plus the listing round trips ` +
    `(${Math.ceil(files / 100)} list calls × ${latencyMs} ms).`,
    "",
    "| C | wall | ideal | share of ideal (target ≥ 90% from 16) | download rate | API calls / media fetches | peak RSS |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `Below 16 the server's per-connection limit is the bottleneck. The ${latencyMs} ms before each body`,
    `costs ${latencyMs} ms per file and connection that the ideal leaves out; C = 16 (exactly as many`,
    "connections as the server serves) still passes because `sync` overlaps the listing, which the",
    "ideal counts, with the first downloads. C = 32 keeps requests waiting and hides the wait entirely.",
    "",
    `### mixed sizes: ${mixed.items.toLocaleString("en")} items, ${
      (mixed.bytes / 1e9).toFixed(2)
    } GB (${mixed.videos} videos), 50 ms, 2 MB/s a connection, 16 served`,
    "",
    "One `sync --skip-albums --max-threads 16` on a fresh TARGET. Sizes are drawn log-uniform from a",
    "fixed seed: 90% photos of 0.05–0.5 MB (1% of them 0.5–9 MB), 10% videos of 0.2–30 MB; pixel",
    "dimensions follow a photo's size, not a video's. The limit is what the server allows:",
    "`Σ(0.05 s + size ÷ 2 MB/s) ÷ 16 + 1 s` (every request holds one of the 16 slots).",
    "",
    "| wall | limit | wall ÷ limit (target ≤ 1.1) | media fetches | peak RSS |",
    "|---|---|---|---|---|",
    `| ${mixed.wallS.toFixed(1)} s | ${mixed.limitS.toFixed(1)} s | ${mixedRatio.toFixed(2)}× ${
      mixedRatio <= 1.1 ? "✅" : "❌"
    } | ${mixed.mediaFetches} | ${(mixed.peakRss / MiB).toFixed(0)} MiB |`,
    "",
    `### memory: ${bigFiles} files of ${bigBytes / MiB} MiB, no bandwidth limit`,
    "",
    "| measure | result | target |",
    "|---|---|---|",
    `| peak RSS of the download process | ${(mem.peakRss / 1e6).toFixed(0)} MB | ≤ 150 MB ${
      memOk ? "✅" : "❌"
    } |`,
    `| bytes written, all hashes right | ${(mem.bytes / MiB).toFixed(0)} MiB in ${
      mem.seconds.toFixed(1)
    } s, ${mem.hashesOk ? "yes" : "NO"} | |`,
    "",
    quick
      ? "Ran with `--quick` (fewer and smaller files); the recorded results come from a full run."
      : "Full sizes.",
    "",
  ].join("\n");
}

interface ThroughputResult {
  wallS: number;
  downloadS: number;
  listingS: number;
  bytes: number;
  apiCalls: number;
  mediaFetches: number;
  peakRss: number;
}

/** One concurrency level on a fresh TARGET and a fresh fake. */
async function throughputRun(p: {
  files: number;
  fileBytes: number;
  latencyMs: number;
  bandwidth: number;
  maxServed: number;
  c: number;
  denoDir: string;
}): Promise<ThroughputResult> {
  const account = generateAccount({ items: p.files, seed: 200, nasty: false, albums: 0 });
  const shared = new Uint8Array(p.fileBytes).map((_, i) => (i * 31 + 7) & 0xff);
  account.items.forEach((item, i) => plainPhoto(item, () => stamped(shared, i)));
  const fake = await startFakeGoogle({
    account,
    seed: 200,
    latencyMs: p.latencyMs,
    bandwidthBytesPerSec: p.bandwidth,
    maxConcurrentMedia: p.maxServed,
    quirks: false,
  });
  const root = await Deno.makeTempDir({ prefix: "gphotos-bench-download-" });
  try {
    const { target, env } = await prepare(fake, root, p.denoDir);
    const started = performance.now();
    // One `sync` as a user runs it: the listing feeds the downloads page by page.
    const run = await peakRssOf(
      ["run", "-A", MOD, "sync", target, "--skip-albums", "--json", "--max-threads", String(p.c)],
      env,
    );
    const ended = performance.now();
    if (run.code !== 0) throw new Error(`sync exited ${run.code}: ${run.stderr}`);
    const last = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    const summary = { ...last.download, apiCalls: last.apiCalls, mediaFetches: last.mediaFetches };
    if (summary.downloaded !== p.files) {
      throw new Error(`sync fetched ${summary.downloaded} of ${p.files} files`);
    }
    // Spot-check content: a mix-up of items would show here.
    for (const i of [0, Math.floor(p.files / 2), p.files - 1]) {
      const item = account.items[i];
      const path = await pathOf(target, item.id);
      const got = await Deno.readFile(join(target, path));
      if (sha(got) !== sha(stamped(shared, i))) throw new Error(`file of item ${i} is wrong`);
    }
    return {
      wallS: (ended - started) / 1000,
      downloadS: (ended - started) / 1000,
      listingS: Math.ceil(p.files / 100) * p.latencyMs / 1000,
      bytes: summary.bytes,
      apiCalls: summary.apiCalls,
      mediaFetches: summary.mediaFetches,
      peakRss: run.peakRssBytes,
    };
  } finally {
    await fake.close();
    await Deno.remove(root, { recursive: true });
  }
}

/** The mixed-size account of issue 13 through one `sync --max-threads 16`. */
async function mixedRun(p: { items: number; denoDir: string }): Promise<{
  items: number;
  videos: number;
  bytes: number;
  wallS: number;
  limitS: number;
  mediaFetches: number;
  peakRss: number;
}> {
  const latencyS = 0.05;
  const rate = 2e6;
  const served = 16;
  const account = generateAccount({ items: p.items, seed: 1300, nasty: false, albums: 0 });
  const random = mulberry32(1300);
  const logUniform = (lo: number, hi: number) =>
    Math.round(Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo))));
  const sizes = account.items.map(() => {
    if (random() < 0.1) return { video: true, size: logUniform(0.2e6, 30e6) };
    const big = random() < 0.01;
    return { video: false, size: big ? logUniform(0.5e6, 9e6) : logUniform(0.05e6, 0.5e6) };
  });
  // One buffer of noise; each item serves a view of it at its own offset, so files differ and the
  // fake copies nothing.
  const pool = new Uint8Array(64 * 1e6);
  for (let i = 0; i < pool.length; i += 4) {
    new DataView(pool.buffer).setUint32(i, (random() * 2 ** 32) >>> 0);
  }
  account.items.forEach((item, i) => {
    const { video, size } = sizes[i];
    const offset = (i * 104_729) % (pool.length - size);
    const bytes = pool.subarray(offset, offset + size);
    plainPhoto(item, () => bytes);
    if (video) {
      item.mimeType = "video/mp4";
      item.filename = item.filename.replace(/\.[^.]*$/, "") + ".mp4";
      item.videoStatus = "READY";
      [item.width, item.height] = [[1280, 720], [1920, 1080], [3840, 2160]][i % 3];
    } else {
      // A photo's pixels follow its bytes (about 3 pixels a byte of JPEG).
      const pixels = size * 3;
      item.width = Math.round(Math.sqrt(pixels * 4 / 3));
      item.height = Math.round(item.width * 3 / 4);
    }
  });
  const fake = await startFakeGoogle({
    account,
    seed: 1300,
    latencyMs: latencyS * 1000,
    bandwidthBytesPerSec: rate,
    maxConcurrentMedia: served,
    quirks: false,
  });
  const root = await Deno.makeTempDir({ prefix: "gphotos-bench-mixed-" });
  try {
    const { target, env } = await prepare(fake, root, p.denoDir);
    // Sizes as served (a video carries the transcode's trailer).
    const servedSizes = account.items.map((item, i) =>
      fake.servedBytes(item.id, sizes[i].video ? "dv" : "d").length
    );
    const limitS = servedSizes.reduce((sum, size) => sum + latencyS + size / rate, 0) / served + 1;
    const started = performance.now();
    const run = await peakRssOf(
      ["run", "-A", MOD, "sync", target, "--skip-albums", "--json", "--max-threads", "16"],
      env,
    );
    const wallS = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`sync exited ${run.code}: ${run.stderr}`);
    const last = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    if (last.download.downloaded !== p.items) {
      throw new Error(`sync fetched ${last.download.downloaded} of ${p.items} items`);
    }
    // The biggest files are the ones split into ranges: check those byte for byte.
    const biggest = servedSizes.map((size, i) => [size, i]).sort((a, b) => b[0] - a[0]).slice(0, 5);
    for (const [, i] of biggest) {
      const item = account.items[i];
      const want = fake.servedBytes(item.id, sizes[i].video ? "dv" : "d");
      const got = await Deno.readFile(join(target, await pathOf(target, item.id)));
      if (sha(got) !== sha(want)) throw new Error(`file of item ${i} is wrong`);
    }
    return {
      items: p.items,
      videos: sizes.filter((s) => s.video).length,
      bytes: servedSizes.reduce((a, b) => a + b, 0),
      wallS,
      limitS,
      mediaFetches: last.mediaFetches,
      peakRss: run.peakRssBytes,
    };
  } finally {
    await fake.close();
    await Deno.remove(root, { recursive: true });
  }
}

/** Five big files served as views of one buffer; the CLI's peak RSS is what counts. */
async function memoryRun(p: { files: number; bytes: number; denoDir: string }): Promise<{
  peakRss: number;
  bytes: number;
  seconds: number;
  hashesOk: boolean;
}> {
  const account: Account = generateAccount({ items: p.files, seed: 300, nasty: false, albums: 0 });
  const big = new Uint8Array(p.bytes);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i >>> 12) & 0xff;
  const want = sha(big);
  for (const item of account.items) plainPhoto(item, () => big);
  const fake = await startFakeGoogle({ account, seed: 300, quirks: false });
  const root = await Deno.makeTempDir({ prefix: "gphotos-bench-memory-" });
  try {
    const { target, env } = await prepare(fake, root, p.denoDir);
    const index = await peakRssOf(["run", "-A", MOD, "index", target, "--json"], env);
    if (index.code !== 0) throw new Error(`index exited ${index.code}: ${index.stderr}`);
    const started = performance.now();
    const run = await peakRssOf(["run", "-A", MOD, "download", target, "--json"], env);
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`download exited ${run.code}: ${run.stderr}`);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    let hashesOk = summary.downloaded === p.files;
    for (const item of account.items) {
      const path = await pathOf(target, item.id);
      hashesOk &&= sha(await Deno.readFile(join(target, path))) === want;
    }
    return { peakRss: run.peakRssBytes, bytes: summary.bytes, seconds, hashesOk };
  } finally {
    await fake.close();
    await Deno.remove(root, { recursive: true });
  }
}

/** Makes an item a plain photo the fake serves byte for byte (no GPS stripping, no transcode). */
function plainPhoto(item: FakeItem, bytes: () => Uint8Array): void {
  item.mimeType = "image/png";
  item.filename = item.filename.replace(/\.[^.]*$/, "") + ".png";
  item.archived = false;
  item.inLibrary = true;
  delete item.videoStatus;
  item.bytes = bytes;
}

/** The shared bytes with the item's number in front, so files differ. */
function stamped(shared: Uint8Array, i: number): Uint8Array {
  const out = shared.slice();
  new DataView(out.buffer).setUint32(0, i);
  return out;
}

async function prepare(
  fake: FakeGoogle,
  root: string,
  denoDir: string,
): Promise<{ target: string; env: Record<string, string> }> {
  const tt = await setupTarget(fake, { root, realPacing: true });
  // DENO_DIR: the child gets another HOME and must still find Deno's cache.
  return { target: tt.target, env: { ...tt.env, DENO_DIR: denoDir } };
}

async function pathOf(target: string, id: string): Promise<string> {
  const { MediaIndex } = await import("../../src/index/mod.ts");
  const index = MediaIndex.open(target);
  try {
    return index.getItem(id)!.path;
  } finally {
    index.close();
  }
}

function sha(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

if (import.meta.main) {
  console.log(await benchDownload({ quick: Deno.args.includes("--quick") }));
}
