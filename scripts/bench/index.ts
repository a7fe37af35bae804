/**
 * Benchmark of `index`: a 100,000-item account at 50 ms per call. The floor is 1,000 list calls
 * (100 items a page) × 50 ms = 50 s; targets: ≤ 1.1 × the floor, exactly 1,000 list calls, ≤ 300 MB.
 * The CLI runs as a subprocess so its peak memory is its own, not the fake server's.
 */
import { startFakeGoogle } from "../../tests/fake_google/mod.ts";
import { generateAccount } from "../../tests/fixtures/generate.ts";
import { setupTarget } from "../../tests/helpers.ts";
import { peakRssOf } from "./_process.ts";

/** Sizes of the benchmark; the defaults are the targets. */
export interface BenchIndexOptions {
  items?: number;
  latencyMs?: number;
}

/** Runs the index benchmark and returns its Markdown section. */
export async function benchIndex(opts: BenchIndexOptions = {}): Promise<string> {
  const items = opts.items ?? 100_000;
  const latencyMs = opts.latencyMs ?? 50;
  const account = generateAccount({ items, seed: 100, nasty: false, albums: 0 });
  // Every generated item is listed (no archived or album-only ones), so the floor is exact.
  for (const item of account.items) {
    item.archived = false;
    item.inLibrary = true;
  }
  const fake = await startFakeGoogle({ account, seed: 100, latencyMs, quirks: false });
  const tt = await setupTarget(fake, { realPacing: true });
  try {
    const target = tt.target;
    fake.resetCounters();
    const started = performance.now();
    const run = await peakRssOf(
      ["run", "-A", new URL("../../mod.ts", import.meta.url).pathname, "index", target, "--json"],
      tt.env,
    );
    const wallS = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`index exited ${run.code}: ${run.stderr}`);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    const listCalls = fake.calls.filter((c) => c.kind === "api" && c.path === "/v1/mediaItems")
      .length;
    const floorS = Math.ceil(items / 100) * latencyMs / 1000;
    const mb = run.peakRssBytes / 1024 / 1024;
    return [
      `## index: ${items.toLocaleString("en")} items at ${latencyMs} ms per call`,
      "",
      "| measure | result | target |",
      "|---|---|---|",
      `| wall time | ${wallS.toFixed(1)} s (${
        (wallS / floorS).toFixed(3)
      } × the floor of ${floorS} s) | ≤ 1.1 × floor ${wallS <= floorS * 1.1 ? "✅" : "❌"} |`,
      `| list calls | ${listCalls} (API calls in all: ${summary.apiCalls}) | exactly ${
        Math.ceil(items / 100)
      } ${listCalls === Math.ceil(items / 100) ? "✅" : "❌"} |`,
      `| items indexed | ${summary.added} | ${items} ${summary.added === items ? "✅" : "❌"} |`,
      run.peakRssBytes > 0
        ? `| peak RSS of the CLI process | ${mb.toFixed(0)} MB | ≤ 300 MB ${
          mb <= 300 ? "✅" : "❌"
        } |`
        : "| peak RSS of the CLI process | not measured (needs /proc and -A) | ≤ 300 MB |",
      "",
      "Wall time includes starting Deno and the token refresh.",
      "",
    ].join("\n");
  } finally {
    await fake.close();
    await tt.cleanup();
  }
}

if (import.meta.main) {
  const items = Deno.args[0] ? Number(Deno.args[0]) : undefined;
  console.log(await benchIndex({ items }));
}
