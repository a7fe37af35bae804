import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunEvent } from "../src/events.ts";
import type { Album, MediaItem, MediaItemResult, SearchRequest } from "../src/google/types.ts";
import { MediaIndex, settleListings } from "../src/index/mod.ts";
import { runSync, type RunSyncOptions, type SyncDeps } from "../src/sync/run_sync.ts";

function item(n: number): MediaItem {
  return {
    id: `item${n}`,
    filename: `IMG_${n}.jpg`,
    mimeType: "image/jpeg",
    baseUrl: `https://media.test/item${n}`,
    mediaMetadata: { creationTime: `2020-01-0${n}T10:00:00Z` },
  };
}

/** A Library client and a media fetcher, in process: the listing is `pages`, then `fail` if set. */
class FakeLibrary {
  pages: MediaItem[][] = [];
  fail: Error | undefined;
  searches = 0;
  async *iterateMediaItems(opts: { search?: SearchRequest } = {}): AsyncIterable<MediaItem[]> {
    if (opts.search) this.searches++;
    for (const page of this.pages) yield page;
    if (this.fail) throw this.fail;
  }
  // deno-lint-ignore require-yield
  async *iterateAlbums(_opts: { shared: boolean }): AsyncIterable<Album[]> {
    return;
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

async function withTarget(fn: (target: string, index: MediaIndex) => Promise<void>): Promise<void> {
  const target = await Deno.makeTempDir({ prefix: "gphotos-run-sync-" });
  const index = MediaIndex.open(target);
  try {
    await fn(target, index);
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
}

function deps(target: string, index: MediaIndex, lib: FakeLibrary, events: RunEvent[]): SyncDeps {
  return { target, index, library: lib, http: lib, onEvent: (e) => events.push(e) };
}

/** Every listing (library, albums), no downloads: what the removal rule needs. */
const LIST_ONLY: RunSyncOptions = {
  listing: {},
  download: false,
  albums: { listing: {}, links: {} },
};
const DOWNLOAD: RunSyncOptions = { listing: {}, download: { maxThreads: 2 }, albums: false };

Deno.test("runSync() deletes files only after complete, unfiltered, non-empty listings", async (t) => {
  await withTarget(async (target, index) => {
    const lib = new FakeLibrary();
    lib.pages = [[item(1), item(2)]];
    const events: RunEvent[] = [];
    await runSync(deps(target, index, lib, events), DOWNLOAD);
    const gone = index.getItem("item2")!;
    const file = join(target, gone.path);
    await Deno.stat(file);
    const warnings = () => events.filter((e) => e.type === "warning").map((e) => e.message);
    // Google no longer lists item2: without --do-delete it is marked removed once every listing,
    // the archived search (--archived) included, ran completely.
    lib.pages = [[item(1)]];
    await runSync(deps(target, index, lib, events), LIST_ONLY);
    assert.equal(index.getItem("item2")!.removedAt, null, "the archived search did not run");
    await runSync(deps(target, index, lib, events), { ...LIST_ONLY, listing: { archived: true } });
    assert.ok(index.getItem("item2")!.removedAt);
    await Deno.stat(file);

    await t.step("a listing cut short throws and deletes nothing", async () => {
      lib.fail = new Error("listing broke");
      await assert.rejects(
        runSync(deps(target, index, lib, events), { ...LIST_ONLY, doDelete: true }),
        /listing broke/,
      );
      lib.fail = undefined;
      await Deno.stat(file);
    });

    await t.step("a filtered listing warns and deletes nothing", async () => {
      events.length = 0;
      const r = await runSync(deps(target, index, lib, events), {
        ...LIST_ONLY,
        listing: { startDate: "2020-01-01" },
        doDelete: true,
      });
      assert.equal(r.deleted, undefined);
      assert.match(warnings().join("\n"), /--do-delete ignored/);
      await Deno.stat(file);
    });

    await t.step("a complete listing deletes the removed item's file", async () => {
      events.length = 0;
      const r = await runSync(deps(target, index, lib, events), { ...LIST_ONLY, doDelete: true });
      assert.deepEqual(r.deleted, { deleted: 1, keptChanged: 0 });
      assert.deepEqual(warnings(), []);
      await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
      await Deno.stat(join(target, index.getItem("item1")!.path));
    });

    await t.step("an empty listing warns and deletes nothing", async () => {
      // item1 is removed by hand, so only the rule stands between its file and deletion.
      const kept = join(target, index.getItem("item1")!.path);
      settleListings(index, { since: "9999-01-01T00:00:00Z", incomplete: [] });
      lib.pages = [];
      events.length = 0;
      const r = await runSync(deps(target, index, lib, events), { ...LIST_ONLY, doDelete: true });
      assert.equal(r.indexed?.emptyListing, true);
      assert.equal(r.deleted, undefined);
      assert.match(warnings().join("\n"), /--do-delete ignored/);
      await Deno.stat(kept);
    });
  });
});

Deno.test("runSync() lets what the listing queued land when the listing then fails", async () => {
  await withTarget(async (target, index) => {
    const lib = new FakeLibrary();
    lib.pages = [[item(1), item(2)], [item(3)]];
    lib.fail = new Error("page 3 refused");
    const events: RunEvent[] = [];
    await assert.rejects(runSync(deps(target, index, lib, events), DOWNLOAD), /page 3 refused/);
    for (const id of ["item1", "item2", "item3"]) {
      const row = index.getItem(id)!;
      assert.ok(row.downloadedAt, `${id} downloaded`);
      assert.equal(await Deno.readTextFile(join(target, row.path)), `bytes of ${id}`);
    }
    const phases = events.filter((e) => e.type === "phase").map((e) => e.phase);
    assert.deepEqual(phases, ["download", "index"]);
  });
});
