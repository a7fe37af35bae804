import assert from "node:assert/strict";
import { DailyQuotaError } from "../src/errors.ts";
import { namesDailyQuota, nextPacificMidnight } from "../src/google/daily_quota.ts";
import { errorFromResponse } from "../src/google/http.ts";
import { classifyError, HttpStatusError, Pacer } from "../src/google/pacer.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { runCli, setupTarget } from "./helpers.ts";

const DAILY = "Quota exceeded for quota metric 'All requests' and limit 'All requests per day' " +
  "of service 'photoslibrary.googleapis.com' for consumer 'project_number:123'.";
const PER_MINUTE = "Quota exceeded for quota metric 'All requests' and limit 'All requests per " +
  "minute per user' of service 'photoslibrary.googleapis.com' for consumer 'project_number:123'.";

function googleError(body: unknown, status = 429): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

Deno.test("nextPacificMidnight() is Google's daily quota reset, across DST changes", () => {
  const cases: [string, string, string][] = [
    ["winter (PST, UTC-8)", "2026-11-29T17:27:50Z", "2026-11-30T08:00:00.000Z"],
    ["summer (PDT, UTC-7)", "2026-07-01T12:00:00Z", "2026-07-02T07:00:00.000Z"],
    ["just after midnight", "2026-07-01T07:00:01Z", "2026-07-02T07:00:00.000Z"],
    ["on the spring-forward day (23 h)", "2026-03-08T09:00:00Z", "2026-03-09T07:00:00.000Z"],
    ["on the fall-back day (25 h)", "2026-11-01T08:00:00Z", "2026-11-02T08:00:00.000Z"],
  ];
  for (const [name, now, want] of cases) {
    assert.equal(new Date(nextPacificMidnight(Date.parse(now))).toISOString(), want, name);
  }
});

Deno.test("namesDailyQuota() tells a per-day limit from a per-minute one", () => {
  assert.equal(namesDailyQuota(DAILY, undefined), true);
  assert.equal(namesDailyQuota(PER_MINUTE, undefined), false);
  assert.equal(
    namesDailyQuota(
      "Quota exceeded for quota metric 'photoslibrary.googleapis.com/all_requests' and limit " +
        "'ApiCallsPerProjectPerDay' of service 'photoslibrary.googleapis.com'",
      undefined,
    ),
    true,
  );
  const info = (limit: string) => [{
    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
    reason: "RATE_LIMIT_EXCEEDED",
    domain: "googleapis.com",
    metadata: { quota_limit: limit, service: "photoslibrary.googleapis.com" },
  }];
  assert.equal(
    namesDailyQuota("Resource has been exhausted", info("ApiCallsPerProjectPerDay")),
    true,
  );
  assert.equal(
    namesDailyQuota("Resource has been exhausted", info("ReadRequestsPerMinute")),
    false,
  );
});

Deno.test("errorFromResponse() makes a daily-quota 429 a DailyQuotaError saying when it resets", async (t) => {
  const now = Date.parse("2026-11-29T17:30:00Z");
  await t.step("Google's daily message: not retried, one line with the reset time", async () => {
    const body = { error: { code: 429, message: DAILY, status: "RESOURCE_EXHAUSTED" } };
    const err = await errorFromResponse(googleError(body), 'Google API "/v1/mediaItems"', { now });
    assert.ok(err instanceof DailyQuotaError, String(err));
    assert.equal(err.resetsAt, Date.parse("2026-11-30T08:00:00Z"));
    assert.doesNotMatch(err.message, /\n/);
    assert.match(err.message, /daily quota .* is used up/);
    assert.match(
      err.message,
      /midnight Pacific time, 2026-11-30 08:00 local time \(in 14 h 30 min\)/,
    );
    assert.match(err.message, /"\/v1\/mediaItems": 429 RESOURCE_EXHAUSTED: Quota exceeded/);
    assert.deepEqual(classifyError(err), { retry: false });
  });
  await t.step("a per-minute 429 stays a retried HttpStatusError", async () => {
    const body = { error: { code: 429, message: PER_MINUTE, status: "RESOURCE_EXHAUSTED" } };
    const err = await errorFromResponse(googleError(body), "x", { now });
    assert.ok(err instanceof HttpStatusError && !(err instanceof DailyQuotaError));
    assert.equal(classifyError(err).retry, true);
  });
  await t.step("the pacer sends a daily-quota call once", async () => {
    const pacer = new Pacer({ min429WaitS: 30, sleep: () => Promise.resolve() });
    let tries = 0;
    const body = { error: { code: 429, message: DAILY, status: "RESOURCE_EXHAUSTED" } };
    await assert.rejects(
      pacer.run(async () => {
        tries++;
        throw await errorFromResponse(googleError(body), "x", { now });
      }),
      DailyQuotaError,
    );
    assert.equal(tries, 1);
    assert.equal(pacer.tally.retries, 0);
  });
});

Deno.test("sync stops at the first daily-quota 429: no retry, no further call, one line", async (t) => {
  const account = generateAccount({ items: 120, seed: 5, albums: 6 });
  for (
    const [name, afterCalls] of [["in the library listing", 1], [
      "in the album searches",
      4,
    ]] as const
  ) {
    await t.step(name, async () => {
      // 120 items: 2 list pages, then albums.list and sharedAlbums.list, then one search per album.
      const fake = await startFakeGoogle({
        account,
        seed: 5,
        quirks: false,
        dailyApiQuota: afterCalls,
      });
      const tt = await setupTarget(fake);
      try {
        const res = await runCli(["sync", tt.target], tt.env);
        assert.equal(res.code, 1, res.stderr);
        const errors = res.stderr.split("\n").filter((l) => l.startsWith("error:"));
        assert.equal(errors.length, 1, res.stderr);
        assert.match(errors[0], /daily quota .* used up.*resets at midnight Pacific time/);
        assert.doesNotMatch(res.stderr, /Cannot list the items of album/);
        const api = fake.calls.filter((c) => c.kind === "api");
        assert.equal(api.filter((c) => c.status === 429).length, 1, "no retry of a spent quota");
        assert.equal(api.at(-1)!.status, 429, "no API call after it");
        assert.equal(api.length, afterCalls + 1);
      } finally {
        await tt.cleanup();
        await fake.close();
      }
    });
  }
});

Deno.test("download stops the run when a batchGet meets the spent daily quota", async () => {
  const account = generateAccount({ items: 150, seed: 6, albums: 0, nasty: false });
  const fake = await startFakeGoogle({ account, seed: 6, quirks: false });
  const tt = await setupTarget(fake);
  try {
    const indexed = await runCli(["index", tt.target], tt.env);
    assert.equal(indexed.code, 0, indexed.stderr);
    fake.resetCounters();
    fake.setOptions({ dailyApiQuota: 0 });
    const res = await runCli(["download", tt.target, "--max-threads", "2"], tt.env);
    assert.equal(res.code, 1, res.stderr);
    const errors = res.stderr.split("\n").filter((l) => l.startsWith("error:"));
    assert.equal(errors.length, 1, res.stderr);
    assert.match(errors[0], /daily quota .* used up/);
    // One batchGet covers 50 ids; the engine stops at the first refusal instead of failing each
    // item with a call of its own (a prefetch may already be on its way).
    const gets = fake.calls.filter((c) => c.path === "/v1/mediaItems:batchGet");
    assert.ok(gets.length >= 1 && gets.length <= 2, `${gets.length} batchGet calls`);
    assert.equal(fake.counters().media, 0);
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});
