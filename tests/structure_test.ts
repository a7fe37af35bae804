/** The layout rules of issue 10 that a reviewer would otherwise check by hand. */
import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** Every `.ts` file under `src/`, as a "/"-separated path relative to `src/`, with its text. */
async function sources(): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  async function walk(dir: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const full = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(full);
      else if (e.name.endsWith(".ts")) {
        out.push({
          path: relative(SRC, full).replaceAll("\\", "/"),
          text: await Deno.readTextFile(full),
        });
      }
    }
  }
  await walk(SRC.replace(/\/$/, ""));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

const SQL = /\b(SELECT |INSERT (OR \w+ )?INTO |UPDATE \w+ SET |DELETE FROM |CREATE (TABLE|INDEX) )/;

/** The SQL-looking string literals of a TypeScript text (comments left out). */
function sqlLiterals(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const literals = code.match(/`(?:\\.|[^\\`])*`|"(?:\\.|[^\\"\n])*"|'(?:\\.|[^\\'\n])*'/g) ?? [];
  return literals.filter((l) => SQL.test(l));
}

Deno.test("structure of src/", async (t) => {
  const files = await sources();

  await t.step("the SQL detector sees SQL in strings and not in comments", () => {
    assert.deepEqual(sqlLiterals(`x.stmt("SELECT path FROM album_links WHERE path > ?")`), [
      `"SELECT path FROM album_links WHERE path > ?"`,
    ]);
    assert.equal(sqlLiterals("db.prepare(`\n  UPDATE albums SET removed_at = ?`)").length, 1);
    assert.equal(sqlLiterals("q('DELETE FROM failures WHERE media_id = ?')").length, 1);
    assert.equal(sqlLiterals("// SELECT * FROM media_items\n/** DELETE FROM x */").length, 0);
  });

  await t.step("no SQL text outside src/index/", () => {
    const found = files.filter((f) => !f.path.startsWith("index/"))
      .flatMap((f) => sqlLiterals(f.text).map((l) => `${f.path}: ${l.slice(0, 60)}`));
    assert.deepEqual(found, []);
  });

  await t.step("the index's private files are imported only from src/index/", () => {
    const found = files.filter((f) => !f.path.startsWith("index/"))
      .filter((f) => /from "[^"]*\/index\/_[^"]*"/.test(f.text)).map((f) => f.path);
    assert.deepEqual(found, []);
  });

  await t.step("no file in src/ is over 500 lines", () => {
    const long = files.map((f) => ({ path: f.path, lines: f.text.split("\n").length - 1 }))
      .filter((f) => f.lines > 500).map((f) => `${f.path}: ${f.lines} lines`);
    assert.deepEqual(long, []);
  });

  // One implementation of each shared job, each in exactly one file (issue 10's "done when").
  const homes: [string, RegExp, string][] = [
    ["the SHA-256 routine", /\bcreateHash\(/, "files/hash.ts"],
    ["the link maker", /\bDeno\.(symlink|link)\(/, "files/links.ts"],
    ["the atomic writer's temp file + rename", /\bsyncData\(\)/, "files/atomic_file.ts"],
    ["the bounded pool", /class Pool\b|Promise\.all\(\s*Array\.from\(/, "files/pool.ts"],
    ["the media-type table", /["']\.?(mp4|mkv|m2ts|3gp|mov)["']/, "media/media_type.ts"],
  ];
  for (const [what, pattern, home] of homes) {
    await t.step(`${what} lives in src/${home} only`, () => {
      const code = (text: string) =>
        text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
      const found = files.filter((f) => pattern.test(code(f.text))).map((f) => f.path);
      assert.deepEqual(found, [home]);
    });
  }
});
