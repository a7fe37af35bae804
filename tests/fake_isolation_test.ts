/**
 * The fake Google must not share code with the tool: were it to use the tool's wire types, a
 * field name wrong in the tool would be wrong in the fake too and every test would still pass.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const TESTS = dirname(fromFileUrl(import.meta.url));
const FAKE = join(TESTS, "fake_google");

/** Static, side-effect and dynamic imports and re-exports with a literal specifier. */
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+|\bexport\s+\*\s+from\s*)["']([^"']+)["']/gm;

/**
 * Every local import reachable from `files` (followed through the files they import) that
 * resolves outside `root`, as "importer (relative to root) -> specifier".
 */
async function importsLeaving(root: string, files: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const leaks: string[] = [];
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1];
      if (!spec.startsWith(".") && !spec.startsWith("/") && !spec.startsWith("file:")) continue;
      const target = spec.startsWith("file:") ? fromFileUrl(spec) : resolve(dirname(file), spec);
      const rel = relative(root, target);
      if (rel.startsWith("..") || rel.startsWith("/")) {
        leaks.push(`${relative(root, file)} -> ${spec}`);
      } else {
        queue.push(target);
      }
    }
  }
  return leaks.sort();
}

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await tsFiles(path));
    else if (e.isFile && e.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

Deno.test("the fake Google imports nothing of the tool, directly or through fixtures", async () => {
  const files = await tsFiles(FAKE);
  assert.ok(files.length > 5, "fake_google has its files");
  assert.deepEqual(await importsLeaving(TESTS, files), []);
});

Deno.test("importsLeaving() finds a direct and an indirect import of src/", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-isolation-" });
  try {
    const tests = join(dir, "tests");
    await Deno.mkdir(join(tests, "fake"), { recursive: true });
    await Deno.mkdir(join(tests, "fixtures"), { recursive: true });
    await Deno.writeTextFile(
      join(tests, "fake", "a.ts"),
      'import { b } from "../fixtures/b.ts";\nimport type { X } from "../../src/google/types.ts";\n',
    );
    await Deno.writeTextFile(
      join(tests, "fixtures", "b.ts"),
      'export { SCOPES } from "../../src/google/types.ts";\nimport "node:path";\n',
    );
    await Deno.writeTextFile(
      join(tests, "fake", "c.ts"),
      'const m = await import("../../mod.ts");\n',
    );
    assert.deepEqual(
      await importsLeaving(tests, [join(tests, "fake", "a.ts"), join(tests, "fake", "c.ts")]),
      [
        "fake/a.ts -> ../../src/google/types.ts",
        "fake/c.ts -> ../../mod.ts",
        "fixtures/b.ts -> ../../src/google/types.ts",
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
