/** indexAlbums() against a scripted album source: what is listed, skipped, removed and warned. */
import assert from "node:assert/strict";
import { MediaIndex } from "../src/index/mod.ts";
import { type AlbumSource, indexAlbums } from "../src/sources/library/albums_index.ts";
import type { Album, MediaItem, SearchRequest } from "../src/google/types.ts";
import { ApiError, AuthError } from "../src/errors.ts";
import type { RunEvent } from "../src/events.ts";

interface Script {
  own: Album[];
  shared: Album[] | Error;
  /** album id -> items, or an error to throw after the first page */
  items: Record<string, MediaItem[] | Error>;
  /** Throws after this many own albums (a listing cut short). */
  ownFailsAfter?: number;
}

class ScriptedSource implements AlbumSource {
  script: Script;
  searches: string[] = [];
  listings: boolean[] = [];
  constructor(script: Script) {
    this.script = script;
  }
  async *iterateAlbums(opts: { shared: boolean }): AsyncGenerator<Album[]> {
    this.listings.push(opts.shared);
    if (opts.shared) {
      if (this.script.shared instanceof Error) throw this.script.shared;
      yield this.script.shared;
      return;
    }
    const cut = this.script.ownFailsAfter;
    if (cut !== undefined) {
      yield this.script.own.slice(0, cut);
      throw new ApiError("Google API albums.list failed: 500 INTERNAL: boom", 500, "INTERNAL");
    }
    // Two pages, to be sure pages are followed.
    yield this.script.own.slice(0, 1);
    yield this.script.own.slice(1);
  }
  async *iterateMediaItems(opts?: { search?: SearchRequest }): AsyncGenerator<MediaItem[]> {
    const id = opts?.search?.albumId ?? "";
    assert.equal(opts?.search?.pageSize, 100);
    this.searches.push(id);
    const items = this.script.items[id] ?? [];
    if (items instanceof Error) {
      yield [];
      throw items;
    }
    yield items.slice(0, 2);
    yield items.slice(2);
  }
}

function item(id: string, time = "2020-05-01T10:00:00Z"): MediaItem {
  return {
    id,
    filename: `${id}.jpg`,
    mimeType: "image/jpeg",
    mediaMetadata: { creationTime: time, width: "10", height: "10" },
  };
}

function alb(id: string, title: string | undefined, count: number): Album {
  const a: Album = { id, mediaItemsCount: String(count) };
  if (title !== undefined) a.title = title;
  return a;
}

async function withIndex(fn: (index: MediaIndex) => Promise<void>): Promise<void> {
  const target = await Deno.makeTempDir({ prefix: "albums_index_" });
  const index = MediaIndex.open(target);
  try {
    await fn(index);
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
}

Deno.test("indexAlbums() lists albums and their items into the index", async (t) => {
  await withIndex(async (index) => {
    index.upsertItems([{
      id: "lib1",
      source: "library",
      originalName: "lib1.jpg",
      mediaType: "photo",
      captureTime: "2020-01-01T00:00:00Z",
      dateSource: "api",
    }]);
    const source = new ScriptedSource({
      own: [alb("A", "Trip", 3), alb("B", undefined, 1), alb("S", "Mine, shared", 1)],
      shared: [alb("S", "Mine, shared", 1), alb("F", "Friends", 2)],
      items: {
        A: [item("lib1"), item("x1"), item("x2")],
        B: [item("x1")],
        S: [item("lib1")],
        F: [item("f1"), item("lib1")],
      },
    });
    const events: RunEvent[] = [];

    await t.step(
      "first run: everything listed, album-only items added with positions",
      async () => {
        const s = await indexAlbums(source, index, { onEvent: (e) => events.push(e) });
        assert.deepEqual(
          { albums: s.albums, shared: s.shared, listed: s.listed, added: s.itemsAdded },
          { albums: 4, shared: 1, listed: 4, added: 3 },
        );
        assert.deepEqual(index.albumItems("A").map((i) => i.id), ["lib1", "x1", "x2"]);
        assert.deepEqual(index.albumItems("F").map((i) => i.id), ["f1", "lib1"]);
        assert.equal(index.getItem("x1")!.source, "album");
        assert.equal(index.getItem("lib1")!.source, "library");
        assert.equal(index.getItem("f1")!.path, "photos/2020/05/f1.jpg");
        // An album the user owns and shares stays an own album.
        assert.equal(index.getAlbum("S")!.shared, false);
        assert.equal(index.getAlbum("F")!.shared, true);
        assert.equal(index.getAlbum("B")!.title, null);
        assert.equal(index.pendingItems().filter((i) => i.source === "album").length, 3);
        assert.ok(events.some((e) => e.type === "item" && e.status === "added" && e.id === "f1"));
      },
    );

    await t.step("unchanged albums are not listed again; changed ones are", async () => {
      source.searches = [];
      let s = await indexAlbums(source, index);
      assert.deepEqual(source.searches, []);
      assert.equal(s.unchanged, 4);
      source.script.own[0] = alb("A", "Trip 2020", 3);
      source.script.shared = [alb("S", "Mine, shared", 1), alb("F", "Friends", 1)];
      source.script.items.F = [item("f1")];
      s = await indexAlbums(source, index);
      assert.deepEqual(source.searches.sort(), ["A", "F"]);
      assert.equal(s.listed, 2);
      source.searches = [];
      await indexAlbums(source, index, { rescan: true });
      assert.deepEqual(source.searches.sort(), ["A", "B", "F", "S"]);
    });

    await t.step("--album and --album-regex limit whose items are listed", async () => {
      source.searches = [];
      await indexAlbums(source, index, { rescan: true, album: "Friends" });
      assert.deepEqual(source.searches, ["F"]);
      source.searches = [];
      await indexAlbums(source, index, { rescan: true, albumRegex: "^trip" });
      assert.deepEqual(source.searches, ["A"]);
      source.searches = [];
      await indexAlbums(source, index, { rescan: true, skipShared: true });
      assert.deepEqual(source.searches.sort(), ["A", "B", "S"]);
      assert.deepEqual(source.listings.slice(-1), [false], "shared albums not even listed");
    });

    await t.step(
      "an album gone from a complete listing is removed; its items are not (that takes every listing)",
      async () => {
        source.script.shared = [alb("S", "Mine, shared", 1)];
        const s = await indexAlbums(source, index);
        assert.equal(s.removed, 1);
        assert.ok(index.getAlbum("F")!.removedAt);
        assert.equal(index.getItem("f1")!.removedAt, null, "f1 was only in F");
        assert.equal(index.getItem("x1")!.removedAt, null);
        assert.deepEqual(s.incomplete, []);
      },
    );

    await t.step("sharedAlbums answering 403 is one warning and removes nothing", async () => {
      source.script.shared = new ApiError(
        "Google API sharedAlbums.list failed: 403 PERMISSION_DENIED: nope",
        403,
        "PERMISSION_DENIED",
      );
      index.upsertAlbum({ id: "F2", title: "Other friends", shared: true });
      const warnings: RunEvent[] = [];
      const s = await indexAlbums(source, index, {
        onEvent: (e) => e.type === "warning" && warnings.push(e),
      });
      assert.equal(s.sharedDenied, true);
      assert.deepEqual(s.incomplete, ["Google refused to list shared albums"]);
      assert.equal(warnings.length, 1);
      assert.equal(index.getAlbum("F2")!.removedAt, null);
      // The same through the client's AuthError for "insufficient authentication scopes".
      source.script.shared = new AuthError(
        "Google API sharedAlbums.list failed: 403 PERMISSION_DENIED: Request had insufficient authentication scopes.",
      );
      assert.equal((await indexAlbums(source, index)).sharedDenied, true);
    });

    await t.step("an own listing that fails marks nothing removed and propagates", async () => {
      source.script.ownFailsAfter = 1;
      await assert.rejects(indexAlbums(source, index), ApiError);
      assert.equal(index.getAlbum("B")!.removedAt, null);
      assert.equal(index.getAlbum("S")!.removedAt, null);
      source.script.ownFailsAfter = undefined;
    });

    await t.step("an album whose items cannot be listed is retried next run", async () => {
      source.script.own[1] = alb("B", undefined, 2);
      source.script.items.B = new ApiError(
        "Google API mediaItems:search failed: 500",
        500,
        "INTERNAL",
      );
      const warnings: string[] = [];
      const s = await indexAlbums(source, index, {
        onEvent: (e) => e.type === "warning" && warnings.push(e.message),
      });
      assert.equal(s.failed, 1);
      assert.match(warnings.join("\n"), /Cannot list the items of album "Untitled"/);
      assert.equal(index.getAlbum("B")!.itemCount, 1, "the old count stays, so B is listed again");
      source.script.items.B = [item("x1"), item("x2")];
      source.searches = [];
      await indexAlbums(source, index);
      assert.deepEqual(source.searches, ["B"]);
      assert.deepEqual(index.albumItems("B").map((i) => i.id), ["x1", "x2"]);
    });

    await t.step("an AuthError while listing items stops the run", async () => {
      source.script.own[1] = alb("B", undefined, 3);
      source.script.items.B = new AuthError("Token revoked");
      await assert.rejects(indexAlbums(source, index), AuthError);
    });
  });
});
