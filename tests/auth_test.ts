import assert from "node:assert/strict";
import { join } from "node:path";
import { AuthError, UsageError } from "../src/errors.ts";
import { configDir, findClientSecret } from "../src/google/client_secret.ts";
import { readToken, TOKEN_FILE, writeToken } from "../src/google/token_store.ts";

const INSTALLED = JSON.stringify({
  installed: {
    client_id: "123-abc.apps.googleusercontent.com",
    client_secret: "GOCSPX-secret",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
    redirect_uris: ["http://localhost"],
  },
});

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "gphotos_auth_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function usageError(check: (message: string) => void) {
  return (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    assert.equal(error.exitCode, 2);
    assert.ok(!error.message.includes("\n"), "the message must be one line");
    check(error.message);
    return true;
  };
}

Deno.test("findClientSecret() looks in --secret, then the env, then the config folder", async (t) => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    const configured = join(home, ".config", "gphotos-sync");
    await Deno.mkdir(configured, { recursive: true });
    await Deno.writeTextFile(join(configured, "client_secret.json"), INSTALLED);
    const flag = join(dir, "flag.json");
    const fromEnv = join(dir, "env.json");
    const other = (id: string) =>
      JSON.stringify({ installed: { client_id: id, client_secret: "s" } });
    await Deno.writeTextFile(flag, other("from-flag"));
    await Deno.writeTextFile(fromEnv, other("from-env"));

    await t.step("--secret wins over the env and the config folder", async () => {
      const found = await findClientSecret({
        secret: flag,
        env: { GPHOTOS_SYNC_CLIENT_SECRET: fromEnv },
        home,
        os: "linux",
      });
      assert.deepEqual(found, { clientId: "from-flag", clientSecret: "s", path: flag });
    });

    await t.step("GPHOTOS_SYNC_CLIENT_SECRET wins over the config folder", async () => {
      const found = await findClientSecret({
        env: { GPHOTOS_SYNC_CLIENT_SECRET: fromEnv },
        home,
        os: "linux",
      });
      assert.equal(found.clientId, "from-env");
    });

    await t.step("the config folder is the fallback, with the file's URLs kept", async () => {
      const found = await findClientSecret({ env: {}, home, os: "linux" });
      assert.deepEqual(found, {
        clientId: "123-abc.apps.googleusercontent.com",
        clientSecret: "GOCSPX-secret",
        path: join(configured, "client_secret.json"),
        authUri: "https://accounts.google.com/o/oauth2/auth",
        tokenUri: "https://oauth2.googleapis.com/token",
      });
    });

    await t.step("a place whose file is missing is skipped", async () => {
      const found = await findClientSecret({
        secret: join(dir, "nope.json"),
        env: { GPHOTOS_SYNC_CLIENT_SECRET: fromEnv },
        home,
        os: "linux",
      });
      assert.equal(found.clientId, "from-env");
    });
  });
});

Deno.test("findClientSecret() fails with one line naming every place looked at", async (t) => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    const expectedConfig = join(home, ".config", "gphotos-sync", "client_secret.json");

    await t.step("nothing anywhere", async () => {
      const flag = join(dir, "missing-flag.json");
      const env = join(dir, "missing-env.json");
      await assert.rejects(
        findClientSecret({
          secret: flag,
          env: { GPHOTOS_SYNC_CLIENT_SECRET: env },
          home,
          os: "linux",
        }),
        usageError((message) => {
          assert.ok(message.includes(`"${flag}"`), message);
          assert.ok(message.includes(`"${env}"`), message);
          assert.ok(message.includes(`"${expectedConfig}"`), message);
          assert.match(message, /Desktop app/);
        }),
      );
    });

    await t.step("unset places are named too", async () => {
      await assert.rejects(
        findClientSecret({ env: {}, home, os: "linux" }),
        usageError((message) => {
          assert.match(message, /--secret \(not set\)/);
          assert.match(message, /GPHOTOS_SYNC_CLIENT_SECRET \(not set\)/);
          assert.ok(message.includes(`"${expectedConfig}"`), message);
        }),
      );
    });

    const cases: [string, string, RegExp][] = [
      ["not JSON", "{ this is not json", /file is not JSON/],
      ["an array", "[1, 2]", /not a JSON object/],
      [
        "a web client",
        JSON.stringify({ web: { client_id: "x", client_secret: "y", javascript_origins: [] } }),
        /"Web application" client.*"Desktop app"/,
      ],
      ["no installed key", JSON.stringify({ other: {} }), /no "installed" client/],
      [
        "no client_id",
        JSON.stringify({ installed: { client_secret: "y" } }),
        /"installed\.client_id" is missing/,
      ],
      [
        "no client_secret",
        JSON.stringify({ installed: { client_id: "x" } }),
        /"installed\.client_secret" is missing/,
      ],
    ];
    for (const [name, text, pattern] of cases) {
      await t.step(`a malformed file: ${name}`, async () => {
        const bad = join(dir, "bad.json");
        await Deno.writeTextFile(bad, text);
        const missing = join(dir, "missing.json");
        await assert.rejects(
          findClientSecret({
            secret: missing,
            env: { GPHOTOS_SYNC_CLIENT_SECRET: bad },
            home,
            os: "linux",
          }),
          usageError((message) => {
            assert.match(message, pattern);
            assert.ok(message.includes(`"${bad}"`), message);
            assert.ok(message.includes(`"${missing}"`), message);
          }),
        );
      });
    }
  });
});

Deno.test("configDir() follows each OS's convention", () => {
  assert.equal(
    configDir({ env: { XDG_CONFIG_HOME: "/x/config" }, home: "/home/u", os: "linux" }),
    "/x/config/gphotos-sync",
  );
  assert.equal(
    configDir({ env: {}, home: "/home/u", os: "linux" }),
    "/home/u/.config/gphotos-sync",
  );
  assert.equal(
    configDir({ env: { XDG_CONFIG_HOME: "relative/dir" }, home: "/home/u", os: "linux" }),
    "/home/u/.config/gphotos-sync",
  );
  assert.equal(
    configDir({ env: { HOME: "/home/e" }, os: "linux" }),
    "/home/e/.config/gphotos-sync",
  );
  assert.equal(
    configDir({ env: {}, home: "/Users/u", os: "darwin" }),
    "/Users/u/Library/Application Support/gphotos-sync",
  );
  assert.equal(
    configDir({ env: { LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, os: "windows" }),
    "C:\\Users\\u\\AppData\\Local\\gphotos-sync\\gphotos-sync",
  );
  assert.equal(configDir({ env: {}, os: "linux" }), undefined);
});

Deno.test("writeToken() writes the token file atomically with mode 0600", async (t) => {
  await withTempDir(async (dir) => {
    const target = join(dir, "backup");
    const token = {
      refresh_token: "1//0refresh",
      access_token: "ya29.access",
      expires_at: "2026-01-01T00:00:00.000Z",
      scope: "a b",
      token_type: "Bearer",
    };

    await t.step("creates TARGET, writes the fields, mode 0600, no temp file left", async () => {
      await writeToken(target, token);
      const path = join(target, TOKEN_FILE);
      assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), token);
      if (Deno.build.os !== "windows") {
        assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      }
      const names = [];
      for await (const entry of Deno.readDir(target)) names.push(entry.name);
      assert.deepEqual(names, [TOKEN_FILE]);
      assert.deepEqual(await readToken(target), token);
    });

    await t.step("replacing a 0644 file leaves a 0600 file", async () => {
      const path = join(target, TOKEN_FILE);
      await Deno.chmod(path, 0o644);
      await writeToken(target, { ...token, access_token: "ya29.new" });
      assert.equal((await readToken(target))?.access_token, "ya29.new");
      if (Deno.build.os !== "windows") {
        assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      }
    });

    await t.step("a file with only a refresh_token is enough", async () => {
      await Deno.writeTextFile(join(target, TOKEN_FILE), '{"refresh_token": "r"}');
      assert.deepEqual(await readToken(target), { refresh_token: "r" });
    });

    await t.step("no file reads as undefined, a damaged one is an AuthError", async () => {
      assert.equal(await readToken(join(dir, "elsewhere")), undefined);
      await Deno.writeTextFile(join(target, TOKEN_FILE), "{oops");
      await assert.rejects(readToken(target), (error: unknown) => {
        assert.ok(error instanceof AuthError);
        assert.equal(error.exitCode, 3);
        assert.match(error.message, /not JSON.*gphotos-sync auth/);
        return true;
      });
      await Deno.writeTextFile(join(target, TOKEN_FILE), '{"access_token": "a"}');
      await assert.rejects(readToken(target), /no "refresh_token"/);
    });
  });
});
