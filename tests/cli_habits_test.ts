/** rclone's habits: -q/-v/-vv, --log-file, -n, -V, the --json summary on failure, Ctrl-C twice. */
import { fakeContext } from "./helpers.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../mod.ts";
import { interruptHandler } from "../src/cli/context.ts";
import { createReporter } from "../src/cli/reporter.ts";

/** What a terminal shows after `text`: \r, \n, ESC[K, ESC[J and ESC[nA, the codes the bar uses. */
function screen(text: string): string[] {
  const rows: string[] = [""];
  let row = 0;
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\r") col = 0;
    else if (c === "\n") {
      row++;
      col = 0;
      if (rows.length <= row) rows.push("");
    } else if (c === "\x1b") {
      // deno-lint-ignore no-control-regex -- the escape codes are what is parsed
      const m = /^\x1b\[(\d*)([AJK])/.exec(text.slice(i));
      if (!m) throw new Error(`Unknown escape at ${i}`);
      i += m[0].length - 1;
      if (m[2] === "A") row = Math.max(0, row - Number(m[1] || 1));
      else if (m[2] === "K") rows[row] = rows[row].slice(0, col);
      else {
        rows[row] = rows[row].slice(0, col);
        rows.length = row + 1;
      }
    } else {
      rows[row] = rows[row].slice(0, col).padEnd(col) + c + rows[row].slice(col + 1);
      col++;
    }
  }
  return rows.filter((r, n) => r !== "" || n < rows.length - 1);
}

Deno.test("progress: one line per phase that runs at once, each with its own counts", () => {
  const { ctx, out } = fakeContext(true);
  const r = createReporter(ctx, {});
  r.event({ type: "phase", phase: "index" });
  r.event({ type: "progress", phase: "index", done: 100 });
  r.event({ type: "phase", phase: "download", total: 4 });
  r.event({ type: "progress", phase: "download", done: 1, total: 4, bytes: 2048 });
  r.event({ type: "phase", phase: "albums" });
  r.event({ type: "progress", phase: "index", done: 250, total: 250 });
  r.event({ type: "progress", phase: "download", done: 4, total: 4, bytes: 3 * 1024 * 1024 });
  const shown = screen(out.stderr);
  assert.equal(shown.length, 3, JSON.stringify(shown));
  assert.match(shown[0], /^index +\[#+\] 250\/250 /);
  assert.match(shown[1], /^download \[#+\] 4\/4 3\.0 MiB /);
  assert.match(shown[2], /^albums +0 /);
  // A failed item prints above the bars, which are drawn again below it.
  r.event({ type: "item", phase: "download", id: "x", path: "photos/x.jpg", status: "failed" });
  r.event({ type: "progress", phase: "albums", done: 2 });
  const after = screen(out.stderr);
  assert.equal(after[0], "failed: photos/x.jpg: unknown error");
  assert.deepEqual(after.slice(1).map((l) => l.split(" ")[0]), ["index", "download", "albums"]);
  r.summary({}, ["done"]);
  assert.deepEqual(screen(out.stderr), ["failed: photos/x.jpg: unknown error"]);
  assert.match(out.stdout, /^done\nelapsed: \d+:\d\d\n$/);
});

Deno.test("--quiet still prints failed items and warnings; -vv prints progress steps", async (t) => {
  await t.step("quiet", () => {
    const { ctx, out } = fakeContext(false);
    const r = createReporter(ctx, { quiet: true });
    r.event({ type: "item", phase: "download", id: "a", path: "photos/a.jpg", status: "failed" });
    r.event({ type: "item", phase: "download", id: "b", status: "downloaded" });
    r.info("chatter");
    r.summary({}, ["done"]);
    assert.equal(out.stderr, "failed: photos/a.jpg: unknown error\n");
    assert.equal(out.stdout, "");
  });
  await t.step("-v and -vv", () => {
    for (const verbose of [1, 2]) {
      const { ctx, out } = fakeContext(false);
      const r = createReporter(ctx, { verbose });
      r.event({
        type: "item",
        phase: "download",
        id: "b",
        path: "photos/b.jpg",
        status: "skipped",
      });
      r.event({ type: "progress", phase: "download", done: 1, total: 2 });
      assert.match(out.stderr, /^skipped: photos\/b.jpg$/m);
      assert.equal(/^download +1\/2 /m.test(out.stderr), verbose === 2, out.stderr);
    }
  });
});

Deno.test("-V prints the version, -n is --dry-run, -vv counts", async () => {
  const { ctx, out } = fakeContext(false);
  assert.equal(await main(["-V"], ctx), 0);
  assert.match(out.stdout, /^\d+\.\d+\.\d+\n$/);
  const help = fakeContext(false);
  for (const cmd of ["sync", "download", "albums", "takeout", "compare"]) {
    await main([cmd, "--help"], help.ctx);
    const text = help.out.stdout;
    help.out.stdout = "";
    assert.match(text, /-n, --dry-run/, cmd);
    assert.match(text, /-q, --quiet/, cmd);
    assert.match(text, /-v, --verbose/, cmd);
    assert.match(text, /--log-file <FILE>/, cmd);
    assert.match(text, /--log-level <LEVEL>/, cmd);
  }
});

Deno.test("--log-file appends timestamped lines at --log-level and above, errors included", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = join(dir, "run.log");
    const { ctx, out } = fakeContext(false);
    const missing = join(dir, "nope");
    const code = await main(["status", missing, "--log-file", log, "--log-level", "info"], ctx);
    assert.equal(code, 2);
    assert.match(out.stderr, /^error: No backup/);
    const lines = (await Deno.readTextFile(log)).trim().split("\n");
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (INFO |ERROR) /);
    assert.match(lines.at(-1)!, /ERROR No backup in/);
    // A second run appends; with --log-level error the start line is left out.
    await main(["status", missing, "--log-file", log, "--log-level", "error"], ctx);
    const again = (await Deno.readTextFile(log)).trim().split("\n");
    assert.equal(again.length, lines.length + 1);
    assert.match(again.at(-1)!, / ERROR No backup in/);
    const bad = fakeContext(false);
    const unwritable = join(dir, "no", "such", "dir", "x.log");
    assert.equal(await main(["status", dir, "--log-file", unwritable], bad.ctx), 2);
    assert.match(bad.out.stderr, /^error: Cannot open log file ".*x\.log": /);
    assert.equal(bad.out.stderr.trim().split("\n").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--json ends with a summary line also when the run fails", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string[], number][] = [
      [["status", join(dir, "nope"), "--json"], 2],
      [["download", dir, "--json", "--max-threads", "0"], 2],
      [["compare", dir, join(dir, "nope"), "--json"], 2],
    ];
    for (const [args, code] of cases) {
      await t.step(args.join(" "), async () => {
        const { ctx, out } = fakeContext(false);
        assert.equal(await main(args, ctx), code);
        const last = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
        assert.equal(last.type, "summary");
        assert.equal(last.ok, false);
        assert.equal(last.exitCode, code);
        assert.equal(typeof last.error, "string");
        assert.ok(last.error.length > 0);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C: the first stops the run cleanly, the second exits 130 at once", () => {
  const controller = new AbortController();
  const exits: number[] = [];
  const onInterrupt = interruptHandler(controller, (code) => exits.push(code));
  onInterrupt();
  assert.equal(controller.signal.aborted, true);
  assert.deepEqual(exits, []);
  onInterrupt();
  assert.deepEqual(exits, [130]);
});
