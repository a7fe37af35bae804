/** src/heap.ts: a collection on request frees garbage V8 would otherwise keep until later. */
import assert from "node:assert/strict";
import { collectGarbage, GarbageCadence } from "../src/heap.ts";

/** About 40 MB of objects, unreachable once this returns. */
function makeGarbage(): number {
  let junk: { i: number; s: string }[] = [];
  for (let i = 0; i < 400_000; i++) junk.push({ i, s: `item ${i} of the garbage` });
  const n = junk.length;
  junk = [];
  return n;
}

Deno.test("collectGarbage frees what is unreachable now", () => {
  collectGarbage();
  const base = Deno.memoryUsage().heapUsed;
  assert.equal(makeGarbage(), 400_000);
  const before = Deno.memoryUsage().heapUsed;
  assert.ok(before - base > 20e6, `the garbage is on the heap: ${before - base}`);
  collectGarbage();
  const after = Deno.memoryUsage().heapUsed;
  assert.ok(after - base < 5e6, `collected: ${after - base} bytes left of ${before - base}`);
});

Deno.test("GarbageCadence collects once every so many ticks", () => {
  const cadence = new GarbageCadence(3);
  collectGarbage();
  const base = Deno.memoryUsage().heapUsed;
  makeGarbage();
  cadence.tick();
  cadence.tick();
  assert.ok(Deno.memoryUsage().heapUsed - base > 20e6, "not collected before the third tick");
  cadence.tick();
  assert.ok(Deno.memoryUsage().heapUsed - base < 5e6, "collected at the third tick");
});
