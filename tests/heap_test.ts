/** src/heap.ts: a collection on request frees garbage V8 would otherwise keep until later. */
import assert from "node:assert/strict";
import { collectGarbage, GarbageCadence } from "../src/heap.ts";

/** About `mb` MB of objects, unreachable once this returns. */
function makeGarbage(mb: number): number {
  let junk: { i: number; s: string }[] = [];
  for (let i = 0; i < mb * 10_000; i++) junk.push({ i, s: `item ${i} of the garbage` });
  const n = junk.length;
  junk = [];
  return n;
}

function heapUsed(): number {
  return Deno.memoryUsage().heapUsed;
}

Deno.test("collectGarbage frees what is unreachable now", () => {
  collectGarbage();
  const base = heapUsed();
  assert.equal(makeGarbage(100), 1_000_000);
  const before = heapUsed();
  assert.ok(before - base > 64e6, `the garbage is on the heap: ${before - base}`);
  collectGarbage();
  const after = heapUsed();
  assert.ok(after - base < 5e6, `collected: ${after - base} bytes left of ${before - base}`);
});

Deno.test("GarbageCadence collects once every so many ticks", () => {
  const cadence = new GarbageCadence(3);
  collectGarbage();
  const base = heapUsed();
  makeGarbage(100);
  cadence.tick();
  cadence.tick();
  assert.ok(heapUsed() - base > 64e6, "not collected before the third tick");
  cadence.tick();
  assert.ok(heapUsed() - base < 5e6, "collected at the third tick");
});
