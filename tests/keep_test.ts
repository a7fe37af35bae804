/**
 * The removal rule: an item is gone only when no listing that ran completely returns it (the plain
 * listing, the archived search, every own and shared album); `--do-delete` deletes only those, and
 * `status` says why every other item the plain listing missed is kept.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import type { Account, FakeItem } from "./fixtures/account_types.ts";
import { runCli, setupTarget } from "./helpers.ts";
import { MediaIndex } from "../src/index/mod.ts";
import type { MediaRow } from "../src/index/types.ts";
import type { RunEvent } from "../src/events.ts";
import type { Album, MediaItem, MediaItemResult, SearchRequest } from "../src/google/types.ts";
import { runSync, type RunSyncOptions, type SyncDeps } from "../src/sync/run_sync.ts";

/** A small account: six library items, one own album "Trip", one shared album "Friends". */
function keepAccount(seed: number): { account: Account; items: FakeItem[] } {
  const account = generateAccount({ items: 6, seed, nasty: false, albums: 0 });
  for (const item of account.items) {
    item.archived = false;
    item.favourite = false;
  }
  const items = [...account.items];
  // items[2] is found only inside the shared album, never in the library listing.
  items[2].inLibrary = false;
  account.albums.push(
    { id: "album-trip", title: "Trip", itemIds: [items[0].id], shared: false, appCreated: false },
    {
      id: "album-friends",
      title: "Friends",
      itemIds: [items[1].id, items[2].id],
      shared: true,
      appCreated: false,
    },
  );
  return { account, items };
}

function rows(target: string): Map<string, MediaRow> {
  const index = MediaIndex.open(target);
  try {
    return new Map(index.allItems().map((r) => [r.id, r]));
  } finally {
    index.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

function lastJson(stdout: string) {
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

Deno.test("sync --do-delete keeps every item a listing returns and deletes only what none does", async (t) => {
  const { account, items } = keepAccount(4101);
  const [inOwnAlbum, inSharedAlbum, albumOnly, archived, gone] = items;
  const fake = await startFakeGoogle({ account, seed: 4101, quirks: true });
  const tt = await setupTarget(fake);
  try {
    const first = await runCli(["sync", tt.target], tt.env);
    assert.equal(first.code, 0, first.stderr);
    const before = rows(tt.target);
    const file = (item: FakeItem) => join(tt.target, before.get(item.id)!.path);
    for (const item of items) assert.ok(await exists(file(item)), item.filename);

    // In Google now: one item archived, two removed from the library but still in an own and a
    // shared album, one deleted outright.
    archived.archived = true;
    inOwnAlbum.inLibrary = false;
    inSharedAlbum.inLibrary = false;
    account.items = account.items.filter((i) => i !== gone);

    await t.step("only the item no listing returns loses its file", async () => {
      const res = await runCli(["sync", tt.target, "--do-delete", "--json"], tt.env);
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(lastJson(res.stdout).deleted, { deleted: 1, keptChanged: 0 });
      assert.equal(await exists(file(gone)), false, "the deleted item's file goes");
      for (const item of [inOwnAlbum, inSharedAlbum, albumOnly, archived, items[5]]) {
        assert.ok(await exists(file(item)), `${item.filename} is still in Google and stays`);
      }
      const after = rows(tt.target);
      assert.ok(after.get(gone.id)!.removedAt);
      for (const item of [inOwnAlbum, inSharedAlbum, albumOnly, archived]) {
        assert.equal(after.get(item.id)!.removedAt, null, item.filename);
      }
      assert.equal(after.get(albumOnly.id)!.source, "album");
    });

    await t.step("status says why each item the library listing missed is kept", async () => {
      const text = await runCli(["status", tt.target], tt.env);
      assert.equal(text.code, 0, text.stderr);
      const path = (item: FakeItem) => before.get(item.id)!.path;
      assert.match(text.stdout, /kept, though the library listing did not return them:/);
      assert.ok(text.stdout.includes(`  ${path(archived)}: archived in Google`), text.stdout);
      assert.ok(text.stdout.includes(`  ${path(inOwnAlbum)}: only in album "Trip"`), text.stdout);
      assert.ok(text.stdout.includes(`  ${path(inSharedAlbum)}: only in album "Friends"`));
      assert.ok(text.stdout.includes(`  ${path(albumOnly)}: only in album "Friends"`));
      assert.ok(!text.stdout.includes(`${path(items[5])}:`), "a listed item needs no reason");

      const json = lastJson((await runCli(["status", tt.target, "--json"], tt.env)).stdout);
      const kept = new Map(
        json.keptItems.map((k: { id: string; reason: string }) => [k.id, k.reason]),
      );
      assert.equal(kept.size, 4);
      assert.equal(kept.get(archived.id), "archived in Google");
      assert.equal(kept.get(inOwnAlbum.id), 'only in album "Trip"');
      assert.deepEqual(json.removedItems.map((x: { id: string }) => x.id), [gone.id]);
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

Deno.test("a sync without --do-delete marks no item that an album holds as removed", async (t) => {
  const { account, items } = keepAccount(4102);
  const [inOwnAlbum, , albumOnly, , gone] = items;
  const fake = await startFakeGoogle({ account, seed: 4102, quirks: false });
  const tt = await setupTarget(fake);
  try {
    assert.equal((await runCli(["sync", tt.target], tt.env)).code, 0);
    inOwnAlbum.inLibrary = false;
    account.items = account.items.filter((i) => i !== gone);

    await t.step("a plain sync proves nothing gone: the archived search did not run", async () => {
      const res = await runCli(["sync", tt.target], tt.env);
      assert.equal(res.code, 0, res.stderr);
      const after = rows(tt.target);
      assert.equal(after.get(inOwnAlbum.id)!.removedAt, null);
      assert.equal(after.get(albumOnly.id)!.removedAt, null);
      assert.equal(after.get(gone.id)!.removedAt, null);
      const st = await runCli(["status", tt.target], tt.env);
      assert.match(
        st.stdout,
        /: not returned by any listing; kept because the archived search did not run/,
      );
    });

    await t.step(
      "with every listing run, only the item no listing returns is removed",
      async () => {
        const res = await runCli(["sync", tt.target, "--archived"], tt.env);
        assert.equal(res.code, 0, res.stderr);
        const after = rows(tt.target);
        assert.equal(after.get(inOwnAlbum.id)!.removedAt, null, "still in album Trip");
        assert.equal(after.get(albumOnly.id)!.removedAt, null, "still in album Friends");
        assert.ok(after.get(gone.id)!.removedAt);
        assert.ok(await exists(join(tt.target, after.get(gone.id)!.path)), "its file stays");
      },
    );
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});

function item(n: number): MediaItem {
  return {
    id: `item${n}`,
    filename: `IMG_${n}.jpg`,
    mimeType: "image/jpeg",
    mediaMetadata: { creationTime: `2020-01-0${n}T10:00:00Z` },
  };
}

/** A Library client in process: the library, its archived items, and albums with their items. */
class ScriptedLibrary {
  library: MediaItem[] = [item(1), item(2), item(3)];
  archived: MediaItem[] = [];
  own: Album[] = [{ id: "A", title: "Trip", mediaItemsCount: "1" }];
  shared: Album[] = [{ id: "S", title: "Friends", mediaItemsCount: "1" }];
  albumItems: Record<string, MediaItem[] | Error> = { A: [item(1)], S: [item(2)] };
  async *iterateMediaItems(opts: { search?: SearchRequest } = {}): AsyncIterable<MediaItem[]> {
    const albumId = opts.search?.albumId;
    if (albumId !== undefined) {
      const found = this.albumItems[albumId] ?? [];
      if (found instanceof Error) throw found;
      yield found;
      return;
    }
    const withArchived = opts.search?.filters?.includeArchivedMedia === true;
    yield withArchived ? [...this.library, ...this.archived] : this.library;
  }
  async *iterateAlbums(opts: { shared: boolean }): AsyncIterable<Album[]> {
    yield opts.shared ? this.shared : this.own;
  }
  batchGet(ids: string[]): Promise<MediaItemResult[]> {
    return Promise.resolve(
      ids.map((id) => ({ mediaItem: { id, baseUrl: `https://media.test/${id}` } })),
    );
  }
  media(url: string | URL): Promise<Response> {
    const id = String(url).replace(/^https:\/\/media\.test\//, "").replace(/=dv?$/, "");
    return Promise.resolve(new Response(`bytes of ${id}`));
  }
}

const FULL: RunSyncOptions = {
  listing: {},
  download: { maxThreads: 2 },
  albums: { listing: {}, links: {} },
};

Deno.test("runSync() deletes nothing when a listing it needs was incomplete, and says which", async (t) => {
  const target = await Deno.makeTempDir({ prefix: "gphotos-keep-" });
  const index = MediaIndex.open(target);
  try {
    const lib = new ScriptedLibrary();
    const events: RunEvent[] = [];
    const deps: SyncDeps = {
      target,
      index,
      library: lib,
      http: lib,
      onEvent: (e) => events.push(e),
    };
    await runSync(deps, FULL);
    const goneFile = join(target, index.getItem("item3")!.path);
    assert.ok(await exists(goneFile));
    lib.library = [item(1), item(2)];
    const warnings = () =>
      events.filter((e) => e.type === "warning").map((e) => (e as { message: string }).message)
        .join("\n");

    const cases: [string, RunSyncOptions, RegExp, () => void][] = [
      [
        "an album filter",
        { ...FULL, albums: { listing: { album: "Trip" }, links: { album: "Trip" } } },
        /--do-delete ignored.*albums were filtered by --album "Trip"/,
        () => {},
      ],
      [
        "--album-regex",
        { ...FULL, albums: { listing: { albumRegex: "^T" }, links: {} } },
        /albums were filtered by --album-regex "\^T"/,
        () => {},
      ],
      [
        "--skip-shared-albums",
        { ...FULL, albums: { listing: { skipShared: true }, links: { skipShared: true } } },
        /shared albums were not listed \(--skip-shared-albums\)/,
        () => {},
      ],
      [
        "--skip-albums",
        { ...FULL, albums: false },
        /the album listings did not run/,
        () => {},
      ],
      [
        "a failed album listing",
        FULL,
        /the items of album "Friends" could not be listed/,
        () => {
          lib.albumItems.S = new Error("500 INTERNAL");
        },
      ],
    ];
    for (const [name, options, why, arrange] of cases) {
      await t.step(`${name} deletes nothing and warns`, async () => {
        events.length = 0;
        arrange();
        const r = await runSync(deps, { ...options, doDelete: true });
        assert.equal(r.deleted, undefined);
        assert.match(warnings(), why);
        assert.ok(await exists(goneFile), "the file stays");
        assert.equal(index.getItem("item3")!.removedAt, null, "nothing is marked removed");
      });
    }

    await t.step("with every listing complete the gone item's file goes", async () => {
      lib.albumItems.S = [item(2)];
      events.length = 0;
      const r = await runSync(deps, { ...FULL, doDelete: true });
      assert.deepEqual(r.deleted, { deleted: 1, keptChanged: 0 });
      assert.equal(warnings(), "");
      assert.equal(await exists(goneFile), false);
      assert.ok(index.getItem("item3")!.removedAt);
    });
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("runSync() --do-delete lists every album afresh: an item swapped into an album of the same size stays", async () => {
  const target = await Deno.makeTempDir({ prefix: "gphotos-keep-" });
  const index = MediaIndex.open(target);
  try {
    const lib = new ScriptedLibrary();
    const deps: SyncDeps = { target, index, library: lib, http: lib };
    await runSync(deps, FULL);
    const file = (id: string) => join(target, index.getItem(id)!.path);
    const [file1, file3] = [file("item1"), file("item3")];
    // item1 is deleted in Google; item3 leaves the library but takes item1's place in "Trip",
    // whose title and item count stay the same.
    lib.library = [item(2)];
    lib.albumItems.A = [item(3)];
    const r = await runSync(deps, { ...FULL, doDelete: true });
    assert.deepEqual(r.deleted, { deleted: 1, keptChanged: 0 });
    assert.equal(await exists(file1), false);
    assert.ok(await exists(file3), "item3 is still in album Trip");
    assert.equal(index.getItem("item3")!.removedAt, null);
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
});
