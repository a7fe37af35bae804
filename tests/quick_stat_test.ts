import assert from "node:assert/strict";
import { QuickStat } from "../src/files/quick_stat.ts";

/** Counts the calls of Deno.stat and Deno.statSync while `fn` runs; `slowSync` ms per sync call. */
async function spy(fn: () => Promise<void>, slowSync = 0) {
  const calls = { sync: 0, async: 0 };
  const stat = Deno.stat;
  const statSync = Deno.statSync;
  Deno.stat = (path) => {
    calls.async++;
    return stat(path);
  };
  Deno.statSync = (path) => {
    calls.sync++;
    const until = performance.now() + slowSync;
    while (performance.now() < until) { /* a slow disk */ }
    return statSync(path);
  };
  try {
    await fn();
  } finally {
    Deno.stat = stat;
    Deno.statSync = statSync;
  }
  return calls;
}

Deno.test("QuickStat stats synchronously while that is quick, asynchronously after a slow one", async () => {
  const file = await Deno.makeTempFile();
  try {
    // Quick is anything under a second here, so a loaded machine cannot make a stat "slow".
    const quick = new QuickStat({ slowMs: 1000 });
    const fast = await spy(async () => {
      for (let i = 0; i < 100; i++) assert.equal((await quick.stat(file)).isFile, true);
    });
    assert.deepEqual(fast, { sync: 100, async: 0 });
    assert.equal(quick.asynchronous, false);
    await assert.rejects(quick.stat(`${file}.missing`), Deno.errors.NotFound);

    const slow = new QuickStat();
    const calls = await spy(async () => {
      for (let i = 0; i < 5; i++) await slow.stat(file);
    }, 15);
    assert.deepEqual(calls, { sync: 1, async: 4 });
    assert.equal(slow.asynchronous, true);
    await assert.rejects(slow.stat(`${file}.missing`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("QuickStat gives the event loop a turn during a long run of synchronous stats", async () => {
  const file = await Deno.makeTempFile();
  try {
    // Never asynchronous here, however busy the machine: only the turns are under test.
    const quick = new QuickStat({ slowMs: Infinity });
    let turns = 0;
    const tick = setInterval(() => turns++, 0);
    // 100 stats of 5 ms each: half a second without a turn if it never yielded.
    await spy(async () => {
      for (let i = 0; i < 100; i++) await quick.stat(file);
    }, 5);
    clearInterval(tick);
    assert.equal(quick.asynchronous, false);
    assert.ok(turns >= 10, `${turns} turns`);
  } finally {
    await Deno.remove(file);
  }
});
