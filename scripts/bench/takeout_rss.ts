/**
 * Peak RSS of `takeout TARGET PARTS... --json` on the many-small-items export of the Takeout
 * benchmark (small JPEGs with sidecars in 5 zip parts), without the rest of the benchmark. The
 * parts are generated once into `.bench/rss-N/` and reused; each run imports into a fresh target.
 *
 *   deno run -A scripts/bench/takeout_rss.ts [--items 20000] [--dry-run]
 */
import { join } from "node:path";
import { writeBulkZipParts } from "../../tests/fixtures/takeout/generate.ts";
import { peakRssOf } from "./_process.ts";

const MiB = 1024 * 1024;

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  return i < 0 ? fallback : Number(Deno.args[i + 1]);
}

async function partsFor(items: number): Promise<string[]> {
  const dir = new URL(`../../.bench/rss-${items}/`, import.meta.url).pathname;
  const done = join(dir, "parts.json");
  try {
    return JSON.parse(await Deno.readTextFile(done));
  } catch {
    // Not generated yet.
  }
  await Deno.mkdir(dir, { recursive: true });
  const bulk = await writeBulkZipParts(dir, {
    files: items,
    bytesPerFile: 2_000,
    parts: 5,
    seed: 11,
  });
  await Deno.writeTextFile(done, JSON.stringify(bulk.paths));
  return bulk.paths;
}

if (import.meta.main) {
  const items = option("--items", 20_000);
  const paths = await partsFor(items);
  const home = await Deno.makeTempDir({ prefix: "takeout-rss-" });
  try {
    const target = join(home, "target");
    const args = ["run", "-A", new URL("../../mod.ts", import.meta.url).pathname, "takeout"];
    args.push(target, ...paths, "--json");
    if (Deno.args.includes("--dry-run")) args.push("--dry-run");
    const started = performance.now();
    const run = await peakRssOf(args, { HOME: home, PATH: Deno.env.get("PATH") ?? "" });
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`takeout exited ${run.code}: ${run.stderr}`);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    console.log(
      `${items} items, 5 zip parts: peak RSS ${(run.peakRssBytes / MiB).toFixed(0)} MB, ${
        seconds.toFixed(1)
      } s, imported ${summary.imported ?? summary.report?.imported ?? "?"}`,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}
