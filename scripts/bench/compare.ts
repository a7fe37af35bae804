/**
 * Benchmark of `compare`: 50,000 small files against a 50,000-item index (first run and re-run),
 * and the scan's streamed SHA-256 of large files beside `sha256sum` on the same files.
 */
import { sha256Hex } from "../../src/files/hash.ts";
import { join } from "node:path";
import { compareFolder, type CompareResult, scanFolder } from "../../src/compare/mod.ts";
import { MediaIndex } from "../../src/index/mod.ts";
import type { MediaRecord } from "../../src/index/mod.ts";
import { jpegWithExif, mp4WithCreationTime } from "../../tests/fixtures/media_bytes.ts";

/** Sizes of the benchmark; the defaults are the targets. */
export interface BenchCompareOptions {
  /** Small files in the backup folder (default 50,000). */
  files?: number;
  /** Bytes of each small file (default 4 KB). */
  smallBytes?: number;
  /** Large files hashed (default 4). */
  largeFiles?: number;
  /** Bytes of each large file (default 256 MB). */
  largeBytes?: number;
}

const SMALL_TARGET_S = 30;
const RATIO_TARGET = 0.7;

/** Runs the compare benchmark and returns its Markdown section. */
export async function benchCompare(opts: BenchCompareOptions = {}): Promise<string> {
  const n = opts.files ?? 50_000;
  const smallBytes = opts.smallBytes ?? 4096;
  const largeFiles = opts.largeFiles ?? 4;
  const largeBytes = opts.largeBytes ?? 256 * 1024 * 1024;
  const benchRoot = new URL("../../.bench/", import.meta.url).pathname;
  await Deno.mkdir(benchRoot, { recursive: true });
  const root = await Deno.makeTempDir({ dir: benchRoot, prefix: "compare-" });
  try {
    const small = await benchSmall(root, n, smallBytes);
    const large = await benchLarge(root, largeFiles, largeBytes);
    return section(small, large, { files: n, smallBytes, largeFiles, largeBytes });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

interface SmallResult {
  generateS: number;
  firstS: number;
  rerunS: number;
  matchS: number;
  first: CompareResult;
  rerun: CompareResult;
}

/**
 * A library of n items and a backup of n files: 80% exact copies, 10% re-encoded copies (other
 * bytes, same name and EXIF date), 10% not in the library; 10% of the library is not in the backup.
 */
async function benchSmall(root: string, n: number, smallBytes: number): Promise<SmallResult> {
  const target = join(root, "target");
  const folder = join(root, "backup");
  await Deno.mkdir(target);
  const t0 = performance.now();
  const index = MediaIndex.open(target);
  try {
    const base = Date.parse("2010-01-01T00:00:00Z");
    const timeOf = (i: number) => new Date(base + i * 3_600_000);
    const records: MediaRecord[] = [];
    for (let i = 0; i < n; i++) {
      records.push({
        id: `item${i}`,
        source: "library",
        originalName: `IMG_${String(i).padStart(6, "0")}.jpg`,
        mediaType: "photo",
        captureTime: timeOf(i).toISOString(),
        dateSource: "api",
      });
    }
    index.upsertItems(records);
    const paths = index.allItems().map((r) => r.path);
    const hashes: string[] = new Array(n);
    // Bytes are made inside each job, so memory holds a pool's worth of files, not all of them.
    const jobs = records.map((rec, i) => async () => {
      const bytes = jpegWithExif({ dateTimeOriginal: timeOf(i), seed: i, sizeBytes: smallBytes });
      hashes[i] = sha256Hex(bytes);
      const dir = join(folder, `DCIM/${String(Math.floor(i / 500)).padStart(3, "0")}`);
      const kind = i % 10;
      if (kind < 8) {
        await writeIn(dir, rec.originalName, bytes);
      } else if (kind === 8) {
        const reencoded = jpegWithExif({
          dateTimeOriginal: timeOf(i),
          seed: i + 10_000_000,
          sizeBytes: smallBytes,
        });
        await writeIn(dir, rec.originalName, reencoded);
      } else {
        // In the library only: its file in TARGET gets an extra_files/ link.
        const path = join(target, paths[i]);
        await writeIn(join(path, ".."), rec.originalName, bytes);
        // And a file of the backup that the library lacks.
        const other = jpegWithExif({
          dateTimeOriginal: new Date(base - i * 1000),
          seed: i + 20_000_000,
          sizeBytes: smallBytes,
        });
        await writeIn(join(folder, "other"), `DSC_${i}.jpg`, other);
      }
    });
    await runPool(jobs, 16);
    index.transaction(() => {
      for (let i = 0; i < n; i++) {
        index.markDownloaded(`item${i}`, { size: smallBytes, sha256: hashes[i] });
      }
    });
  } finally {
    index.close();
  }
  const generateS = (performance.now() - t0) / 1000;

  const run = async () => {
    const idx = MediaIndex.open(target);
    try {
      const start = performance.now();
      const result = await compareFolder(idx, folder, { target });
      return { result, s: (performance.now() - start) / 1000 };
    } finally {
      idx.close();
    }
  };
  const first = await run();
  const rerun = await run();
  const idx = MediaIndex.open(target);
  let matchS: number;
  try {
    const { matchFiles } = await import("../../src/compare/match.ts");
    const items = idx.allItems();
    const start = performance.now();
    matchFiles(rerun.result.scan.files, items);
    matchS = (performance.now() - start) / 1000;
  } finally {
    idx.close();
  }
  return {
    generateS,
    firstS: first.s,
    rerunS: rerun.s,
    matchS,
    first: first.result,
    rerun: rerun.result,
  };
}

interface LargeResult {
  oursS: number;
  sha256sumS: number;
  bytes: number;
  rssGrowthMb: number;
  agree: boolean;
}

/** Hashes large MP4s through compare's scan and through `sha256sum`, alternating, best of two. */
async function benchLarge(root: string, count: number, size: number): Promise<LargeResult> {
  const folder = join(root, "large");
  await Deno.mkdir(folder);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(folder, `VID_${i}.mp4`);
    await Deno.writeFile(
      path,
      mp4WithCreationTime({
        creationTime: new Date(Date.UTC(2020, 0, 1 + i)),
        seed: i,
        sizeBytes: size,
      }),
    );
    paths.push(path);
  }
  let oursS = Infinity;
  let theirsS = Infinity;
  let ours: Map<string, string> = new Map();
  let theirs: Map<string, string> = new Map();
  let rssGrowth = 0;
  for (let round = 0; round < 2; round++) {
    const rssBefore = Deno.memoryUsage().rss;
    let start = performance.now();
    // No index: no cache, so every round reads every byte.
    const scan = await scanFolder(folder, { concurrency: 2 });
    oursS = Math.min(oursS, (performance.now() - start) / 1000);
    rssGrowth = Math.max(rssGrowth, Deno.memoryUsage().rss - rssBefore);
    ours = new Map(scan.files.map((f) => [join(folder, f.path), f.sha256]));

    start = performance.now();
    const out = await new Deno.Command("sha256sum", { args: paths, stdout: "piped" }).output();
    theirsS = Math.min(theirsS, (performance.now() - start) / 1000);
    if (!out.success) throw new Error("sha256sum failed");
    theirs = new Map(
      new TextDecoder().decode(out.stdout).trim().split("\n").map((line) => {
        const [hash, ...rest] = line.split("  ");
        return [rest.join("  "), hash];
      }),
    );
  }
  const agree = paths.every((p) => ours.get(p) !== undefined && ours.get(p) === theirs.get(p));
  return {
    oursS,
    sha256sumS: theirsS,
    bytes: count * size,
    rssGrowthMb: rssGrowth / (1024 * 1024),
    agree,
  };
}

function section(
  s: SmallResult,
  l: LargeResult,
  o: Required<BenchCompareOptions>,
): string {
  const num = (x: number) => x.toLocaleString("en-US");
  const sec = (x: number) => `${x.toFixed(2)} s`;
  const mbps = (bytes: number, t: number) => `${(bytes / (1024 * 1024) / t).toFixed(0)} MB/s`;
  const c = s.first.report.counts;
  const ratio = l.sha256sumS / l.oursS;
  const mark = (ok: boolean) => (ok ? "met" : "**missed**");
  return [
    "## compare",
    "",
    `${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}. ` +
    "Files were just written, so they are in the OS page cache.",
    "",
    "| case | result | target |",
    "|---|---|---|",
    `| first compare of ${num(o.files)} files of ${num(o.smallBytes)} B against ${
      num(o.files)
    } items ` +
    `(scan + SHA-256 + EXIF, match, write comparison/) | ${sec(s.firstS)} ` +
    `(${num(Math.round(o.files / s.firstS))} files/s) | ≤ ${SMALL_TARGET_S} s: ${
      mark(s.firstS <= SMALL_TARGET_S)
    } |`,
    `| re-run, nothing changed (scan cache: ${num(s.rerun.report.scan.filesRead)} files read) | ${
      sec(s.rerunS)
    } | |`,
    `| matching alone (${num(o.files)} files × ${num(o.files)} items) | ${sec(s.matchS)} | |`,
    `| hashing ${o.largeFiles} × ${
      num(o.largeBytes / (1024 * 1024))
    } MB through compare's scan | ` +
    `${sec(l.oursS)} (${mbps(l.bytes, l.oursS)}) | |`,
    `| \`sha256sum\` on the same files | ${sec(l.sha256sumS)} (${mbps(l.bytes, l.sha256sumS)}) | |`,
    `| speed ratio (ours ÷ sha256sum) | ${ratio.toFixed(2)} | ≥ ${RATIO_TARGET}: ${
      mark(ratio >= RATIO_TARGET)
    } |`,
    "",
    `First run: ${num(c.matched)} matched (hash ${num(c.matchedByStage.hash)}, ` +
    `name-time ${num(c.matchedByStage["name-time"])}), ${num(c.missing)} missing, ` +
    `${num(c.extra)} extra, ${num(c.duplicate)} duplicates. Generating the data took ${
      sec(s.generateS)
    }. ` +
    `Hashes agree with sha256sum: ${l.agree ? "yes" : "**no**"}; memory grew ` +
    `${l.rssGrowthMb.toFixed(0)} MB while hashing ${num(Math.round(l.bytes / (1024 * 1024)))} MB.`,
    "",
  ].join("\n");
}

async function writeIn(dir: string, name: string, bytes: Uint8Array): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(join(dir, name), bytes);
}

async function runPool(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
}

if (import.meta.main) {
  const files = Number(Deno.env.get("BENCH_COMPARE_FILES") ?? 50_000);
  console.log(await benchCompare({ files }));
}
