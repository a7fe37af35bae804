/** Every run ends: stalled bodies and silent API calls time out and are retried; Ctrl-C is obeyed. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type FakeGoogle, startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { runCli, setupTarget, sha256Hex, type TestTarget } from "./helpers.ts";
import { acquireLock, MediaIndex } from "../src/index/mod.ts";
import { parseDuration } from "../src/google/timeouts.ts";
import { HttpStatusError, Pacer } from "../src/google/pacer.ts";
import { GoogleHttp } from "../src/google/http.ts";
import { BodyReadError, TempFile } from "../src/files/atomic_file.ts";

/** A few plain photos, large enough that half a body is a real transfer. */
function smallAccount() {
  return generateAccount({ items: 4, seed: 71, nasty: false, albums: 0, itemBytes: 300_000 });
}

/**
 * Runs the CLI, but never longer than `limitMs`: a hung run is aborted and reported as `hung`; one
 * that ignores the abort too is given up 3 s later.
 */
async function runBounded(
  args: string[],
  env: Record<string, string>,
  limitMs: number,
  opts: { signal?: AbortSignal } = {},
) {
  const guard = new AbortController();
  const timer = setTimeout(() => guard.abort(new Error("Test time limit")), limitMs);
  let late: ReturnType<typeof setTimeout> | undefined;
  const signal = opts.signal ? AbortSignal.any([opts.signal, guard.signal]) : guard.signal;
  const started = performance.now();
  try {
    const r = await Promise.race([
      runCli(args, env, { signal }),
      new Promise<never>((_, reject) => {
        late = setTimeout(() => reject(new Error("The run ignored its abort")), limitMs + 3000);
      }),
    ]);
    return { ...r, ms: performance.now() - started, hung: guard.signal.aborted };
  } finally {
    clearTimeout(timer);
    clearTimeout(late);
  }
}

/** A fake Google serving `account` and a TARGET set up against it, both gone afterwards. */
async function withFake(
  account: ReturnType<typeof smallAccount>,
  fn: (fake: FakeGoogle, tt: TestTarget) => Promise<void>,
  setup: Parameters<typeof setupTarget>[1] = {},
): Promise<void> {
  const fake = await startFakeGoogle({ account, seed: 71 });
  const tt = await setupTarget(fake, setup);
  try {
    await fn(fake, tt);
  } finally {
    await fake.close();
    await tt.cleanup();
  }
}

/**
 * The user presses Ctrl-C 300 ms from now, while `running` waits on something that would not end
 * by itself: the run must end within 2 s, with exit 130.
 */
async function pressCtrlC(
  ctrlC: AbortController,
  running: ReturnType<typeof runBounded>,
): ReturnType<typeof runBounded> {
  await new Promise((r) => setTimeout(r, 300));
  const abortedAt = performance.now();
  ctrlC.abort(new Error("Interrupted"));
  const r = await running;
  const took = performance.now() - abortedAt;
  assert.equal(r.hung, false);
  assert.ok(took < 2000, `stopped ${Math.round(took)} ms after Ctrl-C`);
  assert.equal(r.code, 130, r.stderr);
  return r;
}

async function assertAllDownloaded(fake: FakeGoogle, tt: TestTarget): Promise<void> {
  const index = MediaIndex.open(tt.target);
  try {
    const rows = index.allItems();
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.ok(row.downloadedAt, `${row.path} downloaded`);
      const bytes = await Deno.readFile(join(tt.target, row.path));
      const served = fake.servedBytes(row.id, row.mediaType === "video" ? "dv" : "d");
      assert.equal(await sha256Hex(bytes), await sha256Hex(served), row.path);
    }
  } finally {
    index.close();
  }
}

function lastRunStatus(target: string): string | null {
  const index = MediaIndex.open(target);
  try {
    return index.lastRuns()[0].status;
  } finally {
    index.close();
  }
}

/** Resolves once `check` holds, polling every 20 ms (fails after 10 s). */
async function until(check: () => boolean): Promise<void> {
  const end = performance.now() + 10_000;
  while (!check()) {
    if (performance.now() > end) throw new Error("Condition not reached within 10 s");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("parseDuration() reads rclone's durations and plain seconds", async (t) => {
  const cases: [string, number | undefined][] = [
    ["30s", 30_000],
    ["2m", 120_000],
    ["1m30s", 90_000],
    ["1h", 3_600_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["90", 90_000],
    [" 45 ", 45_000],
    ["2M", 120_000],
    ["0", undefined],
    ["0s", undefined],
    ["-5s", undefined],
    ["", undefined],
    ["5 s", undefined],
    ["soon", undefined],
    ["10d", undefined],
    ["s", undefined],
    ["1.s", undefined],
  ];
  for (const [text, ms] of cases) {
    await t.step(`"${text}" -> ${ms}`, () => assert.equal(parseDuration(text), ms));
  }
});

Deno.test("--timeout and --contimeout refuse a bad duration with one line and exit 2", async (t) => {
  for (const args of [["--timeout", "soon"], ["--contimeout", "0"], ["--timeout", "5 s"]]) {
    await t.step(args.join(" "), async () => {
      const r = await runCli(["sync", "/nonexistent/target", ...args], {});
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /is not a duration such as 30s, 2m or 90/);
    });
  }
  await t.step("every Google-facing command takes them", async () => {
    for (const command of ["sync", "auth", "index", "download", "albums", "pick"]) {
      const r = await runCli([command, "--help"], {});
      assert.match(r.stdout, /--timeout <DURATION>/, command);
      assert.match(r.stdout, /--contimeout <DURATION>/, command);
    }
  });
});

Deno.test("a media body that stalls half way is given up and resumed with a Range", async () => {
  const account = smallAccount();
  await withFake(account, async (fake, tt) => {
    const stalled = account.items.filter((i) => i.mimeType.startsWith("image/"))[1].id;
    fake.setOptions({ stallOnce: new Set([stalled]) });
    const r = await runBounded([tt.target, "--skip-albums", "--timeout", "700ms"], tt.env, 20_000);
    assert.equal(r.hung, false, "the run hung on the stalled body");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    await assertAllDownloaded(fake, tt);
    // The stalled body's bytes were kept: the second request asked only for the rest.
    const fetches = fake.calls.filter((c) => c.kind === "media" && c.itemId === stalled);
    assert.equal(fetches.length, 2);
    const half = Math.floor(fake.servedBytes(stalled, "d").length / 2);
    assert.equal(fetches[1].range, `bytes=${half}-`);
    assert.equal(lastRunStatus(tt.target), "ok");
  });
});

Deno.test("an API call that never answers is given up after --timeout and asked again", async () => {
  await withFake(smallAccount(), async (fake, tt) => {
    fake.setOptions({ hangApiCalls: 1 });
    const r = await runBounded([tt.target, "--skip-albums", "--timeout", "700ms"], tt.env, 20_000);
    assert.equal(r.hung, false, "the run hung on the silent API call");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    const listing = fake.calls.filter((c) => c.kind === "api" && c.path === "/v1/mediaItems");
    assert.ok(listing.length >= 2, "the listing call was sent again");
    assert.equal(listing[0].status, 0, "the first call is still unanswered");
    await assertAllDownloaded(fake, tt);
  });
});

Deno.test("--contimeout gives up a request whose answer does not start", async () => {
  await withFake(smallAccount(), async (fake, tt) => {
    // The total deadline is long: only the connect deadline can end the silent call.
    fake.setOptions({ hangApiCalls: 1 });
    const r = await runBounded(
      [tt.target, "--skip-albums", "--timeout", "5m", "--contimeout", "500ms"],
      tt.env,
      20_000,
    );
    assert.equal(r.hung, false, "the run hung on the silent API call");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  });
});

Deno.test("Ctrl-C during a stalled transfer ends the run within 2 s, marked interrupted", async () => {
  const account = smallAccount();
  await withFake(account, async (fake, tt) => {
    const stalled = account.items[0].id;
    fake.setOptions({ stallOnce: new Set([stalled]) });
    const ctrlC = new AbortController();
    // The default idle deadline (60 s) is far away: only the Ctrl-C can end this run in time.
    const running = runBounded([tt.target, "--skip-albums", "--max-threads", "1"], tt.env, 20_000, {
      signal: ctrlC.signal,
    });
    await until(() => fake.calls.some((c) => c.kind === "media" && c.itemId === stalled));
    await pressCtrlC(ctrlC, running);
    assert.equal(lastRunStatus(tt.target), "interrupted");
    // The lock is free: the next run goes ahead and finishes the job.
    const again = await runBounded([tt.target, "--skip-albums"], tt.env, 20_000);
    assert.equal(again.code, 0, again.stderr);
    await assertAllDownloaded(fake, tt);
  });
});

Deno.test("Ctrl-C during a silent API call ends the run within 2 s, marked interrupted", async () => {
  await withFake(smallAccount(), async (fake, tt) => {
    fake.setOptions({ hangApiCalls: 1 });
    const ctrlC = new AbortController();
    const running = runBounded([tt.target, "--skip-albums"], tt.env, 20_000, {
      signal: ctrlC.signal,
    });
    await until(() => fake.calls.some((c) => c.kind === "api"));
    const r = await pressCtrlC(ctrlC, running);
    assert.match(r.stderr, /^interrupted: /m);
    assert.equal(lastRunStatus(tt.target), "interrupted");
  });
});

Deno.test("Ctrl-C while auth waits for the browser ends it within 2 s and closes the listener", async () => {
  await withFake(smallAccount(), async (_fake, tt) => {
    const ctrlC = new AbortController();
    let consent = "";
    // Without the fix only login's own 5-minute limit would end it: give up after 5 s.
    const running = runBounded(["auth", tt.target, "--no-browser"], tt.env, 2000, {
      signal: ctrlC.signal,
    });
    // The browser never comes back; the user gives up.
    const r = await pressCtrlC(ctrlC, running);
    consent = r.stderr.split("\n").find((l) => l.startsWith("http")) ?? "";
    const redirect = new URL(new URL(consent).searchParams.get("redirect_uri")!);
    await assert.rejects(() => fetch(redirect), TypeError, "the loopback listener is closed");
    // Nothing was saved, and the lock was released.
    await assert.rejects(() => Deno.stat(join(tt.target, ".gphotos.token")), Deno.errors.NotFound);
    (await acquireLock(tt.target, "test")).release();
  }, { login: false });
});

Deno.test("Pacer: a Ctrl-C ends a long backoff at once and is not retried", async () => {
  const ctrlC = new AbortController();
  const pacer = new Pacer({ min429WaitS: 0, signal: ctrlC.signal });
  let attempts = 0;
  const started = performance.now();
  setTimeout(() => ctrlC.abort(new Error("Interrupted")), 100);
  await assert.rejects(
    () =>
      pacer.run(() => {
        attempts++;
        throw new HttpStatusError("Busy", 503, "UNAVAILABLE", { retryAfterMs: 600_000 });
      }),
    /Interrupted/,
  );
  assert.equal(attempts, 1);
  assert.ok(performance.now() - started < 1000);
});

Deno.test("GoogleHttp.media(): a body that stops is cut after the idle deadline, bytes kept", async (t) => {
  const tokens = {
    accessToken: () => Promise.resolve("t"),
    refreshNow: () => Promise.resolve("t"),
  };
  const pacer = new Pacer({ min429WaitS: 0 });
  const dir = await Deno.makeTempDir({ prefix: "gphotos-idle-" });
  // A body built in memory (not a byte stream): 3 chunks, then nothing, never closed.
  const stalling = () => {
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull(c): Promise<void> | void {
        if (sent++ >= 3) return new Promise<void>(() => {});
        c.enqueue(new Uint8Array(1000).fill(sent));
      },
    });
  };
  const http = new GoogleHttp({
    tokens,
    pacer,
    timeouts: { idleMs: 200 },
    fetch: () => Promise.resolve(new Response(stalling(), { status: 200 })),
  });
  try {
    for (const byob of [true, false]) {
      await t.step(`read ${byob ? "into one buffer (BYOB)" : "chunk by chunk"}`, async () => {
        const response = await http.media("http://127.0.0.1:9/media/x=d");
        const temp = await TempFile.open(dir, `x-${byob}.jpg`);
        const started = performance.now();
        await assert.rejects(
          () => temp.append(response.body!, { byob }),
          (err: unknown) =>
            err instanceof BodyReadError && /stalled: no byte for 200 ms/.test(err.message),
        );
        assert.equal(temp.size, 3000);
        assert.ok(performance.now() - started < 1500);
        await temp.discard();
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
