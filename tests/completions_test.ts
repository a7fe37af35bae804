import assert from "node:assert/strict";
import { runCli } from "./helpers.ts";

/** The commands `--help` lists, read from its "Commands:" block. */
async function commandNames(): Promise<string[]> {
  const help = await runCli(["--help"], {});
  const block = help.stdout.split("Commands:\n")[1].split("\n\n")[0];
  // Entries start two spaces in; wrapped descriptions further.
  return block.split("\n").map((l) => l.match(/^ {2}([a-z][\w-]*)/)?.[1])
    .filter((n): n is string => n !== undefined && n !== "help");
}

Deno.test("completions prints a script for bash, zsh and fish naming every command", async (t) => {
  const commands = await commandNames();
  assert.ok(commands.includes("sync") && commands.includes("completions"), commands.join(" "));
  for (const shell of ["bash", "zsh", "fish"]) {
    await t.step(shell, async () => {
      const res = await runCli(["completions", shell], {});
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, "");
      for (const name of commands) {
        assert.match(res.stdout, new RegExp(`\\b${name}\\b`), `${shell} names ${name}`);
      }
      // Options come from the program too: a command's own option, and a hidden one left out.
      assert.ok(res.stdout.includes("no-browser"), shell);
      assert.ok(res.stdout.includes("include-trash"), shell);
      assert.ok(!res.stdout.includes("flush-index"), shell);
    });
  }
  await t.step("the bash script parses and completes commands and options", async () => {
    const res = await runCli(["completions", "bash"], {});
    const script = await Deno.makeTempFile({ suffix: ".bash" });
    try {
      await Deno.writeTextFile(script, res.stdout);
      const probe = `source ${script}
COMP_WORDS=(gphotos-sync sta); COMP_CWORD=1; _gphotos_sync; echo "1:\${COMPREPLY[*]}"
COMP_WORDS=(gphotos-sync auth /tmp --no-b); COMP_CWORD=3; _gphotos_sync; echo "2:\${COMPREPLY[*]}"
COMP_WORDS=(gphotos-sync /tmp --skip-al); COMP_CWORD=2; _gphotos_sync; echo "3:\${COMPREPLY[*]}"`;
      const out = await new Deno.Command("bash", { args: ["-c", probe], stdout: "piped" }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.match(text, /^1:status$/m);
      assert.match(text, /^2:--no-browser$/m);
      // A bare TARGET runs sync, so sync's options follow it.
      assert.match(text, /^3:--skip-albums$/m);
    } finally {
      await Deno.remove(script);
    }
  });
  await t.step("an unknown shell is a usage mistake", async () => {
    const res = await runCli(["completions", "tcsh"], {});
    assert.equal(res.code, 2);
    assert.equal(res.stderr, 'error: Unknown shell "tcsh": choose bash, zsh, fish\n');
  });
});
