import assert from "node:assert/strict";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { runCli, setupTarget } from "./helpers.ts";

/** Pages a listing of `n` entries takes at `size` a page (an empty listing is one page). */
function pages(n: number, size: number): number {
  return Math.max(1, Math.ceil(n / size));
}

Deno.test("a fresh sync makes only listing calls: list, album lists, album searches, no batchGet", async () => {
  const account = generateAccount({ items: 260, seed: 13, albums: 7 });
  // Without quirks every listing has the pages its length says, so the floor is exact.
  const fake = await startFakeGoogle({ account, seed: 13, quirks: false });
  const tt = await setupTarget(fake);
  try {
    const albumOnly = account.items.filter((i) => !i.inLibrary);
    assert.ok(albumOnly.length > 0, "the account has items found only in albums");
    const res = await runCli(["sync", tt.target, "--json"], tt.env);
    assert.equal(res.code, 0, res.stderr);

    const api = fake.calls.filter((c) => c.kind === "api");
    const count = (method: string, path: string) =>
      api.filter((c) => c.method === method && c.path === path).length;
    const listed = account.items.filter((i) => i.inLibrary && !i.archived).length;
    const own = account.albums.filter((a) => !a.shared);
    const shared = account.albums.filter((a) => a.shared);
    const searchPages = account.albums.reduce((n, a) => n + pages(a.itemIds.length, 100), 0);

    assert.equal(count("GET", "/v1/mediaItems:batchGet"), 0, "album search URLs are used");
    assert.equal(count("GET", "/v1/mediaItems"), pages(listed, 100));
    assert.equal(count("GET", "/v1/albums"), pages(own.length, 50));
    assert.equal(count("GET", "/v1/sharedAlbums"), pages(shared.length, 50));
    assert.equal(count("POST", "/v1/mediaItems:search"), searchPages);
    assert.equal(
      api.length,
      pages(listed, 100) + pages(own.length, 50) + pages(shared.length, 50) + searchPages,
      api.map((c) => `${c.method} ${c.path}`).join("\n"),
    );
    // And the album-only items did land.
    const summary = JSON.parse(res.stdout.trim().split("\n").at(-1)!);
    assert.equal(summary.apiCalls, api.length);
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});
