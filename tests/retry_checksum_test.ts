import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../src/files/hash.ts";
import { MediaIndex } from "../src/index/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { runCli, setupTarget } from "./helpers.ts";

Deno.test("--retry-download --checksum fetches again a file whose SHA-256 differs", async (t) => {
  const account = generateAccount({ items: 6, seed: 31, albums: 0, nasty: false });
  for (const i of account.items) i.videoStatus = undefined;
  const fake = await startFakeGoogle({ account, seed: 31 });
  const tt = await setupTarget(fake);
  try {
    assert.equal((await runCli([tt.target, "--skip-albums"], tt.env)).code, 0);
    const index = MediaIndex.openReadOnly(tt.target);
    const row = index.downloadedItems()[0];
    index.close();
    const file = join(tt.target, row.path);
    const bytes = await Deno.readFile(file);
    // Same size, one byte flipped: only a hash can tell.
    bytes[bytes.length - 1] ^= 0xff;
    await Deno.writeFile(file, bytes);

    await t.step("status --verify says the content differs", async () => {
      const r = await runCli(["status", tt.target, "--verify"], tt.env);
      assert.equal(r.code, 4);
      assert.ok(r.stdout.includes(`changed ${row.path}: content differs (SHA-256)`), r.stdout);
      assert.match(r.stdout, /--retry-download --checksum/);
      const j = await runCli(["status", tt.target, "--verify", "--json"], tt.env);
      const item = j.stdout.trim().split("\n").map((l) => JSON.parse(l))
        .find((e) => e.type === "item" && e.id === row.id);
      assert.equal(item.reason, "content differs (SHA-256)");
    });

    await t.step("--checksum alone is a usage mistake", async () => {
      const r = await runCli(["download", tt.target, "--checksum"], tt.env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: "--checksum" needs "--retry-download"/);
    });

    await t.step("--retry-download alone trusts the size; with --checksum it repairs", async () => {
      const bySize = await runCli(["download", tt.target, "--retry-download", "--json"], tt.env);
      assert.equal(bySize.code, 0, bySize.stderr);
      assert.notEqual(await sha256Hex(await Deno.readFile(file)), row.sha256);
      const plan = await runCli(
        ["download", tt.target, "--retry-download", "--checksum", "-n", "--json"],
        tt.env,
      );
      const planned = JSON.parse(plan.stdout.trim().split("\n").at(-1)!);
      assert.deepEqual(planned.items.map((i: { id: string }) => i.id), [row.id]);
      const r = await runCli(
        ["download", tt.target, "--retry-download", "--checksum", "--json"],
        tt.env,
      );
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
      assert.equal(s.rechecked, 1);
      assert.equal(s.downloaded, 1);
      assert.equal(await sha256Hex(await Deno.readFile(file)), row.sha256);
      const v = await runCli(["status", tt.target, "--verify"], tt.env);
      assert.equal(v.code, 0, v.stdout);
    });

    await t.step("sync takes --retry-download --checksum too", async () => {
      const again = await Deno.readFile(file);
      again[0] ^= 0xff;
      await Deno.writeFile(file, again);
      const r = await runCli(
        [tt.target, "--skip-albums", "--retry-download", "--checksum", "--json"],
        tt.env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await sha256Hex(await Deno.readFile(file)), row.sha256);
    });
  } finally {
    await fake.close();
    await tt.cleanup();
  }
});
