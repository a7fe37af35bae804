import assert from "node:assert/strict";
import type { MediaItem, MediaItemResult } from "../src/google/types.ts";
import { MediaIndex } from "../src/index/mod.ts";
import type { MediaRow } from "../src/index/types.ts";
import { DownloadEngine, type MediaFetcher } from "../src/sync/download_engine.ts";
import { LibraryUrlSource } from "../src/sources/library/media_urls.ts";
import { ItemUnavailableError } from "../src/sources/media_url.ts";

function row(id: string): MediaRow {
  return { id, mediaType: "photo", path: `photos/2020/01/${id}.jpg` } as MediaRow;
}

/** A batchGet that records its calls; ids starting with "bad" are unknown to it. */
function stubApi(delayMs = 0) {
  const calls: string[][] = [];
  let version = 0;
  return {
    calls,
    bump() {
      version++;
    },
    async batchGet(ids: string[]): Promise<MediaItemResult[]> {
      calls.push(ids);
      assert.ok(ids.length <= 50, "at most 50 ids a call");
      assert.equal(new Set(ids).size, ids.length, "no duplicate ids");
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return ids.map((id) =>
        id.startsWith("bad") ? { status: { code: 3, message: "Invalid media item ID." } } : {
          mediaItem: {
            id,
            baseUrl: `https://lh3.example/${id}/v${version}`,
            mediaMetadata: id.startsWith("vid") ? { video: { status: "PROCESSING" } } : {},
          } as MediaItem,
        }
      );
    },
  };
}

Deno.test("LibraryUrlSource batches lookups, 50 ids a call", async (t) => {
  await t.step("concurrent lookups share calls; hints fill them", async () => {
    const api = stubApi();
    const urls = new LibraryUrlSource({ api });
    const ids = Array.from({ length: 120 }, (_, i) => `id${i}`);
    urls.hint(ids);
    const got = await Promise.all(ids.slice(0, 70).map((id) => urls.urlFor(row(id))));
    assert.deepEqual(
      got.map((u) => u.baseUrl),
      ids.slice(0, 70).map((id) => `https://lh3.example/${id}/v0`),
    );
    assert.equal(api.calls.length, 2);
    assert.ok(api.calls.every((c) => c.length === 50));
    // The hinted rest of the second call is cached: 80..119 need one more call.
    await Promise.all(ids.slice(70).map((id) => urls.urlFor(row(id))));
    assert.equal(api.calls.length, 3);
    assert.equal(api.calls.flat().length, new Set(api.calls.flat()).size);
  });

  await t.step("sequential lookups are served from stock fetched ahead, 50 at a time", async () => {
    const api = stubApi(30);
    const urls = new LibraryUrlSource({ api });
    const ids = Array.from({ length: 200 }, (_, i) => `seq${i}`);
    urls.hint(ids);
    let waits = 0;
    for (const id of ids) {
      // A lookup served from stock settles before any timer; one waiting for Google's 30 ms does
      // not (telling them apart by the clock would fail on a loaded machine).
      let settled = false;
      const lookup = urls.urlFor(row(id)).then(() => settled = true);
      await new Promise((r) => setTimeout(r, 0));
      if (!settled) waits++;
      await lookup;
      // A transfer takes a while; the stock is refilled meanwhile.
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(waits, 1, "only the very first lookup waited for Google");
    assert.equal(api.calls.length, 4);
    assert.ok(api.calls.every((c) => c.length === 50));
  });

  await t.step("an invalid id fails alone", async () => {
    const api = stubApi();
    const urls = new LibraryUrlSource({ api });
    const [good, bad] = await Promise.allSettled([
      urls.urlFor(row("ok1")),
      urls.urlFor(row("bad1")),
    ]);
    assert.equal(api.calls.length, 1);
    assert.equal(good.status, "fulfilled");
    assert.equal(bad.status, "rejected");
    assert.ok((bad as PromiseRejectedResult).reason instanceof ItemUnavailableError);
    assert.match((bad as PromiseRejectedResult).reason.message, /Invalid media item ID/);
  });

  await t.step(
    "seeded URLs are used until old or invalidated; video status comes along",
    async () => {
      const api = stubApi();
      let now = 1_000_000;
      const urls = new LibraryUrlSource({ api, now: () => now, maxAgeMs: 50 * 60_000 });
      urls.seed([{ id: "a", baseUrl: "https://seeded/a" }, { id: "vid1", baseUrl: "https://s/v" }]);
      assert.equal((await urls.urlFor(row("a"))).baseUrl, "https://seeded/a");
      assert.equal(api.calls.length, 0);
      now += 49 * 60_000;
      assert.equal((await urls.urlFor(row("a"))).baseUrl, "https://seeded/a");
      now += 2 * 60_000;
      assert.equal((await urls.urlFor(row("a"))).baseUrl, "https://lh3.example/a/v0");
      api.bump();
      urls.invalidate("a");
      assert.equal((await urls.urlFor(row("a"))).baseUrl, "https://lh3.example/a/v1");
      urls.invalidate("vid1");
      assert.equal((await urls.urlFor(row("vid1"))).videoStatus, "PROCESSING");
      assert.equal(api.calls.length, 3);
    },
  );

  await t.step("a failing batchGet rejects every waiting lookup", async () => {
    const urls = new LibraryUrlSource({
      api: { batchGet: () => Promise.reject(new Error("boom")) },
    });
    const all = await Promise.allSettled([urls.urlFor(row("x")), urls.urlFor(row("y"))]);
    assert.ok(all.every((r) => r.status === "rejected" && /boom/.test(String(r.reason))));
  });
});

Deno.test("DownloadEngine never runs more transfers than maxThreads", async () => {
  const target = await Deno.makeTempDir();
  const index = MediaIndex.open(target);
  try {
    const records = Array.from({ length: 40 }, (_, i) => ({
      id: `item${i}`,
      source: "library" as const,
      originalName: `p${i}.jpg`,
      mimeType: "image/jpeg",
      mediaType: "photo" as const,
      captureTime: "2020-01-02T03:04:05Z",
      dateSource: "api" as const,
    }));
    index.upsertItems(records);
    let open = 0;
    let peak = 0;
    const http: MediaFetcher = {
      media() {
        open++;
        peak = Math.max(peak, open);
        let sent = false;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            await new Promise((r) => setTimeout(r, 5));
            if (sent) {
              open--;
              controller.close();
            } else {
              sent = true;
              controller.enqueue(new Uint8Array([1, 2, 3]));
            }
          },
        });
        return Promise.resolve(new Response(body, { headers: { "content-length": "3" } }));
      },
    };
    const urls = {
      needsBearer: false,
      urlFor: (r: MediaRow) => Promise.resolve({ baseUrl: `https://x/${r.id}` }),
      invalidate() {},
    };
    const engine = new DownloadEngine({ target, index, http, urls, maxThreads: 5 });
    // Fed in pieces, as `sync` does while the index fills.
    const rows = index.pendingItems();
    engine.add(rows.slice(0, 10));
    await new Promise((r) => setTimeout(r, 20));
    engine.add(rows.slice(5));
    const summary = await engine.finish();
    assert.equal(summary.downloaded, 40);
    assert.equal(summary.total, 40);
    assert.equal(peak, 5);
    assert.equal(index.pendingItems().length, 0);
    assert.throws(() => engine.add(rows), TypeError);
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
});
