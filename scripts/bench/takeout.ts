/**
 * Benchmark of `takeout`: importing a generated two-part export (about 2 GB, 5,000 files) beside
 * `cat` of the same archives into a file on the same disk, in three rounds of both (target: import
 * throughput ≥ 0.7 × cat's in the median round), the importer's peak memory (≤ 300 MB), matching 20,000 sidecars in
 * one folder (≤ 2 s), the same export imported a second time unchanged (≤ 10% of the first import:
 * entries are recognised from the zip directory, not read), and an export of 100,000 small items
 * with sidecars in 5 zip parts (peak memory ≤ 300 MB, sidecar matching ≤ 5 s).
 *
 * The CLI runs from its bundle (`deno task bundle`), one file as a compiled binary holds it; the
 * re-import is also timed from `mod.ts`, whose modules are files of their own to read.
 */
import { join } from "node:path";
import { sidecarHeavyFolder, writeBulkZipParts } from "../../tests/fixtures/takeout/generate.ts";
import { matchTree } from "../../src/sources/takeout/match.ts";
import { readTakeout } from "../../src/sources/takeout/read_takeout.ts";
import { bundle } from "../bundle.ts";
import { denoCacheDir, type MeasuredRun, peakRssOf } from "./_process.ts";

/** Sizes of the benchmark. */
export interface BenchTakeoutOptions {
  /** Smaller sizes for a smoke run. */
  quick?: boolean;
}

const MiB = 1024 * 1024;

/** Runs the Takeout benchmark and returns its Markdown section. */
export async function benchTakeout(opts: BenchTakeoutOptions = {}): Promise<string> {
  const files = opts.quick ? 500 : 5_000;
  const bytesPerFile = opts.quick ? 200_000 : 400_000;
  const benchRoot = new URL("../../.bench/", import.meta.url).pathname;
  await Deno.mkdir(benchRoot, { recursive: true });
  const root = await Deno.makeTempDir({ dir: benchRoot, prefix: "takeout-" });
  try {
    const parts = join(root, "parts");
    await Deno.mkdir(parts);
    const bulk = await writeBulkZipParts(parts, { files, bytesPerFile });
    const archiveBytes = (await Promise.all(bulk.paths.map((p) => Deno.stat(p))))
      .reduce((n, s) => n + s.size, 0);

    // Asked and built now, so that no timed run below spends time finding Deno's cache.
    await denoCacheDir();
    const program = join(root, "gphotos-sync.js");
    await bundle(program);
    // Rounds of cat, import and re-import, each run from a cold page cache where the OS allows it
    // (a real export is far larger than memory) and ended when its writes are on disk. A disk can
    // change speed from one minute to the next: each round pairs a `cat` and an import made within
    // a minute, and the table gives the median round. Every round writes files of its own, all
    // deleted after the last: on a file system mounted with `discard`, freeing gigabytes makes the
    // disk trim them while the next run writes, which would time the bench's own cleanup.
    const rounds: Round[] = [];
    let cold = false;
    try {
      for (let i = 0; i < (opts.quick ? 1 : ROUNDS); i++) {
        const r = await round(root, i, bulk.paths, program);
        cold = r.cold;
        rounds.push(r);
      }
    } finally {
      for (let i = 0; i < ROUNDS; i++) {
        await Deno.remove(join(root, `cat-${i}.out`)).catch(() => {});
        await Deno.remove(join(root, `target-${i}`), { recursive: true }).catch(() => {});
      }
    }
    await Deno.remove(parts, { recursive: true });
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const byRatio = [...rounds].sort((x, y) => x.catS / x.importS - y.catS / y.importS);
    const mid = byRatio[Math.floor(byRatio.length / 2)];
    const { catS, importS, run, summary, againSummary } = mid;
    const ratio = catS / importS;
    const share = median(rounds.map((r) => r.againS / r.importS));
    const againS = median(rounds.map((r) => r.againS));
    const sourceS = median(rounds.map((r) => r.againSourceS));
    const each = (f: (r: Round) => string) =>
      rounds.length > 1 ? ` (rounds: ${rounds.map(f).join(", ")})` : "";

    const many = await benchManySmall(root, opts.quick ? 10_000 : 100_000, program);
    const manyMb = many.peakRssBytes / MiB;

    const matchMs = benchMatch(20_000);
    const mb = Math.max(...rounds.map((r) => r.run.peakRssBytes)) / MiB;
    return [
      `## takeout: ${files.toLocaleString("en")} files in ${bulk.paths.length} zip parts, ${
        (archiveBytes / MiB).toFixed(0)
      } MiB`,
      "",
      "| measure | result | target |",
      "|---|---|---|",
      `| import (whole CLI run: both passes, SHA-256, writes, index) | ${importS.toFixed(1)} s, ${
        (archiveBytes / MiB / importS).toFixed(0)
      } MiB/s${each((r) => `${r.importS.toFixed(1)} s`)} | |`,
      `| \`cat\` of the same parts into a file | ${catS.toFixed(1)} s, ${
        (archiveBytes / MiB / catS).toFixed(0)
      } MiB/s${each((r) => `${r.catS.toFixed(1)} s`)} | |`,
      `| throughput ratio, import ÷ cat (median round) | ${ratio.toFixed(2)}${
        each((r) => (r.catS / r.importS).toFixed(2))
      } | ≥ 0.7 ${ratio >= 0.7 ? "✅" : "❌"} |`,
      run.peakRssBytes > 0
        ? `| peak RSS of the import (largest of the rounds) | ${mb.toFixed(0)} MB | ≤ 300 MB ${
          mb <= 300 ? "✅" : "❌"
        } |`
        : "| peak RSS of the import | not measured (needs /proc and -A) | ≤ 300 MB |",
      `| items imported | ${
        summary.imported ?? summary.report?.imported ?? "?"
      } of ${bulk.distinct} distinct | |`,
      `| matching 20,000 sidecars in one folder | ${matchMs.toFixed(0)} ms | ≤ 2,000 ms ${
        matchMs <= 2000 ? "✅" : "❌"
      } |`,
      `| the same export imported again, unchanged (${againSummary.unchangedEntries} entries not read; medians) | ${
        againS.toFixed(1)
      } s, ${(share * 100).toFixed(1)}% of the first import${
        each((r) => `${(100 * r.againS / r.importS).toFixed(1)}%`)
      } | ≤ 10% ${share <= 0.1 ? "✅" : "❌"} |`,
      `| … the same re-import run from \`mod.ts\`, not the bundle (medians) | ${
        sourceS.toFixed(1)
      } s, ${
        (100 * median(rounds.map((r) => r.againSourceS / r.importS))).toFixed(1)
      }% of the first import${each((r) => `${r.againSourceS.toFixed(1)} s`)} | |`,
      `| ${many.files.toLocaleString("en")} small items with sidecars in 5 zip parts: import | ${
        many.importS.toFixed(1)
      } s | |`,
      many.peakRssBytes > 0
        ? `| … peak RSS of that import | ${manyMb.toFixed(0)} MB | ≤ 300 MB ${
          manyMb <= 300 ? "✅" : "❌"
        } |`
        : "| … peak RSS of that import | not measured (needs /proc and -A) | ≤ 300 MB |",
      `| … sidecar matching of that export (all parts, one tree) | ${
        many.matchMs.toFixed(0)
      } ms | ≤ 5,000 ms ${many.matchMs <= 5000 ? "✅" : "❌"} |`,
      "",
      cold
        ? `Every run started with the page cache dropped and ended after \`sync\`: disk to disk, as with an export larger than memory. ${rounds.length} round${
          rounds.length === 1 ? "" : "s"
        } of \`cat\`, import and re-import; the ratio's row is the round of median ratio, the re-import's the medians. The CLI ran from its bundle (\`deno task bundle\`).`
        : "The page cache could not be dropped (not root): the runs read warm archives and end after `sync`.",
      "",
    ].join("\n");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/**
 * `takeout TARGET PARTS... --json` as its own process, with its peak RSS; `program` is the bundle
 * or `mod.ts`.
 */
async function takeoutCli(root: string, target: string, paths: string[], program: string) {
  const run = await peakRssOf(
    [
      "run",
      "-A",
      program,
      "takeout",
      target,
      ...paths,
      "--json",
    ],
    { HOME: root, PATH: Deno.env.get("PATH") ?? "" },
  );
  if (run.code !== 0) throw new Error(`takeout exited ${run.code}: ${run.stderr}`);
  return run;
}

/**
 * `files` small JPEGs with sidecars in 5 zip parts: the import's time and peak RSS, and the time
 * of matching every sidecar of the export read as one tree (pass one's listing not counted).
 */
async function benchManySmall(root: string, files: number, program: string) {
  const dir = join(root, "many");
  await Deno.mkdir(dir);
  try {
    const bulk = await writeBulkZipParts(dir, { files, bytesPerFile: 2_000, parts: 5, seed: 11 });
    const tree = await readTakeout(bulk.paths);
    const start = performance.now();
    const result = matchTree(tree.media, tree.json);
    const matchMs = performance.now() - start;
    await tree.close();
    if (result.orphans.length !== 0) throw new Error("bench matching left orphans");
    const importStart = performance.now();
    const run = await takeoutCli(root, join(dir, "target"), bulk.paths, program);
    const importS = (performance.now() - importStart) / 1000;
    return { files, matchMs, importS, peakRssBytes: run.peakRssBytes };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const MOD = new URL("../../mod.ts", import.meta.url).pathname;

/** Rounds of `cat`, import and re-import in a full run. */
const ROUNDS = 3;

/** One round's times and runs. */
interface Round {
  catS: number;
  importS: number;
  againS: number;
  /** The same re-import again, run from `mod.ts`. */
  againSourceS: number;
  run: MeasuredRun;
  summary: Record<string, unknown> & { imported?: number; report?: { imported?: number } };
  againSummary: Record<string, unknown> & { unchangedEntries?: number };
  /** The page cache was dropped before each run. */
  cold: boolean;
}

/**
 * `cat` of the parts into `cat-<i>.out`, then an import into the fresh `target-<i>` and the same
 * import again, unchanged (the next scheduled export of an unchanged library).
 */
async function round(
  root: string,
  i: number,
  paths: string[],
  program: string,
): Promise<Round> {
  const catOut = join(root, `cat-${i}.out`);
  const cold = await dropCaches();
  const catStart = performance.now();
  const cat = await new Deno.Command("sh", {
    args: ["-c", `cat "$@" > "${catOut}" && sync`, "cat", ...paths],
  }).output();
  const catS = (performance.now() - catStart) / 1000;
  if (!cat.success) throw new Error("cat failed");

  const target = join(root, `target-${i}`);
  const { run, s: importS } = await coldCli(root, target, paths, program);
  const { run: again, s: againS } = await coldCli(root, target, paths, program);
  const { run: fromSource, s: againSourceS } = await coldCli(root, target, paths, MOD);
  const againSummary = lastLine(again);
  if (againSummary.imported !== 0 || lastLine(fromSource).imported !== 0) {
    throw new Error("the unchanged re-import imported files");
  }
  const summary = lastLine(run);
  return { catS, importS, againS, againSourceS, run, summary, againSummary, cold };
}

/** `takeoutCli` from a cold page cache, timed until its writes are on disk (seconds). */
async function coldCli(root: string, target: string, paths: string[], program: string) {
  await dropCaches();
  const start = performance.now();
  const run = await takeoutCli(root, target, paths, program);
  await new Deno.Command("sync").output();
  return { run, s: (performance.now() - start) / 1000 };
}

/** The summary a `--json` run ends with. */
function lastLine(run: MeasuredRun) {
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
}

/** Writes dirty pages and empties the page cache; false where the OS does not let us. */
async function dropCaches(): Promise<boolean> {
  await new Deno.Command("sync").output();
  try {
    await Deno.writeTextFile("/proc/sys/vm/drop_caches", "3\n");
    return true;
  } catch {
    return false;
  }
}

/** Time of `matchTree` over `n` media and their sidecars in one folder, plus 2,000 shared titles. */
function benchMatch(n: number): number {
  const { media, json } = sidecarHeavyFolder(n);
  const start = performance.now();
  const result = matchTree(media, json);
  const ms = performance.now() - start;
  if (result.orphans.length !== 0) throw new Error("bench matching left orphans");
  return ms;
}

if (import.meta.main) {
  console.log(await benchTakeout({ quick: Deno.args.includes("--quick") }));
}
