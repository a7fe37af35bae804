import assert from "node:assert/strict";
import { fakeContext } from "./helpers.ts";
import { createReporter, flushLines, progressLine } from "../src/cli/reporter.ts";
import { formatBytes, formatDuration } from "../src/format.ts";

Deno.test("progressLine() shows a bar, counts, bytes, rate and ETA", () => {
  const line = progressLine({
    phase: "download",
    done: 50,
    total: 200,
    bytes: 50 * 1024 * 1024,
    totalBytes: 200 * 1024 * 1024,
    elapsedS: 10,
    width: 20,
  });
  assert.equal(
    line,
    "download [#####---------------] 50/200 50.0 MiB 5.0 MiB/s ETA 0:30",
  );
  const items = progressLine({ phase: "index", done: 300, elapsedS: 2, width: 20 });
  assert.equal(items, "index    300 150.0/s");
});

Deno.test("formatBytes() and formatDuration() read like people write", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
  assert.equal(formatBytes(5 * 1024 ** 2), "5.0 MiB");
  assert.equal(formatDuration(59), "0:59");
  assert.equal(formatDuration(3725), "1:02:05");
});

Deno.test("the reporter draws a bar only on a terminal and prints JSON lines with --json", async (t) => {
  await t.step("terminal: a bar on stderr, the summary on stdout", () => {
    const { ctx, out } = fakeContext(true);
    const r = createReporter(ctx, {});
    r.event({ type: "phase", phase: "download", total: 10 });
    r.event({ type: "progress", phase: "download", done: 10, total: 10 });
    r.summary({ n: 1 }, ["done"]);
    assert.ok(out.stderr.includes("\r\x1b[Kdownload [########################] 10/10"), out.stderr);
    assert.equal(out.stdout, "done\nelapsed: 0:00\n");
  });
  await t.step("piped: no bar, no escape codes", () => {
    const { ctx, out } = fakeContext(false);
    const r = createReporter(ctx, {});
    r.event({ type: "phase", phase: "download", total: 10 });
    r.event({ type: "progress", phase: "download", done: 5, total: 10 });
    r.summary({ n: 1 }, ["done"]);
    assert.equal(out.stderr, "");
    assert.equal(out.stdout, "done\nelapsed: 0:00\n");
  });
  await t.step("--json: every event a line, the summary last", () => {
    const { ctx, out } = fakeContext(true);
    const r = createReporter(ctx, { json: true });
    r.event({ type: "progress", phase: "index", done: 3 });
    r.warn("careful");
    r.summary({ listed: 3 }, ["ignored"]);
    const lines = out.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.type), ["progress", "warning", "summary"]);
    assert.equal(lines[2].listed, 3);
    assert.equal(out.stderr, "");
  });
  await t.step(
    "--json: a burst of progress is a few lines, the last count before the summary",
    () => {
      const { ctx, out } = fakeContext(true);
      const r = createReporter(ctx, { json: true });
      for (let done = 1; done <= 5000; done++) {
        r.event({ type: "progress", phase: "takeout", done, total: 10_000 });
        r.event({ type: "item", phase: "takeout", id: `i${done}`, status: "skipped" });
      }
      r.summary({ imported: 0 }, []);
      const lines = out.stdout.trim().split("\n").map((l) => JSON.parse(l));
      const progress = lines.filter((l) => l.type === "progress");
      assert.equal(lines.filter((l) => l.type === "item").length, 5000, "every item is a line");
      assert.ok(progress.length < 100, `${progress.length} progress lines`);
      assert.equal(progress[0].done, 1);
      assert.equal(lines.at(-2).type, "progress");
      assert.equal(lines.at(-2).done, 5000, "the last count is printed");
      assert.equal(lines.at(-1).type, "summary");
      // A finished phase is not held back by the throttle.
      const { ctx: ctx2, out: out2 } = fakeContext(true);
      const r2 = createReporter(ctx2, { json: true });
      r2.event({ type: "progress", phase: "index", done: 1, total: 2 });
      r2.event({ type: "progress", phase: "index", done: 2, total: 2 });
      flushLines(ctx2);
      assert.equal(out2.stdout.trim().split("\n").length, 2);
    },
  );
  await t.step(
    "--json: lines are written in batches, in order, and none is left behind",
    async () => {
      const { ctx, out } = fakeContext(false);
      let writes = 0;
      const write = ctx.stdout;
      ctx.stdout = (s) => {
        writes++;
        write(s);
      };
      // Two reporters of one run (sync's index and download phases) share the order of their lines.
      const a = createReporter(ctx, { json: true });
      const b = createReporter(ctx, { json: true });
      for (let i = 0; i < 3000; i++) {
        (i % 2 ? b : a).event({ type: "item", phase: "download", id: `i${i}`, status: "added" });
      }
      assert.ok(writes > 0 && writes < 30, `${writes} writes for 3,000 lines`);
      a.event({ type: "item", phase: "download", id: "late", status: "added" });
      const before = out.stdout;
      // A line waits no longer than a moment, even with nothing after it.
      await new Promise((r) => setTimeout(r, 120));
      assert.notEqual(out.stdout, before);
      b.event({ type: "item", phase: "download", id: "last", status: "added" });
      b.close();
      const ids = out.stdout.trim().split("\n").map((l) => JSON.parse(l).id);
      assert.deepEqual(ids, [...Array.from({ length: 3000 }, (_, i) => `i${i}`), "late", "last"]);
    },
  );
  await t.step("--quiet: no progress, no info, no summary", () => {
    const { ctx, out } = fakeContext(true);
    const r = createReporter(ctx, { quiet: true });
    r.event({ type: "progress", phase: "download", done: 1, total: 2 });
    r.info("hello");
    r.summary({}, ["done"]);
    assert.equal(out.stdout, "");
    assert.equal(out.stderr, "");
  });
});

Deno.test("usage mistakes are one line on stderr and exit 2", async (t) => {
  const { main } = await import("../mod.ts");
  for (
    const args of [
      [],
      ["sync", "/tmp/x", "--bogus"],
      ["compare", "/tmp/x"],
      ["download", "/tmp/x", "--max-threads", "0"],
      ["auth", "/tmp/x", "--port", "99999"],
    ]
  ) {
    await t.step(args.join(" ") || "(no arguments)", async () => {
      const { ctx, out } = fakeContext(false);
      assert.equal(await main(args, ctx), 2);
      assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
      assert.match(out.stderr, /^error: /);
    });
  }
});

Deno.test("--json: a line still waiting is written when the process exits", async () => {
  const reporter = new URL("../src/cli/reporter.ts", import.meta.url).href;
  const code = `
    import { createReporter } from ${JSON.stringify(reporter)};
    const enc = new TextEncoder();
    const ctx = {
      env: {}, isTerminal: false, openBrowser: async () => {},
      signal: new AbortController().signal, stderr: () => {},
      stdout: (s) => Deno.stdout.writeSync(enc.encode(s)),
    };
    createReporter(ctx, { json: true }).event({ type: "item", phase: "takeout", id: "a", status: "added" });
    Deno.exit(3);
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=js", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 3);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  assert.deepEqual(lines.map((l) => JSON.parse(l).id), ["a"]);
});
