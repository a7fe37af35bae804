import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { followInBrowser, runCli, setupTarget } from "./helpers.ts";
import { main } from "../mod.ts";
import type { CliContext } from "../src/cli/context.ts";
import { formatLocalTime } from "../src/cli/local_time.ts";

Deno.test("options of the original gphotos-sync in a copied cron line", async (t) => {
  const account = generateAccount({ items: 6, seed: 3, albums: 1 });
  const fake = await startFakeGoogle({ account, seed: 3, quirks: false });
  const tt = await setupTarget(fake);
  try {
    await t.step(
      "--progress and the default --photos-path/--albums-path run as before",
      async () => {
        const res = await runCli(
          ["--progress", "--photos-path", "photos", "--albums-path", "albums/", tt.target],
          tt.env,
        );
        assert.equal(res.code, 0, res.stderr);
        assert.ok((await Deno.stat(join(tt.target, "gphotos.sqlite"))).isFile);
      },
    );
    const refused: [string[], RegExp][] = [
      [["--flush-index"], /move TARGET\/gphotos\.sqlite aside/],
      [["--db-path", "/var/db"], /always TARGET\/gphotos\.sqlite/],
      [["--skip-files"], /gphotos-sync albums TARGET/],
      [["--photos-path", "pics"], /TARGET\/photos\/ \("pics" was asked for\)/],
      [["--albums-path", "/x/albums"], /TARGET\/albums\//],
      [["--compare-folder", "/old"], /gphotos-sync compare TARGET FOLDER/],
      [["--max-retries", "5"], /--timeout/],
      [["--no-album-index"], /--skip-albums/],
    ];
    for (const [args, why] of refused) {
      await t.step(`${args[0]} is refused with one line naming what replaces it`, async () => {
        for (const argv of [[...args, tt.target], ["sync", tt.target, ...args]]) {
          const res = await runCli(argv, tt.env);
          assert.equal(res.code, 2, res.stderr);
          const lines = res.stderr.trim().split("\n");
          assert.equal(lines.length, 1, res.stderr);
          assert.match(lines[0], new RegExp(`^error: Option "${args[0]}"`));
          assert.match(lines[0], why);
          assert.doesNotMatch(res.stderr, /unknown option/);
        }
      });
    }
    await t.step("--log-level and --logfile are never a bare unknown option", async () => {
      for (const args of [["--log-level", "info"], ["--logfile", "/tmp/gphotos.log"]]) {
        const res = await runCli([...args, tt.target, "--json"], tt.env);
        assert.doesNotMatch(res.stderr, /unknown option/, res.stderr);
        // Either taken (habits' --log-level/--log-file) or refused naming the replacement.
        if (res.code !== 0) {
          assert.equal(res.code, 2);
          assert.match(res.stderr, /^error: Option "--log(-level|file)" .*: (use|messages)/);
        }
      }
    });
    await t.step("a value that looks like a command is not taken for a typo", async () => {
      const res = await runCli(["--album", "pics", tt.target, "--index-only"], tt.env);
      assert.equal(res.code, 0, res.stderr);
      assert.doesNotMatch(res.stderr, /did you mean/);
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("sync against a library Google lists as empty (2025 rules) says what to do", async (t) => {
  const account = generateAccount({ items: 8, seed: 5, albums: 1 });
  const fake = await startFakeGoogle({ account, seed: 5, quirks: false, mode: "2025" });
  const tt = await setupTarget(fake);
  try {
    await t.step("one block on stderr naming takeout and pick, exit 0", async () => {
      const res = await runCli([tt.target, "--skip-albums"], tt.env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stderr, /Google returned an empty library\./);
      assert.match(res.stderr, /Since 2025-03-31/);
      assert.ok(res.stderr.includes(`gphotos-sync takeout ${tt.target} takeout-*.zip`), res.stderr);
      assert.ok(res.stderr.includes(`gphotos-sync pick ${tt.target}`), res.stderr);
      assert.doesNotMatch(res.stdout, /empty library/);
      // Said once, as one block: not also as a warning line from the listing.
      assert.equal(res.stderr.match(/empty library/g)?.length, 1, res.stderr);
    });
    await t.step("--json: a warning event before the summary, stdout stays JSON", async () => {
      const res = await runCli([tt.target, "--skip-albums", "--json"], tt.env);
      assert.equal(res.code, 0, res.stderr);
      const lines = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
      const warning = lines.find((l) => l.type === "warning" && /empty library/.test(l.message));
      assert.ok(warning, res.stdout);
      assert.match(warning.message, /gphotos-sync takeout/);
      assert.equal(lines.at(-1).type, "summary");
      assert.equal(lines.at(-1).index.emptyListing, true);
    });
    await t.step("status shows it", async () => {
      const res = await runCli(["status", tt.target], tt.env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Google returned an empty library/);
      assert.match(res.stdout, /gphotos-sync takeout/);
      const json = await runCli(["status", tt.target, "--json"], tt.env);
      assert.equal(JSON.parse(json.stdout.trim().split("\n").at(-1)!).emptyLibrary, true);
    });
    await t.step("index says it too", async () => {
      const res = await runCli(["index", tt.target], tt.env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stderr, /Google returned an empty library\./);
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("status does not claim an empty library after a listing that found items", async () => {
  const account = generateAccount({ items: 5, seed: 9, albums: 1 });
  const fake = await startFakeGoogle({ account, seed: 9, quirks: false });
  const tt = await setupTarget(fake);
  try {
    const sync = await runCli([tt.target], tt.env);
    assert.equal(sync.code, 0, sync.stderr);
    assert.doesNotMatch(sync.stderr, /empty library/);
    const res = await runCli(["status", tt.target, "--json"], tt.env);
    assert.equal(JSON.parse(res.stdout.trim().split("\n").at(-1)!).emptyLibrary, false);
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("auth --no-browser says how to log in from another machine through ssh -L", async (t) => {
  const account = generateAccount({ items: 1, seed: 2, albums: 0 });
  const fake = await startFakeGoogle({ account, seed: 2, quirks: false });
  const tt = await setupTarget(fake, { login: false });
  // A free port, found and released, so the hint can be checked against a pinned --port.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  try {
    for (const pinned of [true, false]) {
      await t.step(pinned ? "with --port N" : "with an ephemeral port", async () => {
        let stderr = "";
        let opened = 0;
        const visits: Promise<void>[] = [];
        const ctx: CliContext = {
          env: tt.env,
          stdout: () => {},
          stderr: (s) => {
            stderr += s;
            // The user opens the printed URL on the other machine.
            const url = s.match(/^(http\S+)$/m)?.[1];
            if (url) visits.push(followInBrowser(url));
          },
          isTerminal: false,
          openBrowser: () => {
            opened++;
            return Promise.resolve();
          },
          signal: new AbortController().signal,
          home: tt.env.HOME,
        };
        const args = ["auth", tt.target, "--no-browser", "--new-token"];
        const code = await main(pinned ? [...args, "--port", String(port)] : args, ctx);
        await Promise.all(visits);
        assert.equal(code, 0, stderr);
        assert.equal(opened, 0);
        const redirect = new URL(
          new URL(stderr.match(/^(http\S+)$/m)![1]).searchParams.get("redirect_uri")!,
        );
        const n = pinned ? String(port) : redirect.port;
        assert.equal(redirect.port, n);
        assert.ok(stderr.includes(`ssh -L ${n}:127.0.0.1:${n} `), stderr);
        if (pinned) assert.doesNotMatch(stderr, /pin the port/);
        else assert.match(stderr, new RegExp(`--port ${n}`));
      });
    }
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("formatLocalTime() shows the user's zone to the second, with its offset", () => {
  const iso = "2026-03-01T23:04:05.678Z";
  assert.equal(formatLocalTime(iso, "UTC"), "2026-03-01 23:04:05 +00:00");
  assert.equal(formatLocalTime(iso, "Asia/Kolkata"), "2026-03-02 04:34:05 +05:30");
  assert.equal(
    formatLocalTime("2026-07-01T12:00:00Z", "America/New_York"),
    "2026-07-01 08:00:00 -04:00",
  );
  // Tests run with TZ=UTC: the default zone is the runtime's.
  assert.equal(formatLocalTime(iso), "2026-03-01 23:04:05 +00:00");
});

Deno.test("status shows run and failure times in the local zone", async (t) => {
  const account = generateAccount({ items: 3, seed: 4, albums: 0 });
  const fake = await startFakeGoogle({ account, seed: 4, quirks: false });
  const tt = await setupTarget(fake);
  try {
    assert.equal((await runCli([tt.target, "--index-only"], tt.env)).code, 0);
    const utc = await runCli(["status", tt.target], tt.env);
    const started = utc.stdout.match(/^ {2}sync +(\S+ \S+ \S+) /m)?.[1];
    assert.ok(started, utc.stdout);
    assert.match(started, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00$/);
    await t.step("TZ of the environment (in-process)", async () => {
      const res = await runCli(["status", tt.target], { ...tt.env, TZ: "Asia/Kathmandu" });
      const local = res.stdout.match(/^ {2}sync +(\S+ \S+ \S+) /m)?.[1];
      assert.ok(local?.endsWith(" +05:45"), res.stdout);
      const shift = Date.parse(local!.replace(" ", "T").replace(" ", "")) -
        Date.parse(started.replace(" ", "T").replace(" ", ""));
      assert.equal(shift, 0, `${local} is ${started}`);
      assert.notEqual(local!.slice(0, 19), started.slice(0, 19));
    });
    await t.step("TZ of a real process", async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(import.meta.dirname!, "..", "mod.ts"), "status", tt.target],
        // The child gets another HOME, so it is told where Deno's cache is.
        env: { ...tt.env, TZ: "America/Sao_Paulo", DENO_DIR: await denoDir() },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(text, /^ {2}sync +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d -03:00 /m);
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}
