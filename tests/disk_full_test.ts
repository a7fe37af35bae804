/** A full disk (ENOSPC, SQLITE_FULL): one line naming the disk and the need, exit 1, nothing torn. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { DiskFullError, EXIT, isDiskFull } from "../src/errors.ts";
import { reportError } from "../src/cli/program.ts";
import type { CliContext } from "../src/cli/context.ts";
import { INDEX_FILE, MediaIndex, migrate } from "../src/index/mod.ts";
import type { MediaRecord } from "../src/index/mod.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { canMountInNamespace, runCli, setupTarget, sha256Hex, walkFiles } from "./helpers.ts";

function context(): { ctx: CliContext; err: () => string } {
  let err = "";
  const ctx: CliContext = {
    env: {},
    stdout: () => {},
    stderr: (s) => {
      err += s;
    },
    isTerminal: false,
    openBrowser: async () => {},
    signal: new AbortController().signal,
    home: "/nonexistent",
  };
  return { ctx, err: () => err };
}

function record(id: string): MediaRecord {
  return {
    id,
    source: "library",
    originalName: `IMG_${id}.jpg`,
    mediaType: "photo",
    captureTime: "2021-04-05T06:07:08Z",
    dateSource: "api",
    description: "x".repeat(2000),
  };
}

Deno.test("a full disk is one error, exit 1, one line", async (t) => {
  const enospc = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  const sqliteFull = Object.assign(new Error("database or disk is full"), { errcode: 13 });

  await t.step("isDiskFull knows ENOSPC, SQLITE_FULL and a wrapped cause", () => {
    assert.equal(isDiskFull(enospc), true);
    assert.equal(isDiskFull(sqliteFull), true);
    assert.equal(isDiskFull(new Error("cut", { cause: enospc })), true);
    assert.equal(isDiskFull(new DiskFullError("/t")), true);
    assert.equal(isDiskFull(new Error("Connection reset")), false);
    assert.equal(isDiskFull(Object.assign(new Error("busy"), { errcode: 5 })), false);
  });

  await t.step("the message names the disk and what the run still needs", () => {
    const about = new DiskFullError("/backup", {
      items: 37,
      bytes: 120_400_000,
      precision: "about",
    });
    assert.match(about.message, /Disk full.*"\/backup".*still needs about 121 MB for 37 items/);
    const least = new DiskFullError("/backup", {
      items: 2,
      bytes: 3_210_000,
      precision: "at least",
    });
    assert.match(least.message, /at least 3.3 MB for 2 items/);
    assert.equal(about.exitCode, EXIT.failed);
  });

  await t.step("reportError prints one line, no stack, exit 1, for each kind", () => {
    for (const err of [new DiskFullError("/backup"), enospc, sqliteFull]) {
      const { ctx, err: text } = context();
      assert.equal(reportError(err, ctx), EXIT.failed);
      assert.equal(text().trim().split("\n").length, 1, text());
      assert.match(text(), /^error: Disk full/);
      assert.doesNotMatch(text(), /\n\s+at /);
    }
  });
});

Deno.test("the index keeps the error that stopped a transaction on a full disk", async () => {
  const target = await Deno.makeTempDir({ prefix: "disk_full_" });
  const db = new DatabaseSync(join(target, INDEX_FILE));
  migrate(db);
  // A page limit makes SQLite answer SQLITE_FULL (and roll back by itself) as a full disk does.
  const pages = (db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count;
  db.exec(`PRAGMA max_page_count = ${pages + 3}`);
  const index = new MediaIndex(db, { target });
  try {
    index.upsertItems([record("first")]);
    const many = Array.from({ length: 200 }, (_, i) => record(`n${i}`));
    let thrown: unknown;
    try {
      index.upsertItems(many);
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown instanceof DiskFullError, String(thrown));
    assert.doesNotMatch(thrown.message, /cannot rollback|no transaction/);
    assert.ok(thrown.message.includes(`"${target}"`), thrown.message);
    // All or nothing: none of the 200 landed, and the index still works.
    assert.deepEqual(index.allItems().map((r) => r.id), ["first"]);
    assert.equal(index.transaction(() => index.getItem("first")?.id), "first");
    // A write outside a transaction is mapped the same way.
    assert.throws(
      () => index.recordFailure("first", "download", "y".repeat(50_000)),
      DiskFullError,
    );
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test({
  name: "sync into a 2 MB disk stops with one line, exit 1, and leaves index and files consistent",
  // A tmpfs mount needs a user namespace (unshare -rm, from util-linux); CI machines have it.
  ignore: !(await canMountInNamespace((dir) => `mount -t tmpfs -o size=1m tmpfs "${dir}"`)),
  fn: async () => {
    // 40 items of 100 kB: twice what the disk holds.
    const account = generateAccount({ items: 40, seed: 31, nasty: false, itemBytes: 100_000 });
    const fake = await startFakeGoogle({ account, seed: 31 });
    const setup = await setupTarget(fake);
    const disk = join(setup.root, "disk");
    const copy = join(setup.root, "copy");
    await Deno.mkdir(disk);
    await Deno.mkdir(copy);
    try {
      const mod = new URL("../mod.ts", import.meta.url).pathname;
      const cli = (args: string) =>
        `TZ=UTC NO_COLOR=1 "${Deno.execPath()}" run --quiet --allow-read --allow-write ` +
        `--allow-env --allow-net=127.0.0.1 --allow-sys=hostname,osRelease,homedir "${mod}" ${args}`;
      // The tmpfs is gone with the namespace: what it held is copied out to be checked.
      const script = [
        `mount -t tmpfs -o size=2m tmpfs "${disk}"`,
        `cp -a "${setup.target}/." "${disk}/"`,
        `${cli(`sync "${disk}" --skip-albums --max-threads 4`)}; echo "sync=$?" >&2`,
        `${cli(`status "${disk}"`)} >/dev/null; echo "status=$?" >&2`,
        `cp -a "${disk}/." "${copy}/"`,
      ].join("\n");
      const out = await new Deno.Command("unshare", {
        args: ["-rm", "sh", "-c", script],
        env: setup.env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      const lines = stderr.trim().split("\n");
      assert.ok(lines.includes("sync=1"), stderr);
      assert.ok(lines.includes("status=0") || lines.includes("status=4"), stderr);
      const errors = lines.filter((l) => l.startsWith("error:"));
      assert.equal(errors.length, 1, stderr);
      assert.match(errors[0], new RegExp(`Disk full.*"${disk}".*still needs (about|at least)`));
      assert.doesNotMatch(stderr, /\n\s+at |Uncaught|cannot rollback/);

      // Every file under a final name is its item's whole bytes, and a row marked downloaded
      // has its file; the run row has a status.
      const index = MediaIndex.open(copy);
      try {
        const files = (await walkFiles(copy)).filter((f) => f.startsWith("photos/"));
        const finals = files.filter((f) => !/\.gphotos-tmp$/.test(f) && !f.includes("/."));
        assert.ok(finals.length > 0 && finals.length < 40, `${finals.length} files`);
        for (const path of finals) {
          const row = index.getItemByPath(path);
          assert.ok(row, `no row for ${path}`);
          const bytes = await Deno.readFile(join(copy, path));
          // Videos come as `=dv` (and, big first, are among the first fetched).
          const want = fake.servedBytes(row.id, row.mediaType === "video" ? "dv" : "d");
          assert.equal(await sha256Hex(bytes), await sha256Hex(want), path);
          if (row.downloadedAt) assert.equal(row.sha256, await sha256Hex(bytes), path);
        }
        for (const row of index.downloadedItems()) {
          assert.ok(finals.includes(row.path), `row ${row.path} marked downloaded, no file`);
        }
      } finally {
        index.close();
      }
      // The run's row could not be written on the full disk: the next run marks it interrupted
      // and carries on where it stopped.
      const next = await runCli(["sync", copy, "--skip-albums"], setup.env);
      assert.equal(next.code, 0, next.stderr);
      const after = new DatabaseSync(join(copy, INDEX_FILE), { readOnly: true });
      try {
        const runs = after.prepare("SELECT status FROM runs WHERE command = 'sync' ORDER BY id")
          .all().map((r) => r.status);
        assert.equal(runs.length, 2);
        assert.ok(runs[0] === "interrupted" || runs[0] === "failed", String(runs[0]));
        assert.equal(runs[1], "ok");
        const pending = after.prepare(
          "SELECT COUNT(*) AS n FROM media_items WHERE downloaded_at IS NULL",
        ).get() as { n: number };
        assert.equal(Number(pending.n), 0);
      } finally {
        after.close();
      }
    } finally {
      await fake.close();
      await setup.cleanup();
    }
  },
});
