import assert from "node:assert/strict";
import { ApiError, AuthError } from "../src/errors.ts";
import {
  classifyError,
  HttpStatusError,
  NetworkError,
  Pacer,
  type PacerOptions,
  parseRetryAfter,
} from "../src/google/pacer.ts";
import { GoogleHttp } from "../src/google/http.ts";
import { min429WaitSeconds } from "../src/config.ts";

/** A clock that only moves when the pacer sleeps, so backoff is checked without waiting. */
function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

function pacerWith(clock: ReturnType<typeof fakeClock>, options: Partial<PacerOptions> = {}) {
  return new Pacer({
    min429WaitS: 30,
    random: () => 0,
    sleep: clock.sleep,
    now: clock.now,
    ...options,
  });
}

/** An attempt that throws the given errors in turn, then returns "ok". */
function failing(...errors: unknown[]) {
  const calls = { count: 0 };
  const attempt = () => {
    const error = errors[calls.count++];
    return error === undefined ? Promise.resolve("ok") : Promise.reject(error);
  };
  return { attempt, calls };
}

function status(code: number, retryAfterMs?: number): HttpStatusError {
  return new HttpStatusError(`Google API "/v1/x" failed: ${code} X: boom`, code, "X", {
    retryAfterMs,
  });
}

Deno.test("Pacer.run() backs off exponentially with jitter and a cap", async (t) => {
  await t.step("5xx and network errors are retried with doubling delays", async () => {
    const clock = fakeClock();
    const pacer = pacerWith(clock);
    const { attempt, calls } = failing(
      status(500),
      status(502),
      status(503),
      status(504),
      new NetworkError("error sending request: connection reset"),
    );
    assert.equal(await pacer.run(attempt), "ok");
    assert.equal(calls.count, 6);
    assert.deepEqual(clock.sleeps, [1000, 2000, 4000, 8000, 16000]);
    assert.deepEqual(pacer.tally, {
      apiCalls: 6,
      mediaFetches: 0,
      pickerCalls: 0,
      pickerMediaFetches: 0,
      retries: 5,
      tokenCalls: 0,
    });
  });

  await t.step("jitter adds up to the same again, and the cap bounds every delay", async () => {
    const clock = fakeClock();
    const pacer = pacerWith(clock, { random: () => 0.5, capMs: 10_000 });
    const { attempt } = failing(status(503), status(503), status(503), status(503), status(503));
    await pacer.run(attempt);
    assert.deepEqual(clock.sleeps, [1500, 3000, 6000, 10_000, 10_000]);
  });

  await t.step("no delay is below the base or above the cap, whatever the random", () => {
    for (const r of [0, 0.25, 0.999]) {
      const pacer = new Pacer({
        min429WaitS: 0,
        random: () => r,
        baseDelayMs: 1000,
        capMs: 32_000,
      });
      for (let retry = 1; retry <= 12; retry++) {
        const d = pacer.backoffMs(retry);
        assert.ok(d >= Math.min(1000 * 2 ** (retry - 1), 32_000), `retry ${retry} got ${d}`);
        assert.ok(d <= 32_000, `retry ${retry} got ${d}`);
      }
    }
  });
});

Deno.test("Pacer.run() honours Retry-After and the 429 minimum", async (t) => {
  await t.step("a 429 without Retry-After waits at least min429WaitS", async () => {
    const clock = fakeClock();
    const pacer = pacerWith(clock, { min429WaitS: 30 });
    const { attempt } = failing(status(429), status(429));
    await pacer.run(attempt);
    assert.deepEqual(clock.sleeps, [30_000, 30_000]);
  });

  await t.step(
    "the 429 minimum can be lowered (GPHOTOS_SYNC_MIN_429_WAIT_S) below the backoff",
    async () => {
      const clock = fakeClock();
      const pacer = pacerWith(clock, { min429WaitS: 0 });
      const { attempt } = failing(status(429));
      await pacer.run(attempt);
      assert.deepEqual(clock.sleeps, [1000]);
    },
  );

  await t.step("a 429 waits at least 30 s even when Retry-After asks for less", async () => {
    const clock = fakeClock();
    const pacer = pacerWith(clock, { min429WaitS: 30 });
    const { attempt } = failing(status(429, 2000), status(429, 0), status(429, 45_000));
    await pacer.run(attempt);
    assert.deepEqual(clock.sleeps, [30_000, 30_000, 45_000]);
  });

  await t.step("a 5xx honours Retry-After, else backs off from 1 s", async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ min429WaitS: 30, sleep: clock.sleep, now: clock.now });
    const { attempt } = failing(status(500), status(503), status(503, 7000));
    await pacer.run(attempt);
    assert.ok(
      clock.sleeps[0] >= 1000 && clock.sleeps[0] < 2000,
      `first backoff ${clock.sleeps[0]}`,
    );
    assert.ok(
      clock.sleeps[1] >= 2000 && clock.sleeps[1] < 4000,
      `second backoff ${clock.sleeps[1]}`,
    );
    assert.equal(clock.sleeps[2], 7000);
  });

  await t.step("a Retry-After beyond maxRetryAfterMs gives up at once", async () => {
    const clock = fakeClock();
    const pacer = pacerWith(clock, { maxRetryAfterMs: 60_000 });
    const { attempt, calls } = failing(status(429, 3_600_000));
    await assert.rejects(pacer.run(attempt), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 429);
      assert.match(error.message, /asked to wait 3600 s/);
      return true;
    });
    assert.equal(calls.count, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  await t.step("after a 429 every call holds off, not only the one that got it", async () => {
    let now = 0;
    const pending: { ms: number; resolve: () => void }[] = [];
    const pacer = new Pacer({
      min429WaitS: 30,
      random: () => 0,
      now: () => now,
      sleep: (ms) => new Promise<void>((resolve) => pending.push({ ms, resolve })),
    });
    const first = failing(status(429));
    const a = pacer.run(first.attempt);
    await flush();
    assert.deepEqual(pending.map((p) => p.ms), [30_000]);
    now = 10_000;
    let secondCalls = 0;
    const b = pacer.run(() => {
      secondCalls++;
      return Promise.resolve("b");
    });
    await flush();
    assert.equal(secondCalls, 0, "the second call must wait for the pause");
    assert.deepEqual(pending.map((p) => p.ms), [30_000, 20_000]);
    now = 30_000;
    for (const p of pending) p.resolve();
    assert.equal(await a, "ok");
    assert.equal(await b, "b");
    assert.equal(secondCalls, 1);
  });
});

Deno.test("Pacer.run() gives up and throws the last error", async (t) => {
  await t.step("after maxRetries retries, with the try count in the message", async () => {
    const clock = fakeClock();
    const pacer = pacerWith(clock, { maxRetries: 3 });
    const errors = [status(503), status(503), status(503), status(500)];
    const { attempt, calls } = failing(...errors);
    await assert.rejects(pacer.run(attempt), (error: unknown) => {
      assert.ok(error instanceof HttpStatusError);
      assert.equal(error.status, 500);
      assert.equal(error.exitCode, 1);
      assert.equal(error.message, 'Google API "/v1/x" failed: 500 X: boom (gave up after 4 tries)');
      assert.equal(error.cause, errors[3]);
      return true;
    });
    assert.equal(calls.count, 4);
    assert.equal(pacer.tally.retries, 3);
  });

  await t.step("a network error that never clears becomes a NetworkError (status 0)", async () => {
    const pacer = pacerWith(fakeClock(), { maxRetries: 1 });
    const cut = new Deno.errors.ConnectionReset("error reading a body from connection");
    const { attempt } = failing(cut, cut);
    await assert.rejects(pacer.run(attempt), (error: unknown) => {
      assert.ok(error instanceof NetworkError);
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 0);
      assert.match(error.message, /error reading a body.*gave up after 2 tries/);
      return true;
    });
  });

  await t.step("errors that are not transient are thrown at once", async () => {
    for (
      const error of [status(400), status(403), status(404), new AuthError("no"), new Error("x")]
    ) {
      const clock = fakeClock();
      const pacer = pacerWith(clock);
      const { attempt, calls } = failing(error);
      await assert.rejects(pacer.run(attempt), (thrown: unknown) => thrown === error);
      assert.equal(calls.count, 1);
      assert.deepEqual(clock.sleeps, []);
      assert.equal(pacer.tally.retries, 0);
    }
  });

  await t.step("a custom classify decides what is retried", async () => {
    const clock = fakeClock();
    const pacer = pacerWith(clock);
    const { attempt, calls } = failing(new Error("flaky"), new Error("flaky"));
    const result = await pacer.run(attempt, () => ({ retry: true, status: 0 }));
    assert.equal(result, "ok");
    assert.equal(calls.count, 3);
  });

  await t.step("onRetry hears about each retry", async () => {
    const seen: [number, number, number][] = [];
    const pacer = pacerWith(fakeClock(), {
      onRetry: (info) => seen.push([info.retry, info.status, info.delayMs]),
    });
    await pacer.run(failing(status(429), status(503)).attempt);
    assert.deepEqual(seen, [[1, 429, 30_000], [2, 503, 2000]]);
  });
});

Deno.test("Pacer tally counts each request by kind", async () => {
  const pacer = pacerWith(fakeClock());
  await pacer.run(failing(status(503)).attempt, undefined, { kind: "media" });
  await pacer.run(failing().attempt, undefined, { kind: "token" });
  await pacer.run(failing().attempt);
  pacer.count("api");
  // The Picker's calls and fetches count against its per-minute quotas, apart from the Library's.
  await pacer.run(failing(status(503)).attempt, undefined, { kind: "picker" });
  await pacer.run(failing().attempt, undefined, { kind: "pickerMedia" });
  assert.deepEqual(pacer.tally, {
    apiCalls: 2,
    mediaFetches: 2,
    pickerCalls: 2,
    pickerMediaFetches: 1,
    retries: 2,
    tokenCalls: 1,
  });
});

Deno.test("classifyError() retries 429, 500, 502, 503, 504 and network errors only", () => {
  const table: [unknown, boolean][] = [
    [status(429), true],
    [status(500), true],
    [status(502), true],
    [status(503), true],
    [status(504), true],
    [status(400), false],
    [status(401), false],
    [status(403), false],
    [status(404), false],
    [status(501), false],
    [new NetworkError("x"), true],
    [new TypeError("fetch failed"), false],
    [new TypeError("Cannot read properties of undefined (reading 'id')"), false],
    [new Deno.errors.ConnectionReset("reset"), true],
    [new Deno.errors.ConnectionRefused("refused"), true],
    [new Deno.errors.UnexpectedEof("eof"), true],
    [new DOMException("timed out", "TimeoutError"), true],
    [new DOMException("aborted", "AbortError"), false],
    [new AuthError("no"), false],
    [new SyntaxError("bad"), false],
    ["a string", false],
  ];
  for (const [error, retry] of table) {
    assert.equal(classifyError(error).retry, retry, String(error));
  }
  assert.deepEqual(classifyError(status(429, 5000)), {
    retry: true,
    status: 429,
    retryAfterMs: 5000,
  });
});

Deno.test("GoogleHttp retries a failed connection but not a TypeError from a bug", async (t) => {
  const tokens = {
    accessToken: () => Promise.resolve("t"),
    refreshNow: () => Promise.resolve("t"),
  };
  const clock = fakeClock();

  await t.step(
    "fetch() failing to connect is a network error, retried until it answers",
    async () => {
      let calls = 0;
      const http = new GoogleHttp({
        tokens,
        pacer: pacerWith(clock),
        fetch: () => {
          calls++;
          if (calls < 3) return Promise.reject(new TypeError("fetch failed"));
          return Promise.resolve(Response.json({ ok: 1 }));
        },
      });
      assert.deepEqual(await http.json("GET", "http://127.0.0.1:9/v1/x"), { ok: 1 });
      assert.equal(calls, 3);
    },
  );

  await t.step("a TypeError thrown by our own code is thrown at once, as itself", async () => {
    let calls = 0;
    const bug = new TypeError("Cannot read properties of undefined (reading 'baseUrl')");
    const pacer = pacerWith(clock);
    const http = new GoogleHttp({
      tokens: {
        accessToken: () => {
          calls++;
          return Promise.reject(bug);
        },
        refreshNow: () => Promise.resolve("t"),
      },
      pacer,
      fetch: () => Promise.resolve(Response.json({})),
    });
    await assert.rejects(http.json("GET", "http://127.0.0.1:9/v1/x"), (e) => e === bug);
    assert.equal(calls, 1);
    assert.equal(pacer.tally.retries, 0);
  });
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter(" 0 ", now), 0);
  assert.equal(parseRetryAfter("1.5", now), 1500);
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:45 GMT", now), 45_000);
  assert.equal(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter("", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

Deno.test("min429WaitSeconds() is 30 s unless GPHOTOS_SYNC_MIN_429_WAIT_S lowers it", () => {
  const cases: [string | undefined, number][] = [
    [undefined, 30],
    ["0", 0],
    ["2.5", 2.5],
    ["-1", 30],
    ["soon", 30],
  ];
  for (const [value, want] of cases) {
    assert.equal(min429WaitSeconds({ GPHOTOS_SYNC_MIN_429_WAIT_S: value }), want, String(value));
  }
});
