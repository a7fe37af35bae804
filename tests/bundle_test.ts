import assert from "node:assert/strict";
import { join } from "node:path";
import { bundle } from "../scripts/bundle.ts";
import { runCli, walkFiles } from "./helpers.ts";
import { englishExport, writeZipParts } from "./fixtures/takeout/generate.ts";

/** Runs the bundle as its own process, with nothing of this environment but PATH. */
async function runBundle(file: string, args: string[], home: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-config", file, ...args],
    env: { HOME: home, PATH: Deno.env.get("PATH") ?? "", TZ: "UTC" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** What a takeout run's summary counts, without its times. */
function counts(stdout: string): Record<string, unknown> {
  const summary = JSON.parse(stdout.trim().split("\n").at(-1)!);
  assert.equal(summary.type, "summary");
  return Object.fromEntries(
    Object.entries(summary).filter(([, v]) => typeof v === "number" && Number.isInteger(v)),
  );
}

Deno.test("deno task bundle: one file that imports a Takeout as mod.ts does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-bundle-" });
  try {
    const file = join(dir, "gphotos-sync.js");
    await bundle(file);
    const version = await runBundle(file, ["--version"], dir);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), "0.1.0");

    const paths = await writeZipParts(englishExport(31), dir);
    const viaBundle = await runBundle(file, ["takeout", join(dir, "a"), ...paths, "--json"], dir);
    assert.equal(viaBundle.code, 0, viaBundle.stderr);
    const viaSource = await runCli(["takeout", join(dir, "b"), ...paths, "--json"], { HOME: dir });
    assert.equal(viaSource.code, 0, viaSource.stderr);
    const bundled = counts(viaBundle.stdout);
    assert.ok((bundled.imported as number) > 0);
    assert.deepEqual(bundled, counts(viaSource.stdout));
    const files = (await walkFiles(join(dir, "a"))).filter((f) => !f.startsWith("logs/"));
    assert.ok(files.some((f) => f.startsWith("albums/")));
    assert.deepEqual(
      files,
      (await walkFiles(join(dir, "b"))).filter((f) => !f.startsWith("logs/")),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
