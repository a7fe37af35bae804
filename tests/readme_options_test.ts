import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./helpers.ts";

const README = await Deno.readTextFile(join(import.meta.dirname!, "..", "README.md"));

/** Deno's own flags that README's Install section discusses in prose. */
const DENO_OWN = new Set(["--config"]);

/** The commands `--help` lists. */
async function commandNames(): Promise<string[]> {
  const help = await runCli(["--help"], {});
  const block = help.stdout.split("Commands:\n")[1].split("\n\n")[0];
  return block.split("\n").map((l) => l.match(/^ {2}([a-z][\w-]*)/)?.[1])
    .filter((n): n is string => n !== undefined && n !== "help");
}

/** The long options a `--help` lists in its "Options:" block. */
function helpOptions(help: string): string[] {
  const block = help.split("Options:\n")[1]?.split("\n\n")[0] ?? "";
  return [...block.matchAll(/^ {2}(?:-\w, )?(--[a-z][\w-]*)/gm)].map((m) => m[1]);
}

/**
 * The options README names for this tool: `--x` anywhere but in Deno's and npm's own command lines
 * and in the table of the original tool's options (those are hidden on purpose).
 */
function readmeOptions(): Set<string> {
  const coming = README.indexOf("## Coming from gphotos-sync");
  const text = README.slice(0, coming) + README.slice(README.indexOf("\n## ", coming + 1));
  const ours = text.split("\n").filter((l) => !/^\s*(deno|npm|curl)\s/.test(l)).join("\n")
    // Deno's own flags in prose: `deno install -g -A --config deno.json …`.
    .replace(/`(deno|npm) [^`]*`/g, "");
  return new Set(
    [...ours.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((m) => m[0]).filter((o) => !DENO_OWN.has(o)),
  );
}

Deno.test("every option in --help is in the README, and every option in the README exists", async (t) => {
  const commands = await commandNames();
  assert.ok(commands.length >= 10, commands.join(" "));
  const all = new Set(helpOptions((await runCli(["--help"], {})).stdout));
  const inReadme = readmeOptions();
  for (const command of commands) {
    await t.step(`${command}: each --help option is in the README`, async () => {
      const res = await runCli([command, "--help"], {});
      assert.equal(res.code, 0, res.stderr);
      const options = helpOptions(res.stdout);
      assert.ok(options.includes("--help"), res.stdout);
      for (const o of options) all.add(o);
      const missing = options.filter((o) => !inReadme.has(o));
      assert.deepEqual(missing, [], `README lacks ${command}'s ${missing.join(", ")}`);
    });
  }
  await t.step("each README option is an option of some command", () => {
    const unknown = [...inReadme].filter((o) => !all.has(o));
    assert.deepEqual(unknown, [], `README names options no command has: ${unknown.join(", ")}`);
  });
  await t.step("the original tool's options in the table are all recognised", async () => {
    const table = README.slice(README.indexOf("## Coming from gphotos-sync"));
    const rows = table.slice(0, table.indexOf("\n## ")).split("\n").filter((l) =>
      l.startsWith("| `")
    );
    const originals = rows.flatMap((r) =>
      [...r.split("|")[1].matchAll(/--[a-z][\w-]*/g)].map((m) => m[0])
    );
    assert.ok(originals.length >= 40, originals.join(" "));
    // In a scratch folder: `--logfile 1` is taken, and writes its log to "./1".
    const cwd = Deno.cwd();
    const scratch = await Deno.makeTempDir();
    Deno.chdir(scratch);
    try {
      for (const o of originals) {
        // Taken, or refused naming the replacement: never "unknown option".
        const res = await runCli(["sync", "/nonexistent-target", o, "1"], {});
        assert.doesNotMatch(res.stderr, /unknown option/, `${o}: ${res.stderr}`);
      }
    } finally {
      Deno.chdir(cwd);
      await Deno.remove(scratch, { recursive: true });
    }
  });
});
