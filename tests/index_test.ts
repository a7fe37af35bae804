import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { addItems, generateAccount } from "./fixtures/generate.ts";
import type { Account, FakeItem } from "./fixtures/account_types.ts";
import { runCli, setupTarget } from "./helpers.ts";
import { MediaIndex } from "../src/index/mod.ts";
import type { MediaRow } from "../src/index/types.ts";
import {
  clashKey,
  dateFolder,
  dateFromFileName,
  dupBaseName,
  withDupNumber,
} from "../src/layout/mod.ts";
import { indexLibrary } from "../src/sources/library/library_index.ts";
import type { MediaItem } from "../src/google/types.ts";

/** What the index must hold for `items` listed in this order: computed from the rules, not the code. */
function expectedRows(items: FakeItem[], start = new Map<string, number>()) {
  const groups = new Map(start);
  return items.map((item) => {
    const date = item.creationTime ? new Date(item.creationTime) : dateFromFileName(item.filename);
    const folder = dateFolder(date, {});
    const base = dupBaseName(item.filename);
    const key = `${folder}\u0000${clashKey(base)}`;
    const n = (groups.get(key) ?? 0) + 1;
    groups.set(key, n);
    return {
      id: item.id,
      name: item.filename,
      path: `${folder}/${withDupNumber(base, n)}`,
      time: item.creationTime,
    };
  });
}

function listedItems(account: Account): FakeItem[] {
  return account.items.filter((i) => i.inLibrary && !i.archived);
}

function rowsById(target: string): Map<string, MediaRow> {
  const index = MediaIndex.open(target);
  try {
    return new Map(index.allItems().map((r) => [r.id, r]));
  } finally {
    index.close();
  }
}

Deno.test("index lists a 5,000-item account with quirks and faults exactly", async (t) => {
  const account = generateAccount({ items: 5000, seed: 7 });
  const fake = await startFakeGoogle({
    account,
    seed: 7,
    quirks: true,
    rate429: 0.05,
    rate5xx: 0.05,
    retryAfterShare: 0.5,
  });
  const tt = await setupTarget(fake);
  try {
    await t.step(
      "first run indexes every listed item with the right name, path and date",
      async () => {
        const res = await runCli(["index", tt.target, "--json"], tt.env);
        assert.equal(res.code, 0, res.stderr);
        const rows = rowsById(tt.target);
        const expected = expectedRows(listedItems(account));
        assert.equal(rows.size, expected.length);
        for (const e of expected) {
          const row = rows.get(e.id);
          assert.ok(row, `missing ${e.id}`);
          assert.equal(row.originalName, e.name);
          assert.equal(row.path, `${e.path}`, `path of ${JSON.stringify(e.name)}`);
          if (e.time) {
            assert.equal(new Date(row.captureTime!).getTime(), new Date(e.time).getTime());
          } else assert.notEqual(row.dateSource, "api");
          assert.ok(row.path.startsWith("photos/"));
        }
        // Items with no date and with future dates are there too: only the plain listing finds them.
        assert.ok(
          expected.some((e) => !e.time),
          "the account has undated items",
        );
        assert.ok(expected.some((e) => e.time && new Date(e.time) > new Date()), "and future ones");
        const summary = JSON.parse(res.stdout.trim().split("\n").at(-1)!);
        assert.equal(summary.type, "summary");
        assert.equal(summary.listed, expected.length);
        assert.ok(summary.apiCalls >= Math.ceil(expected.length / 100));
      },
    );

    await t.step(
      "a re-run after 50 new items (10 back-dated) adds exactly those and renumbers nothing",
      async () => {
        const before = rowsById(tt.target);
        const added = addItems(account, 50, { seed: 99, backdated: 10 });
        const res = await runCli(["index", tt.target], tt.env);
        assert.equal(res.code, 0, res.stderr);
        const after = rowsById(tt.target);
        assert.equal(
          after.size,
          before.size + added.filter((i) => i.inLibrary && !i.archived).length,
        );
        for (const [id, row] of before) assert.equal(after.get(id)?.path, row.path);
        for (const item of listedItems({ items: added, albums: [] })) {
          assert.ok(after.has(item.id), `new item ${item.filename} indexed`);
        }
        const start = new Map<string, number>();
        for (const row of before.values()) {
          const key = `${row.folder}\u0000${clashKey(dupBaseName(row.originalName))}`;
          start.set(key, Math.max(start.get(key) ?? 0, row.dupNo));
        }
        for (const e of expectedRows(listedItems({ items: added, albums: [] }), start)) {
          assert.equal(after.get(e.id)?.path, e.path);
        }
      },
    );

    await t.step(
      "an item gone from Google is marked removed once every listing ran completely, its row kept",
      async () => {
        const inAlbum = new Set(account.albums.flatMap((a) => a.itemIds));
        const gone = account.items.find((i) => i.inLibrary && !i.archived && !inAlbum.has(i.id))!;
        account.items = account.items.filter((i) => i !== gone);
        // The archived search (--archived) and the album listings (sync) are part of the proof.
        const res = await runCli(["sync", tt.target, "--index-only", "--archived"], tt.env);
        assert.equal(res.code, 0, res.stderr);
        const row = rowsById(tt.target).get(gone.id);
        assert.ok(row?.removedAt, "marked removed");
        account.items.unshift(gone);
      },
    );
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("indexLibrary() marks nothing removed, whether its listing is cut short or not", async () => {
  const account = generateAccount({ items: 300, seed: 3, nasty: false });
  const fake = await startFakeGoogle({ account, seed: 3, quirks: false });
  const tt = await setupTarget(fake);
  try {
    assert.equal((await runCli(["index", tt.target], tt.env)).code, 0);
    // Google now lists only the first 100 items, then fails: the rest must not be marked removed.
    const index = MediaIndex.open(tt.target);
    try {
      const firstPage = listedItems(account).slice(0, 100).map((
        i,
      ) => ({ id: i.id, filename: i.filename } as MediaItem));
      const failing = {
        async *iterateMediaItems(): AsyncGenerator<MediaItem[]> {
          yield firstPage;
          throw new Error("503 UNAVAILABLE");
        },
      };
      await assert.rejects(indexLibrary(failing, index), /503/);
      assert.equal(index.removedItems().length, 0);
      // Ctrl-C between pages stops the listing the same way.
      const controller = new AbortController();
      const endless = {
        async *iterateMediaItems(): AsyncGenerator<MediaItem[]> {
          yield firstPage;
          controller.abort(new Error("Interrupted"));
          yield firstPage;
        },
      };
      await assert.rejects(
        indexLibrary(endless, index, { signal: controller.signal }),
        /Interrupted/,
      );
      assert.equal(index.removedItems().length, 0);
      // A complete but shorter listing marks nothing either: that takes every listing of a run
      // (runSync applies the rule).
      const complete = {
        async *iterateMediaItems(): AsyncGenerator<MediaItem[]> {
          yield firstPage;
        },
      };
      const summary = await indexLibrary(complete, index);
      assert.equal(summary.complete, true);
      assert.equal(summary.removed, 0);
      assert.equal(index.removedItems().length, 0);
    } finally {
      index.close();
    }
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("index refuses bad input and a second writer", async (t) => {
  const account = generateAccount({ items: 20, seed: 5, nasty: false });
  const fake = await startFakeGoogle({ account, seed: 5, latencyMs: 0 });
  const tt = await setupTarget(fake);
  try {
    await t.step("a malformed client secret is one line naming every place, exit 2", async () => {
      await Deno.writeTextFile(tt.secretPath, "{not json");
      const res = await runCli(["index", tt.target], tt.env);
      assert.equal(res.code, 2);
      assert.equal(res.stderr.trim().split("\n").length, 1, res.stderr);
      assert.match(res.stderr, /client_secret\.json|secret/i);
      await Deno.writeTextFile(tt.secretPath, fake.clientSecretJson());
    });

    await t.step("a missing client secret names every place looked at, exit 2", async () => {
      const env = { ...tt.env, GPHOTOS_SYNC_CLIENT_SECRET: join(tt.root, "nope.json") };
      const res = await runCli(["index", tt.target], env);
      assert.equal(res.code, 2);
      assert.equal(res.stderr.trim().split("\n").length, 1, res.stderr);
      assert.match(res.stderr, /nope\.json/);
      assert.match(res.stderr, /config/);
    });

    await t.step("a bad date is a usage error", async () => {
      const res = await runCli(["index", tt.target, "--start-date", "2020-13-01"], tt.env);
      assert.equal(res.code, 2);
      assert.match(res.stderr, /--start-date/);
    });

    await t.step("a second run while one holds the lock exits 1 with a clear message", async () => {
      const { acquireLock } = await import("../src/index/mod.ts");
      const lock = await acquireLock(tt.target, "test holder");
      try {
        const res = await runCli(["index", tt.target], tt.env);
        assert.equal(res.code, 1);
        assert.match(res.stderr, /Another gphotos-sync run/);
      } finally {
        lock.release();
      }
      assert.equal((await runCli(["index", tt.target], tt.env)).code, 0);
    });

    await t.step("no token: exit 3 telling to run auth", async () => {
      await Deno.remove(join(tt.target, ".gphotos.token"));
      const res = await runCli(["index", tt.target], tt.env);
      assert.equal(res.code, 3);
      assert.match(res.stderr, /auth/);
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("index explains Google's 2025 policy", async (t) => {
  const account = generateAccount({ items: 30, seed: 11, nasty: false, appCreatedShare: 0 });
  const fake = await startFakeGoogle({ account, seed: 11, mode: "2025" });
  const tt = await setupTarget(fake);
  try {
    await t.step("an empty listing warns and points to takeout and pick", async () => {
      const res = await runCli(["index", tt.target], tt.env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stderr, /2025/);
      assert.match(res.stderr, /takeout/);
      assert.match(res.stderr, /pick/);
    });
    await t.step("a token with a removed scope gets exit 3 and the explanation", async () => {
      const scopes = ["https://www.googleapis.com/auth/photoslibrary.readonly"];
      const token = { refresh_token: fake.issueRefreshToken(scopes), scope: scopes[0] };
      await Deno.writeTextFile(join(tt.target, ".gphotos.token"), JSON.stringify(token), {
        mode: 0o600,
      });
      const res = await runCli(["index", tt.target], tt.env);
      assert.equal(res.code, 3, res.stderr);
      assert.match(res.stderr, /takeout/);
      assert.equal(res.stderr.trim().split("\n").length, 1, res.stderr);
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("auth logs in through the loopback flow and stores a 0600 token", async () => {
  const account = generateAccount({ items: 5, seed: 1, nasty: false });
  const fake = await startFakeGoogle({ account, seed: 1 });
  const tt = await setupTarget(fake, { login: false });
  try {
    const res = await runCli(["auth", tt.target, "--json"], tt.env);
    assert.equal(res.code, 0, res.stderr);
    const info = await Deno.stat(join(tt.target, ".gphotos.token"));
    assert.equal(info.mode! & 0o777, 0o600);
    const token = JSON.parse(await Deno.readTextFile(join(tt.target, ".gphotos.token")));
    assert.ok(token.refresh_token);
    const summary = JSON.parse(res.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(summary.missing, []);
    assert.equal((await runCli(["index", tt.target], tt.env)).code, 0);
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("--do-delete removes files of items gone from Google, only after a complete listing", async (t) => {
  const account = generateAccount({ items: 30, seed: 31, nasty: false, albums: 0 });
  const fake = await startFakeGoogle({ account, seed: 31, quirks: true });
  const tt = await setupTarget(fake);
  try {
    assert.equal((await runCli(["sync", tt.target, "--skip-albums"], tt.env)).code, 0);
    const listed = listedItems(account);
    const [gone, changed] = listed.slice(0, 2);
    const rows = rowsById(tt.target);
    const gonePath = join(tt.target, rows.get(gone.id)!.path);
    const changedPath = join(tt.target, rows.get(changed.id)!.path);
    await Deno.writeTextFile(changedPath, "the user edited this file");
    account.items = account.items.filter((i) => i !== gone && i !== changed);

    await t.step("a filtered listing deletes nothing and says why", async () => {
      const res = await runCli(
        ["index", tt.target, "--start-date", "1990-01-01", "--do-delete"],
        tt.env,
      );
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stderr, /--do-delete ignored/);
      await Deno.stat(gonePath);
    });

    await t.step("without --do-delete a removed item's file stays", async () => {
      // Every listing runs (the archived search with --archived), so the item is marked removed.
      const res = await runCli(["sync", tt.target, "--index-only", "--archived"], tt.env);
      assert.equal(res.code, 0, res.stderr);
      assert.ok(rowsById(tt.target).get(gone.id)?.removedAt);
      await Deno.stat(gonePath);
    });

    await t.step("with it, the file goes; a file the user changed stays", async () => {
      const res = await runCli(["index", tt.target, "--do-delete", "--json"], tt.env);
      assert.equal(res.code, 0, res.stderr);
      await assert.rejects(Deno.stat(gonePath), Deno.errors.NotFound);
      assert.equal(await Deno.readTextFile(changedPath), "the user edited this file");
      const summary = JSON.parse(res.stdout.trim().split("\n").at(-1)!);
      assert.deepEqual(summary.deleted, { deleted: 1, keptChanged: 1 });
      // Every other file is still there (archived items --archived indexed have none yet).
      for (const row of rowsById(tt.target).values()) {
        if (row.id !== gone.id && row.downloadedAt) await Deno.stat(join(tt.target, row.path));
      }
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("the URLs in client_secret.json serve when no variable names the OAuth endpoints", async (t) => {
  const account = generateAccount({ items: 5, seed: 2, nasty: false });
  const fake = await startFakeGoogle({ account, seed: 2 });
  const tt = await setupTarget(fake, { login: false });
  try {
    const env: Record<string, string> = { ...tt.env };
    delete env.GPHOTOS_SYNC_AUTH_URL;
    delete env.GPHOTOS_SYNC_TOKEN_URL;
    await t.step("auth and index use the file's auth_uri and token_uri", async () => {
      assert.equal((await runCli(["auth", tt.target], env)).code, 0);
      const res = await runCli(["index", tt.target], env);
      assert.equal(res.code, 0, res.stderr);
      assert.ok(fake.calls.some((c) => c.kind === "oauth" && c.path === "/token"));
    });
    await t.step("a variable wins over the file", async () => {
      const broken = { ...env, GPHOTOS_SYNC_TOKEN_URL: `${fake.origin}/no-such-token-endpoint` };
      await Deno.remove(join(tt.target, ".gphotos.token"));
      const res = await runCli(["auth", tt.target], broken);
      assert.notEqual(res.code, 0);
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});
