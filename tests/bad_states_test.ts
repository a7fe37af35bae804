/** Bad states and bad input: one clear line, the right exit code, nothing created or lost. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { canMountInNamespace, runCli, setupTarget } from "./helpers.ts";
import { INDEX_FILE } from "../src/index/mod.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.doesNotMatch(stderr, /\n\s+at /);
  return lines[0];
}

Deno.test("CLI refuses bad states with one line and the right exit code", async (t) => {
  const fake = await startFakeGoogle({ account: generateAccount({ items: 5, seed: 3 }), seed: 3 });
  const setup = await setupTarget(fake);
  const { root, target, env } = setup;
  try {
    await t.step("a mistyped command suggests the command and creates no folder", async () => {
      const cwd = Deno.cwd();
      Deno.chdir(root);
      try {
        const res = await runCli(["stauts"], env);
        assert.equal(res.code, 2);
        assert.match(oneLine(res.stderr), /unknown command "stauts": did you mean status\?/);
        assert.equal(await exists(join(root, "stauts")), false);
      } finally {
        Deno.chdir(cwd);
      }
    });

    await t.step("sync into a folder that does not exist creates nothing", async () => {
      const missing = join(root, "no-such", "backup");
      const res = await runCli(["sync", missing], env);
      assert.equal(res.code, 3);
      assert.match(oneLine(res.stderr), /does not exist; run "gphotos-sync auth/);
      assert.equal(await exists(join(root, "no-such")), false);
    });

    await t.step("TARGET that is a file: status and auth exit 2 with one line", async () => {
      const file = join(root, "a-file");
      await Deno.writeTextFile(file, "x");
      for (const args of [["status", file], ["auth", file, "--no-browser"]]) {
        const res = await runCli(args, env);
        assert.equal(res.code, 2, `${args[0]}: ${res.stderr}`);
        assert.match(oneLine(res.stderr), /is a file, not a folder/);
      }
    });

    await t.step("--start-date after --end-date is refused before any API call", async () => {
      const before = fake.calls.filter((c) => c.kind === "api").length;
      const res = await runCli(
        ["index", target, "--start-date", "2024-05-01", "--end-date", "2024-01-01"],
        env,
      );
      assert.equal(res.code, 2);
      assert.match(oneLine(res.stderr), /--start-date "2024-05-01" is after --end-date/);
      assert.equal(fake.calls.filter((c) => c.kind === "api").length, before);
    });

    await t.step("--secret naming a missing file is an error even with a token", async () => {
      const res = await runCli(["index", target, "--secret", join(root, "gone.json")], env);
      assert.equal(res.code, 2);
      assert.match(oneLine(res.stderr), /given with --secret does not exist/);
    });

    await t.step(
      "a damaged index names the file, says the photos are safe and how to rebuild",
      async () => {
        const other = join(root, "damaged");
        await Deno.mkdir(other);
        await Deno.writeTextFile(join(other, INDEX_FILE), "this is not a database ".repeat(200));
        const res = await runCli(["status", other], env);
        assert.equal(res.code, 1);
        const line = oneLine(res.stderr);
        assert.ok(line.includes(join(other, INDEX_FILE)), line);
        assert.match(line, /damaged.*photos and videos are untouched.*rebuild/);
      },
    );
  } finally {
    await fake.close();
    await setup.cleanup();
  }
});

Deno.test("auth keeps the old token until a new login succeeds, and takes the lock", async (t) => {
  const fake = await startFakeGoogle({ account: generateAccount({ items: 1, seed: 4 }), seed: 4 });
  const setup = await setupTarget(fake);
  const tokenFile = join(setup.target, ".gphotos.token");
  try {
    const before = await Deno.readTextFile(tokenFile);

    await t.step("--new-token whose login fails leaves the working token in place", async () => {
      const res = await runCli(["auth", setup.target, "--new-token"], setup.env, {
        // The browser never comes back: the consent is denied.
        openBrowser: async (url) => {
          const consent = await fetch(url, { redirect: "manual" });
          await consent.body?.cancel();
          const back = new URL(consent.headers.get("location")!);
          back.searchParams.delete("code");
          back.searchParams.set("error", "access_denied");
          const page = await fetch(back);
          await page.body?.cancel();
        },
      });
      assert.notEqual(res.code, 0);
      assert.equal(await Deno.readTextFile(tokenFile), before);
    });

    await t.step("auth waits for no one: a running sync's lock makes it exit 1", async () => {
      const lockFile = await Deno.open(join(setup.target, "gphotos.lock"), {
        read: true,
        write: true,
        create: true,
      });
      try {
        await lockFile.lock(true);
        const res = await runCli(["auth", setup.target, "--new-token"], setup.env);
        assert.equal(res.code, 1);
        assert.match(oneLine(res.stderr), /Another gphotos-sync run/);
        assert.equal(await Deno.readTextFile(tokenFile), before);
      } finally {
        lockFile.close();
      }
    });
  } finally {
    await fake.close();
    await setup.cleanup();
  }
});

Deno.test({
  name: "status --verify and download --dry-run read a backup on a read-only disk",
  // A read-only mount needs a user namespace (unshare -rm, from util-linux); CI machines have it.
  ignore: !(await canMountInNamespace((dir) =>
    `mount --bind "${dir}" "${dir}" && mount -o remount,bind,ro "${dir}"`
  )),
  fn: async () => {
    const fake = await startFakeGoogle({
      account: generateAccount({ items: 6, seed: 5 }),
      seed: 5,
    });
    const setup = await setupTarget(fake);
    try {
      const sync = await runCli(["sync", setup.target, "--skip-albums"], setup.env);
      assert.ok(sync.code === 0 || sync.code === 4, sync.stderr);
      const mod = new URL("../mod.ts", import.meta.url).pathname;
      const deno = Deno.execPath();
      const cli = (args: string) =>
        `TZ=UTC NO_COLOR=1 "${deno}" run --quiet --allow-read --allow-write --allow-env ` +
        `--allow-net=127.0.0.1 --allow-sys=hostname,osRelease,homedir "${mod}" ${args}`;
      const t = setup.target;
      const script = [
        `mount --bind "${t}" "${t}"`,
        `mount -o remount,bind,ro "${t}"`,
        `touch "${t}/probe" 2>/dev/null && echo "still writable" && exit 9`,
        `${cli(`status "${t}" --verify --json`)}; echo "status=$?"`,
        `${cli(`download "${t}" --dry-run --json`)}; echo "dry=$?"`,
      ].join("\n");
      const out = await new Deno.Command("unshare", {
        args: ["-rm", "sh", "-c", script],
        env: setup.env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      const stderr = new TextDecoder().decode(out.stderr);
      assert.doesNotMatch(stderr, /unable to open database file/);
      assert.match(stdout, /status=0/, stdout + stderr);
      assert.match(stdout, /dry=0/, stdout + stderr);
      const verify = stdout.split("\n").find((l) =>
        l.includes('"type":"summary"')
      );
      assert.ok(verify, stdout);
    } finally {
      await fake.close();
      await setup.cleanup();
    }
  },
});
