import assert from "node:assert/strict";
import { forEachLimited, Pool } from "../src/files/pool.ts";

Deno.test("Pool holds at most its size and frees a slot on early release", async () => {
  const pool = new Pool(2);
  const a = pool.tryAcquire();
  const b = pool.tryAcquire();
  assert.ok(a && b);
  assert.equal(pool.tryAcquire(), undefined);
  let third = false;
  const waiting = pool.acquire().then((r) => {
    third = true;
    return r;
  });
  await Promise.resolve();
  assert.equal(third, false);
  a();
  a(); // a second call must not free another slot
  const c = await waiting;
  assert.equal(pool.active, 2);
  b();
  c();
  assert.equal(pool.active, 0);
});

Deno.test("forEachLimited() never runs more than the limit and stops at the first error", async () => {
  let now = 0;
  let peak = 0;
  const seen: number[] = [];
  await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    now++;
    peak = Math.max(peak, now);
    await new Promise((r) => setTimeout(r, 5));
    seen.push(n);
    now--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);

  const started: number[] = [];
  await assert.rejects(
    forEachLimited([1, 2, 3, 4, 5, 6], 1, async (n) => {
      started.push(n);
      await Promise.resolve();
      if (n === 2) throw new Error("boom");
    }),
    /boom/,
  );
  assert.deepEqual(started, [1, 2]);

  const ctl = new AbortController();
  const ran: number[] = [];
  await assert.rejects(
    forEachLimited([1, 2, 3, 4], 1, async (n) => {
      ran.push(n);
      await Promise.resolve();
      if (n === 2) ctl.abort(new DOMException("stop", "AbortError"));
    }, { signal: ctl.signal }),
    /stop/,
  );
  assert.deepEqual(ran, [1, 2]);
});
