/** The house's import directions: no source imports another source or the sync core. */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { walkFiles } from "./helpers.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The contract every source implements and the engine consumes: importable by all. */
const SHARED_CONTRACTS = new Set(["src/sources/media_url.ts"]);

/** Folders at the bottom of the house: they import no source, no sync step and no command. */
const LOWER = ["src/files/", "src/index/", "src/media/", "src/layout/"];

/** Why `from` (a path under src/) may not import `to`, or undefined when it may. */
function layeringProblem(from: string, to: string): string | undefined {
  if (!to.startsWith("src/")) return undefined;
  if (from.startsWith("src/sources/")) {
    if (to.startsWith("src/sync/")) return "a source imports the sync core";
    if (to.startsWith("src/sources/") && !SHARED_CONTRACTS.has(to)) {
      const own = sourceOf(from);
      if (own === undefined || sourceOf(to) !== own) return "a source imports another source";
    }
  }
  if (LOWER.some((dir) => from.startsWith(dir))) {
    for (const upper of ["src/sync/", "src/sources/", "src/cli/"]) {
      if (to.startsWith(upper)) return `${from.split("/")[1]}/ imports ${upper.slice(4)}`;
    }
  }
  return undefined;
}

/** `library` for `src/sources/library/x.ts`; undefined for a file directly in src/sources/. */
function sourceOf(path: string): string | undefined {
  const parts = path.split("/");
  return parts.length > 3 ? parts[2] : undefined;
}

/** The relative module specifiers a file imports or re-exports, static or dynamic. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;
  for (const m of text.matchAll(pattern)) out.push(m[1]);
  return out;
}

Deno.test("layeringProblem() knows the allowed directions", async (t) => {
  const cases: [string, string, boolean][] = [
    ["src/sources/picker/pick.ts", "src/sources/picker/pick_urls.ts", true],
    ["src/sources/picker/pick_urls.ts", "src/sources/media_url.ts", true],
    ["src/sources/picker/pick_urls.ts", "src/sources/library/media_urls.ts", false],
    ["src/sources/picker/pick.ts", "src/sync/download_engine.ts", false],
    ["src/sources/media_url.ts", "src/sources/library/media_urls.ts", false],
    ["src/sources/library/albums_index.ts", "src/index/mod.ts", true],
    ["src/sync/album_links.ts", "src/sources/library/albums_index.ts", true],
    ["src/cli/sync.ts", "src/sync/run_sync.ts", true],
    ["src/files/staging.ts", "src/sources/takeout/sources.ts", false],
    ["src/index/db.ts", "src/cli/context.ts", false],
    ["src/media/media_time.ts", "src/sync/verify.ts", false],
    ["src/layout/clash.ts", "src/index/types.ts", true],
  ];
  for (const [from, to, allowed] of cases) {
    await t.step(`${from} -> ${to}: ${allowed ? "allowed" : "refused"}`, () => {
      assert.equal(layeringProblem(from, to) === undefined, allowed);
    });
  }
  await t.step("importsOf() finds static, type-only, re-exported and dynamic imports", () => {
    const text = [
      'import { a } from "../a.ts";',
      'import type { B } from "./b.ts";',
      'export { c } from "../../c.ts";',
      'const d = await import("./d.ts");',
      'import "./e.ts";',
      'import { join } from "node:path";',
    ].join("\n");
    assert.deepEqual(importsOf(text), ["../a.ts", "./b.ts", "../../c.ts", "./d.ts", "./e.ts"]);
  });
});

Deno.test("no source imports another source or src/sync/; files, index, media, layout import neither nor src/cli/", async () => {
  const problems: string[] = [];
  for (const rel of await walkFiles(join(ROOT, "src"))) {
    if (!rel.endsWith(".ts")) continue;
    const from = `src/${rel}`;
    const text = await Deno.readTextFile(join(ROOT, from));
    for (const spec of importsOf(text)) {
      const to = relative(ROOT, normalize(join(ROOT, dirname(from), spec))).replaceAll("\\", "/");
      const problem = layeringProblem(from, to);
      if (problem === undefined) continue;
      const pair = `${from} -> ${to}`;
      problems.push(`${pair}: ${problem}`);
    }
  }
  assert.deepEqual(problems, []);
});
