import assert from "node:assert/strict";
import { join } from "node:path";
import { type Endpoints, endpointsFromEnv } from "../src/config.ts";
import { AuthError, UsageError } from "../src/errors.ts";
import { login, TokenProvider } from "../src/google/auth.ts";
import {
  type ClientSecret,
  configDir,
  findClientSecret,
  parseClientSecret,
} from "../src/google/client_secret.ts";
import { GoogleHttp } from "../src/google/http.ts";
import { Pacer } from "../src/google/pacer.ts";
import { readToken, TOKEN_FILE, writeToken } from "../src/google/token_store.ts";
import { SCOPES } from "../src/google/types.ts";
import { TEMP_DIR } from "../src/files/temp_names.ts";
import { type FakeGoogle, type FakeGoogleOptions, startFakeGoogle } from "./fake_google/mod.ts";

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
        env: { GPHOTOS_SYNC_CLIENT_SECRET: join(dir, "nope.json") },
        home,
        os: "linux",
      });
      assert.equal(found.clientId, "123-abc.apps.googleusercontent.com");
    });

    await t.step("a --secret file that is missing is an error, never skipped", async () => {
      const missing = join(dir, "nope.json");
      await assert.rejects(
        findClientSecret({
          secret: missing,
          env: { GPHOTOS_SYNC_CLIENT_SECRET: fromEnv },
          home,
          os: "linux",
        }),
        usageError((message) => {
          assert.match(message, /--secret does not exist/);
          assert.ok(message.includes(`"${missing}"`), message);
        }),
      );
    });
  });
});

Deno.test("findClientSecret() fails with one line naming every place looked at", async (t) => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    const expectedConfig = join(home, ".config", "gphotos-sync", "client_secret.json");

    await t.step("nothing anywhere", async () => {
      const env = join(dir, "missing-env.json");
      await assert.rejects(
        findClientSecret({
          env: { GPHOTOS_SYNC_CLIENT_SECRET: env },
          home,
          os: "linux",
        }),
        usageError((message) => {
          assert.match(message, /--secret \(not set\)/);
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
        await assert.rejects(
          findClientSecret({
            env: { GPHOTOS_SYNC_CLIENT_SECRET: bad },
            home,
            os: "linux",
          }),
          usageError((message) => {
            assert.match(message, pattern);
            assert.ok(message.includes(`"${bad}"`), message);
            assert.match(message, /--secret \(not set\)/);
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
      assert.deepEqual(names.sort(), [TEMP_DIR, TOKEN_FILE].sort());
      for await (const entry of Deno.readDir(join(target, TEMP_DIR))) assert.fail(entry.name);
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

// ---- against the fake Google ------------------------------------------------------------------

/** The consent page "clicked through" in-process: the fake's 302 lands on the loopback listener. */
async function browser(url: string): Promise<void> {
  const res = await fetch(url, { redirect: "follow" });
  await res.text();
}

async function withFake(
  options: Partial<FakeGoogleOptions>,
  fn: (
    fake: FakeGoogle,
    ctx: { target: string; secret: ClientSecret; endpoints: Endpoints },
  ) => Promise<void>,
): Promise<void> {
  const fake = await startFakeGoogle({ account: { items: [], albums: [] }, ...options });
  const dir = await Deno.makeTempDir({ prefix: "gphotos_auth_fake_" });
  try {
    const secret = parseClientSecret(fake.clientSecretJson(), join(dir, "client_secret.json"));
    const endpoints = endpointsFromEnv(fake.env());
    await fn(fake, { target: join(dir, "backup"), secret, endpoints });
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("login() runs the loopback flow with PKCE against the fake", async (t) => {
  await withFake({}, async (fake, ctx) => {
    let consentUrl = "";
    const verifiers: string[] = [];
    const result = await login({
      ...ctx,
      openBrowser: browser,
      onUrl: (url) => consentUrl = url,
      fetch: async (input, init) => {
        const body = init?.body;
        if (body instanceof URLSearchParams && body.get("code_verifier")) {
          verifiers.push(body.get("code_verifier")!);
        }
        return await fetch(input, init);
      },
    });

    await t.step("the consent URL asks for offline access, consent, both scopes and S256", () => {
      const q = new URL(consentUrl).searchParams;
      assert.ok(consentUrl.startsWith(fake.authUrl));
      assert.equal(q.get("client_id"), fake.clientId);
      assert.equal(q.get("response_type"), "code");
      assert.equal(q.get("access_type"), "offline");
      assert.equal(q.get("prompt"), "consent");
      assert.equal(q.get("code_challenge_method"), "S256");
      assert.deepEqual(q.get("scope")?.split(" "), [SCOPES.library, SCOPES.picker]);
      assert.match(q.get("redirect_uri") ?? "", /^http:\/\/127\.0\.0\.1:\d+\/$/);
      assert.ok((q.get("state") ?? "").length >= 16);
    });

    await t.step("the verifier sent to the token endpoint matches the challenge", async () => {
      assert.equal(verifiers.length, 1);
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifiers[0]));
      const challenge = btoa(String.fromCharCode(...new Uint8Array(digest)))
        .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      assert.equal(new URL(consentUrl).searchParams.get("code_challenge"), challenge);
      const exchange = fake.calls.filter((c) => c.path === "/token");
      assert.deepEqual(exchange.map((c) => c.status), [200]);
    });

    await t.step("every scope is granted and the token file is saved with mode 0600", async () => {
      assert.deepEqual(result.granted, [SCOPES.library, SCOPES.picker]);
      assert.deepEqual(result.missing, []);
      assert.equal(result.tokenPath, join(ctx.target, TOKEN_FILE));
      const saved = JSON.parse(await Deno.readTextFile(result.tokenPath));
      assert.match(saved.refresh_token, /^1\/\/0/);
      assert.match(saved.access_token, /^ya29\./);
      assert.equal(saved.scope, `${SCOPES.library} ${SCOPES.picker}`);
      assert.equal(saved.token_type, "Bearer");
      const expires = Date.parse(saved.expires_at);
      assert.ok(Math.abs(expires - (Date.now() + 3599_000)) < 60_000, saved.expires_at);
      assert.match(saved.expires_at, /Z$/);
      if (Deno.build.os !== "windows") {
        assert.equal((await Deno.stat(result.tokenPath)).mode! & 0o777, 0o600);
      }
    });

    await t.step("the token works for the API", async () => {
      const tokens = new TokenProvider(ctx);
      const http = new GoogleHttp({ tokens, pacer: new Pacer({ min429WaitS: 0 }) });
      assert.deepEqual(await http.json("GET", `${ctx.endpoints.library}/v1/mediaItems`), {});
      assert.deepEqual(await tokens.grantedScopes(), [SCOPES.library, SCOPES.picker]);
    });
  });
});

Deno.test("login() refuses a wrong state, a denial and reports missing scopes", async (t) => {
  await t.step(
    "a rewritten state is refused, with a page saying so, and no token saved",
    async () => {
      await withFake({}, async (_fake, ctx) => {
        let page = { status: 0, text: "" };
        const attempt = login({
          ...ctx,
          openBrowser: async (url) => {
            const consent = await fetch(url, { redirect: "manual" });
            await consent.body?.cancel();
            const back = new URL(consent.headers.get("location")!);
            back.searchParams.set("state", "forged-state-value");
            const res = await fetch(back);
            page = { status: res.status, text: await res.text() };
          },
        });
        await assert.rejects(attempt, (error: unknown) => {
          assert.ok(error instanceof AuthError);
          assert.equal(error.exitCode, 3);
          assert.match(error.message, /state/);
          return true;
        });
        assert.equal(page.status, 400);
        assert.match(page.text, /state mismatch/);
        assert.equal(await readToken(ctx.target), undefined);
      });
    },
  );

  await t.step(
    "a user who grants only the picker scope is told the library one is missing",
    async () => {
      await withFake({ consentScopes: [SCOPES.picker] }, async (_fake, ctx) => {
        const result = await login({ ...ctx, openBrowser: browser });
        assert.deepEqual(result.granted, [SCOPES.picker]);
        assert.deepEqual(result.missing, [SCOPES.library]);
        assert.equal((await readToken(ctx.target))?.scope, SCOPES.picker);
      });
    },
  );

  await t.step("a user who grants nothing gets an AuthError", async () => {
    await withFake({ consentScopes: [] }, async (_fake, ctx) => {
      await assert.rejects(
        login({ ...ctx, openBrowser: browser }),
        (error: unknown) => error instanceof AuthError && /access_denied/.test(error.message),
      );
    });
  });

  await t.step("--port is used, and a busy port is a UsageError", async () => {
    await withFake({}, async (_fake, ctx) => {
      const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (busy.addr as Deno.NetAddr).port;
      try {
        await assert.rejects(
          login({ ...ctx, port, openBrowser: browser }),
          (error: unknown) => error instanceof UsageError && /--port/.test(error.message),
        );
      } finally {
        busy.close();
      }
      let redirect = "";
      await login({
        ...ctx,
        port,
        openBrowser: browser,
        onUrl: (url) => redirect = new URL(url).searchParams.get("redirect_uri") ?? "",
      });
      assert.equal(redirect, `http://127.0.0.1:${port}/`);
    });
  });

  await t.step("a browser that never comes back times out", async () => {
    await withFake({}, async (_fake, ctx) => {
      await assert.rejects(
        login({ ...ctx, timeoutMs: 50, openBrowser: () => {} }),
        (error: unknown) => error instanceof AuthError && /timed out/.test(error.message),
      );
    });
  });
});

Deno.test("TokenProvider refreshes, shares refreshes and explains a dead refresh token", async (t) => {
  await withFake({}, async (fake, ctx) => {
    const refreshToken = fake.issueRefreshToken();
    await writeToken(ctx.target, { refresh_token: refreshToken });
    let skewMs = 0;
    const tokens = new TokenProvider({ ...ctx, now: () => Date.now() + skewMs });
    const http = new GoogleHttp({ tokens, pacer: new Pacer({ min429WaitS: 0 }) });
    const list = () => http.json("GET", `${ctx.endpoints.library}/v1/mediaItems`);
    const refreshes = () => fake.calls.filter((c) => c.path === "/token").length;

    await t.step("a token file with only a refresh token gets an access token, saved", async () => {
      const access = await tokens.accessToken();
      assert.match(access, /^ya29\./);
      assert.equal(refreshes(), 1);
      const saved = await readToken(ctx.target);
      assert.equal(saved?.refresh_token, refreshToken);
      assert.equal(saved?.access_token, access);
      assert.equal(await tokens.accessToken(), access, "a fresh token is reused");
      assert.equal(refreshes(), 1);
    });

    await t.step("near expiry the token is refreshed, once for concurrent callers", async () => {
      const before = await tokens.accessToken();
      fake.advanceClock(3600);
      skewMs = 3600_000;
      const all = await Promise.all(Array.from({ length: 5 }, () => tokens.accessToken()));
      assert.equal(new Set(all).size, 1);
      assert.notEqual(all[0], before);
      assert.equal(refreshes(), 2);
      await list();
      assert.equal((await readToken(ctx.target))?.access_token, all[0]);
    });

    await t.step("a 401 refreshes once and the call goes through", async () => {
      fake.advanceClock(3600); // the fake expires the token; our clock does not know
      const calls = fake.calls.length;
      await Promise.all([list(), list(), list()]);
      assert.equal(refreshes(), 3, "three 401s share one refresh");
      const statuses = fake.calls.slice(calls).filter((c) => c.kind === "api").map((c) => c.status);
      assert.deepEqual(statuses.filter((s) => s === 401).length, 3);
      assert.deepEqual(statuses.filter((s) => s === 200).length, 3);
    });

    await t.step("a revoked refresh token is an AuthError with the 7-day hint", async () => {
      fake.revokeRefreshToken(refreshToken);
      fake.advanceClock(3600);
      skewMs += 2 * 3600_000;
      await assert.rejects(tokens.accessToken(), (error: unknown) => {
        assert.ok(error instanceof AuthError);
        assert.equal(error.exitCode, 3);
        assert.match(error.message, /invalid_grant/);
        assert.match(error.message, /"Testing"/);
        assert.match(error.message, /7 days/);
        assert.match(error.message, /publish the app/);
        assert.ok(error.message.includes(`gphotos-sync auth ${ctx.target}`), error.message);
        return true;
      });
    });
  });

  await t.step("no token file is an AuthError telling to run auth", async () => {
    await withFake({}, async (_fake, ctx) => {
      const tokens = new TokenProvider(ctx);
      await assert.rejects(tokens.accessToken(), (error: unknown) => {
        assert.ok(error instanceof AuthError);
        assert.equal(error.exitCode, 3);
        assert.ok(error.message.includes(`gphotos-sync auth ${ctx.target}`), error.message);
        return true;
      });
    });
  });

  await t.step("a short-lived token is not refreshed before every call", async () => {
    await withFake({ accessTokenLifetimeS: 30 }, async (fake, ctx) => {
      await writeToken(ctx.target, { refresh_token: fake.issueRefreshToken() });
      const tokens = new TokenProvider(ctx);
      const first = await tokens.accessToken();
      assert.equal(await tokens.accessToken(), first);
      assert.equal(fake.calls.filter((c) => c.path === "/token").length, 1);
    });
  });

  await t.step("a token endpoint failing with 503 is retried by the pacer", async () => {
    await withFake({}, async (fake, ctx) => {
      await writeToken(ctx.target, { refresh_token: fake.issueRefreshToken() });
      let failures = 2;
      const pacer = new Pacer({ min429WaitS: 0, sleep: () => Promise.resolve() });
      const tokens = new TokenProvider({
        ...ctx,
        pacer,
        fetch: (input, init) =>
          failures-- > 0
            ? Promise.resolve(new Response("unavailable", { status: 503 }))
            : fetch(input, init),
      });
      assert.match(await tokens.accessToken(), /^ya29\./);
      assert.equal(pacer.tally.tokenCalls, 3);
      assert.equal(pacer.tally.retries, 2);
    });
  });
});
