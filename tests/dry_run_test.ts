/** `--dry-run` on every writing command: the plan is reported, TARGET stays byte for byte. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateAccount } from "./fixtures/generate.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { runCli, setupTarget, sha256Hex, walkFiles } from "./helpers.ts";

/**
 * Every file, link and top folder under `dir` with its content. The login token is left out: a dry
 * run still saves a token Google refreshed (README), through the empty temp folder.
 */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await walkFiles(dir)) {
    if (f === ".gphotos.token") continue;
    const path = join(dir, f);
    const info = await Deno.lstat(path);
    out[f] = info.isSymlink
      ? `-> ${await Deno.readLink(path)}`
      : await sha256Hex(await Deno.readFile(path));
  }
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory && e.name !== ".gphotos-tmp") out[`${e.name}/`] = "dir";
  }
  return out;
}

function lastJson(stdout: string) {
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

Deno.test("sync and albums --dry-run report the plan and change nothing in TARGET", async (t) => {
  const account = generateAccount({ items: 12, seed: 41, albums: 2, nasty: false });
  for (const i of account.items) i.videoStatus = undefined;
  const fake = await startFakeGoogle({ account, seed: 41 });
  const tt = await setupTarget(fake);
  try {
    await t.step("sync -n on a new TARGET: what would be fetched; no index is made", async () => {
      const before = await snapshot(tt.target);
      const r = await runCli(["sync", tt.target, "-n", "--json"], tt.env);
      assert.equal(r.code, 0, r.stderr);
      const s = lastJson(r.stdout);
      assert.equal(s.dryRun, true);
      assert.ok(s.wouldDownload > 0, JSON.stringify(s));
      assert.ok(s.index.listed > 0);
      assert.deepEqual(await snapshot(tt.target), before);
      assert.equal(fake.calls.filter((c) => c.kind === "media").length, 0, "no media fetched");
      const text = await runCli(["sync", tt.target, "--dry-run"], tt.env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^ {2}would download photos\//m);
      assert.match(text.stdout, /sync --dry-run: \d+ items would be fetched/);
    });

    await t.step("albums -n plans the folder changes a real run then makes", async () => {
      // The real run, quiet, with its lines in a log file outside TARGET.
      const log = join(tt.root, "sync.log");
      const real = await runCli(["sync", tt.target, "-q", "--log-file", log], tt.env);
      assert.equal(real.code, 0, real.stderr);
      assert.equal(real.stdout + real.stderr, "");
      const logged = await Deno.readTextFile(log);
      assert.match(logged, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO {2}gphotos-sync /);
      assert.match(logged, / INFO {2}download: downloaded: photos\//);
      assert.match(logged, / INFO {2}elapsed: \d+:\d\d$/m);
      const before = await snapshot(tt.target);
      const r = await runCli(["albums", tt.target, "-n", "--omit-album-date", "--json"], tt.env);
      assert.equal(r.code, 0, r.stderr);
      const s = lastJson(r.stdout);
      assert.equal(s.dryRun, true);
      assert.ok((s.planned.rename ?? 0) + (s.planned.symlink ?? 0) > 0, JSON.stringify(s));
      assert.deepEqual(await snapshot(tt.target), before);
      const runs = await runCli(["status", tt.target, "--json"], tt.env);
      assert.ok(!runs.stdout.includes('"command":"albums"'), "no run was recorded");
      assert.equal((await runCli(["albums", tt.target, "--omit-album-date"], tt.env)).code, 0);
      assert.notDeepEqual(await snapshot(tt.target), before);
    });

    await t.step(
      "sync -n --retry-download names a missing file and leaves it missing",
      async () => {
        const photos = (await walkFiles(tt.target)).filter((f) => f.startsWith("photos/"));
        await Deno.remove(join(tt.target, photos[0]));
        const before = await snapshot(tt.target);
        const r = await runCli(["sync", tt.target, "-n", "--retry-download"], tt.env);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.stdout.includes(`would download ${photos[0]} (file missing)`), r.stdout);
        assert.deepEqual(await snapshot(tt.target), before);
      },
    );
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});

Deno.test("sync --dry-run --do-delete names the file it would delete and keeps it", async () => {
  const account = generateAccount({ items: 4, seed: 43, albums: 0, nasty: false });
  for (const i of account.items) {
    i.videoStatus = undefined;
    i.archived = false;
  }
  const fake = await startFakeGoogle({ account, seed: 43 });
  const tt = await setupTarget(fake);
  try {
    assert.equal((await runCli(["sync", tt.target], tt.env)).code, 0);
    const gone = account.items[0];
    account.items = account.items.filter((i) => i !== gone);
    const before = await snapshot(tt.target);
    const r = await runCli(["sync", tt.target, "-n", "--do-delete", "--json"], tt.env);
    assert.equal(r.code, 0, r.stderr);
    const s = lastJson(r.stdout);
    assert.equal(s.planned.remove, 1, JSON.stringify(s));
    assert.deepEqual(await snapshot(tt.target), before);
    const text = await runCli(["sync", tt.target, "-n", "--do-delete"], tt.env);
    assert.match(text.stdout, /^ {2}would remove photos\/\S+/m);
    assert.match(text.stdout, /^would be deleted: 1 files/m);
    // The real run then deletes just that file.
    const real = await runCli(["sync", tt.target, "--do-delete", "--json"], tt.env);
    assert.deepEqual(lastJson(real.stdout).deleted, { deleted: 1, keptChanged: 0 });
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});
