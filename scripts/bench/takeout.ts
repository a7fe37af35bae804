/**
 * Benchmark of `takeout`: importing a generated two-part export (about 2 GB, 5,000 files) beside
 * `cat` of the same archives into a file on the same disk, in the same run (target: import
 * throughput ≥ 0.7 × cat's), the importer's peak memory (≤ 300 MB), and matching 20,000 sidecars in
 * one folder (≤ 2 s).
 */
import { join } from "node:path";
import { sidecarHeavyFolder, writeBulkZipParts } from "../../tests/fixtures/takeout/generate.ts";
import { matchTree } from "../../src/sources/takeout/match.ts";
import { peakRssOf } from "./_process.ts";

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

    // Both runs start from a cold page cache where the OS allows it (a real export is far larger
    // than memory) and end when their writes are on disk, so both are measured the same way.
    const catOut = join(root, "cat.out");
    const cold = await dropCaches();
    const catStart = performance.now();
    const cat = await new Deno.Command("sh", {
      args: ["-c", `cat "$@" > "${catOut}" && sync`, "cat", ...bulk.paths],
    }).output();
    const catS = (performance.now() - catStart) / 1000;
    if (!cat.success) throw new Error("cat failed");
    await Deno.remove(catOut);

    const target = join(root, "target");
    await dropCaches();
    const started = performance.now();
    const run = await peakRssOf(
      [
        "run",
        "-A",
        new URL("../../mod.ts", import.meta.url).pathname,
        "takeout",
        target,
        ...bulk.paths,
        "--json",
      ],
      { HOME: root, PATH: Deno.env.get("PATH") ?? "" },
    );
    await new Deno.Command("sync").output();
    const importS = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`takeout exited ${run.code}: ${run.stderr}`);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!);

    const matchMs = benchMatch(20_000);
    const ratio = catS / importS;
    const mb = run.peakRssBytes / MiB;
    return [
      `## takeout: ${files.toLocaleString("en")} files in ${bulk.paths.length} zip parts, ${
        (archiveBytes / MiB).toFixed(0)
      } MiB`,
      "",
      "| measure | result | target |",
      "|---|---|---|",
      `| import (whole CLI run: both passes, SHA-256, writes, index) | ${importS.toFixed(1)} s, ${
        (archiveBytes / MiB / importS).toFixed(0)
      } MiB/s | |`,
      `| \`cat\` of the same parts into a file | ${catS.toFixed(1)} s, ${
        (archiveBytes / MiB / catS).toFixed(0)
      } MiB/s | |`,
      `| throughput ratio, import ÷ cat | ${ratio.toFixed(2)} | ≥ 0.7 ${
        ratio >= 0.7 ? "✅" : "❌"
      } |`,
      run.peakRssBytes > 0
        ? `| peak RSS of the import | ${mb.toFixed(0)} MB | ≤ 300 MB ${mb <= 300 ? "✅" : "❌"} |`
        : "| peak RSS of the import | not measured (needs /proc and -A) | ≤ 300 MB |",
      `| items imported | ${
        summary.imported ?? summary.report?.imported ?? "?"
      } of ${bulk.distinct} distinct | |`,
      `| matching 20,000 sidecars in one folder | ${matchMs.toFixed(0)} ms | ≤ 2,000 ms ${
        matchMs <= 2000 ? "✅" : "❌"
      } |`,
      "",
      cold
        ? "Both runs started with the page cache dropped and ended after `sync`: disk to disk, as with an export larger than memory."
        : "The page cache could not be dropped (not root): both runs read warm archives and end after `sync`.",
      "",
    ].join("\n");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
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
