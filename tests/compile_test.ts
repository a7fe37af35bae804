import assert from "node:assert/strict";

const HOST = `${Deno.build.arch === "aarch64" ? "aarch64" : "x86_64"}-${
  Deno.build.os === "darwin"
    ? "apple-darwin"
    : Deno.build.os === "windows"
    ? "pc-windows-msvc"
    : "unknown-linux-gnu"
}`;

async function compile(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-run",
      "scripts/compile.ts",
      ...args,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stderr: dec.decode(out.stderr) };
}

Deno.test("deno task compile says exactly what is missing when it cannot build", async (t) => {
  const out = await Deno.makeTempDir();
  try {
    await t.step("a DENORT_BIN that does not exist is named, nothing is downloaded", async () => {
      const res = await compile(["--target", HOST, "--out", out], {
        DENORT_BIN: "/no/such/denort",
      });
      assert.equal(res.code, 1);
      assert.match(
        res.stderr,
        new RegExp(`cannot build ${HOST}: the denort binary "/no/such/denort" does not exist`),
      );
      assert.match(res.stderr, /0 built, 1 not built/);
    });
    await t.step("an unknown target is a usage error", async () => {
      const res = await compile(["--target", "sparc-sun-solaris"], {});
      assert.equal(res.code, 2);
      assert.match(res.stderr, /Unknown target "sparc-sun-solaris"/);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
