import assert from "node:assert/strict";
import { join } from "node:path";
import { QuickStat } from "../src/files/quick_stat.ts";
import { dryRunWriter, fileWriter } from "../src/files/writer.ts";

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

Deno.test("QuickStat's lstat and readLink, and the file writers' reads, go the same way", async () => {
  const dir = await Deno.makeTempDir();
  const calls = { lstatSync: 0, readLinkSync: 0, lstat: 0, readLink: 0 };
  const real = {
    lstat: Deno.lstat,
    lstatSync: Deno.lstatSync,
    readLink: Deno.readLink,
    readLinkSync: Deno.readLinkSync,
  };
  try {
    await Deno.writeTextFile(join(dir, "a.jpg"), "a");
    await Deno.symlink("a.jpg", join(dir, "link.jpg"));
    Deno.lstat = (p) => (calls.lstat++, real.lstat(p));
    Deno.lstatSync = (p) => (calls.lstatSync++, real.lstatSync(p));
    Deno.readLink = (p) => (calls.readLink++, real.readLink(p));
    Deno.readLinkSync = (p) => (calls.readLinkSync++, real.readLinkSync(p));
    const quick = new QuickStat({ slowMs: 1000 });
    assert.equal((await quick.lstat(join(dir, "link.jpg"))).isSymlink, true);
    assert.equal(await quick.readLink(join(dir, "link.jpg")), "a.jpg");
    await assert.rejects(quick.readLink(join(dir, "gone.jpg")), Deno.errors.NotFound);
    for (const writer of [fileWriter(dir), dryRunWriter(dir)]) {
      assert.equal(await writer.readLink("link.jpg"), "a.jpg");
      assert.equal((await writer.lstat("link.jpg")).isSymlink, true);
      assert.equal((await writer.stat("link.jpg")).isFile, true);
    }
    assert.equal(calls.lstatSync + calls.lstat, 3);
    assert.equal(calls.readLinkSync + calls.readLink, 4);
    // A fresh writer's first read is synchronous (later ones too, unless this machine is slow).
    assert.equal(calls.readLinkSync, 4, JSON.stringify(calls));
  } finally {
    Object.assign(Deno, real);
    await Deno.remove(dir, { recursive: true });
  }
});
