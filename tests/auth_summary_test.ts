import assert from "node:assert/strict";
import { timeLimitedLoginLine } from "../src/cli/auth.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { runCli, setupTarget } from "./helpers.ts";

Deno.test("timeLimitedLoginLine() says when the login ends and how to get a lasting one", () => {
  const now = Date.parse("2026-11-29T17:00:00Z");
  const week = timeLimitedLoginLine(7 * 86400, "/backup", now);
  assert.match(week, /expires 2026-12-06 17:00:00 local time \(in 7 days\)/);
  assert.match(week, /publish the app's OAuth consent screen/);
  assert.match(week, /choose ongoing access/);
  assert.match(week, /"gphotos-sync auth \/backup --new-token"/);
  // Google does not say why the access is limited: the line must not claim a cause.
  assert.doesNotMatch(week, /your OAuth consent screen is in|because/i);
  assert.doesNotMatch(week, /\n/);
  assert.match(timeLimitedLoginLine(3600, "t", now), /18:00:00 local time \(in 60 minutes\)/);
  assert.match(timeLimitedLoginLine(86400, "t", now), /\(in 24 hours\)/);
});

Deno.test("auth with a time-limited refresh token reports when the login expires", async () => {
  const account = generateAccount({ items: 3, seed: 2, nasty: false });
  const fake = await startFakeGoogle({ account, seed: 2, refreshTokenLifetimeS: 604_800 });
  const tt = await setupTarget(fake, { login: false });
  try {
    const before = Date.now();
    const json = await runCli(["auth", tt.target, "--json"], tt.env);
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout.trim().split("\n").at(-1)!);
    const at = Date.parse(summary.loginExpiresAt);
    assert.ok(Math.abs(at - (before + 604_800_000)) < 60_000, summary.loginExpiresAt);

    const human = await runCli(["auth", tt.target, "--new-token"], tt.env);
    assert.equal(human.code, 0, human.stderr);
    const text = human.stdout + human.stderr;
    assert.match(text, /time-limited access: this login expires .* \(in 7 days\)/);
    assert.doesNotMatch(text, /your OAuth consent screen is in "Testing"/);
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});
