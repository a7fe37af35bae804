import assert from "node:assert/strict";
import { ApiError, AuthError } from "../src/errors.ts";
import { GoogleHttp, type TokenSource } from "../src/google/http.ts";
import { LibraryApi, uniquePages } from "../src/google/library_api.ts";
import { HttpStatusError, NetworkError, Pacer } from "../src/google/pacer.ts";
import type { MediaItem } from "../src/google/types.ts";
import type { Account, FakeAlbum, FakeItem } from "./fixtures/account_types.ts";
import { type FakeGoogle, type FakeGoogleOptions, startFakeGoogle } from "./fake_google/mod.ts";

/** A tiny stand-in server for cases the fake does not make on demand. */
async function withStub(
  handler: (req: Request) => Response | Promise<Response>,
  fn: (origin: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

/** Tokens "t1", "t2"... with a count of refreshes. */
function countingTokens(): TokenSource & { refreshes: number; current: string } {
  const tokens = {
    refreshes: 0,
    current: "t1",
    accessToken: () => Promise.resolve(tokens.current),
    refreshNow: () => {
      tokens.refreshes++;
      tokens.current = `t${tokens.refreshes + 1}`;
      return Promise.resolve(tokens.current);
    },
  };
  return tokens;
}

function quickPacer(): Pacer {
  return new Pacer({ min429WaitS: 0, baseDelayMs: 1, capMs: 5, random: () => 0 });
}

function googleError(code: number, status: string, message: string, headers?: HeadersInit) {
  return Response.json({ error: { code, message, status } }, { status: code, headers });
}

Deno.test("GoogleHttp.json() sends the bearer token and reads Google's errors", async (t) => {
  await t.step("a Google error body becomes an ApiError naming the path", async () => {
    await withStub(
      () => googleError(400, "INVALID_ARGUMENT", "Request contains an invalid argument."),
      async (origin) => {
        const http = new GoogleHttp({ tokens: countingTokens(), pacer: quickPacer() });
        await assert.rejects(
          http.json("GET", `${origin}/v1/mediaItems?pageSize=5`),
          (error: unknown) => {
            assert.ok(error instanceof ApiError);
            assert.equal(
              error.message,
              'Google API "/v1/mediaItems" failed: 400 INVALID_ARGUMENT: Request contains an invalid argument.',
            );
            assert.equal(error.status, 400);
            assert.equal(error.code, "INVALID_ARGUMENT");
            assert.equal(error.exitCode, 1);
            return true;
          },
        );
        assert.equal(http.pacer.tally.apiCalls, 1, "a 400 is not retried");
      },
    );
  });

  await t.step(
    "403 insufficient scopes becomes an AuthError pointing to takeout and pick",
    async () => {
      await withStub(
        () =>
          googleError(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes."),
        async (origin) => {
          const http = new GoogleHttp({ tokens: countingTokens(), pacer: quickPacer() });
          await assert.rejects(http.json("GET", `${origin}/v1/albums`), (error: unknown) => {
            assert.ok(error instanceof AuthError);
            assert.equal(error.exitCode, 3);
            assert.ok(
              error.message.startsWith(
                'Google API "/v1/albums" failed: 403 PERMISSION_DENIED: Request had insufficient authentication scopes.',
              ),
              error.message,
            );
            assert.match(error.message, /2025-03-31/);
            assert.match(error.message, /gphotos-sync takeout/);
            assert.match(error.message, /gphotos-sync pick/);
            return true;
          });
        },
      );
    },
  );

  await t.step("a 401 refreshes the token once and retries with the new one", async () => {
    const seen: string[] = [];
    await withStub((req) => {
      const auth = req.headers.get("authorization") ?? "";
      seen.push(auth);
      return auth === "Bearer t2"
        ? Response.json({ ok: true })
        : googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    }, async (origin) => {
      const tokens = countingTokens();
      const http = new GoogleHttp({ tokens, pacer: quickPacer() });
      assert.deepEqual(await http.json("GET", `${origin}/v1/albums`), { ok: true });
      assert.deepEqual(seen, ["Bearer t1", "Bearer t2"]);
      assert.equal(tokens.refreshes, 1);
      assert.equal(http.pacer.tally.apiCalls, 2);
    });
  });

  await t.step("a second 401 after the refresh is an AuthError, not a loop", async () => {
    let calls = 0;
    await withStub(() => {
      calls++;
      return googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    }, async (origin) => {
      const tokens = countingTokens();
      const http = new GoogleHttp({ tokens, pacer: quickPacer() });
      await assert.rejects(http.json("GET", `${origin}/v1/albums`), (error: unknown) => {
        assert.ok(error instanceof AuthError);
        assert.match(error.message, /401 UNAUTHENTICATED.*gphotos-sync auth/);
        return true;
      });
      assert.equal(tokens.refreshes, 1);
      assert.equal(calls, 2);
    });
  });

  await t.step(
    "429 and 503 are retried, honouring Retry-After, and POST bodies are resent",
    async () => {
      const bodies: string[] = [];
      let calls = 0;
      await withStub(async (req) => {
        bodies.push(await req.text());
        calls++;
        if (calls === 1) {
          return googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded", { "retry-after": "0" });
        }
        if (calls === 2) {
          return googleError(503, "UNAVAILABLE", "The service is currently unavailable.");
        }
        return Response.json({ mediaItems: [] });
      }, async (origin) => {
        const sleeps: number[] = [];
        let now = 0;
        const pacer = new Pacer({
          min429WaitS: 30,
          random: () => 0,
          now: () => now,
          sleep: (ms) => {
            sleeps.push(ms);
            now += ms;
            return Promise.resolve();
          },
        });
        const http = new GoogleHttp({ tokens: countingTokens(), pacer });
        const page = await http.json("POST", `${origin}/v1/mediaItems:search`, { pageSize: 3 });
        assert.deepEqual(page, { mediaItems: [] });
        assert.deepEqual(bodies, Array(3).fill('{"pageSize":3}'));
        assert.deepEqual(sleeps, [30_000, 2000], "a 429 waits 30 s whatever Retry-After says");
        assert.deepEqual(pacer.tally, {
          apiCalls: 3,
          mediaFetches: 0,
          pickerCalls: 0,
          pickerMediaFetches: 0,
          retries: 2,
          tokenCalls: 0,
        });
      });
    },
  );

  await t.step("a body cut short or broken JSON is retried, then reported", async () => {
    let calls = 0;
    await withStub(() => {
      calls++;
      return new Response('{"mediaItems": [', { headers: { "content-type": "application/json" } });
    }, async (origin) => {
      const pacer = new Pacer({ min429WaitS: 0, maxRetries: 2, sleep: () => Promise.resolve() });
      const http = new GoogleHttp({ tokens: countingTokens(), pacer });
      await assert.rejects(http.json("GET", `${origin}/v1/mediaItems`), (error: unknown) => {
        assert.ok(error instanceof NetworkError);
        assert.match(error.message, /not valid JSON.*gave up after 3 tries/);
        return true;
      });
      assert.equal(calls, 3);
    });
  });

  await t.step("a refused connection is a NetworkError after the retries", async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const pacer = new Pacer({ min429WaitS: 0, maxRetries: 1, sleep: () => Promise.resolve() });
    const http = new GoogleHttp({ tokens: countingTokens(), pacer });
    await assert.rejects(
      http.json("GET", `http://127.0.0.1:${port}/v1/albums`),
      (error: unknown) => {
        assert.ok(error instanceof NetworkError);
        assert.equal(error.status, 0);
        assert.match(error.message, /^Google API "\/v1\/albums" failed: /);
        return true;
      },
    );
    assert.equal(pacer.tally.apiCalls, 2);
  });

  await t.step("media() counts media fetches and returns the unread body", async () => {
    let calls = 0;
    await withStub((req) => {
      calls++;
      if (calls === 1) return new Response("busy", { status: 503 });
      return new Response(`bytes for ${req.headers.get("authorization") ?? "nobody"}`);
    }, async (origin) => {
      const http = new GoogleHttp({ tokens: countingTokens(), pacer: quickPacer() });
      const plain = await http.media(`${origin}/lr/abc=d`);
      assert.equal(await plain.text(), "bytes for nobody");
      const bearer = await http.media(`${origin}/lr/abc=d`, { bearer: true });
      assert.equal(await bearer.text(), "bytes for Bearer t1");
      assert.equal(http.pacer.tally.mediaFetches, 2);
      // Only Picker base URLs need the token: that fetch is the Picker's.
      assert.equal(http.pacer.tally.pickerMediaFetches, 1);
      assert.equal(http.pacer.tally.apiCalls, 0);
    });
  });

  await t.step(
    "a media 403 (expired baseUrl) is an HttpStatusError with the HTML gist",
    async () => {
      await withStub(
        () =>
          new Response("<html><body><p><b>403.</b> That's an error.</p></body></html>", {
            status: 403,
          }),
        async (origin) => {
          const http = new GoogleHttp({ tokens: countingTokens(), pacer: quickPacer() });
          await assert.rejects(http.media(`${origin}/lr/abc=d`), (error: unknown) => {
            assert.ok(error instanceof HttpStatusError);
            assert.equal(error.status, 403);
            assert.match(
              error.message,
              /^Media ".*\/lr\/abc=d" failed: 403 PERMISSION_DENIED: 403\. That's an error\./,
            );
            return true;
          });
        },
      );
    },
  );
});

Deno.test("LibraryApi.batchGet() keeps the order of the ids and asks for each once", async (t) => {
  const asked: string[][] = [];
  await withStub((req) => {
    const ids = new URL(req.url).searchParams.getAll("mediaItemIds");
    asked.push(ids);
    return Response.json({
      mediaItemResults: ids.map((id) =>
        id.startsWith("bad")
          ? { status: { code: 3, message: "Invalid media item ID." } }
          : { mediaItem: { id, baseUrl: `https://example.invalid/${id}` } }
      ),
    });
  }, async (origin) => {
    const api = new LibraryApi({
      http: new GoogleHttp({ tokens: countingTokens(), pacer: quickPacer() }),
      baseUrl: `${origin}/`,
    });
    await t.step("results line up with the ids, repeats included", async () => {
      const results = await api.batchGet(["a", "bad1", "b", "a"]);
      assert.deepEqual(asked, [["a", "bad1", "b"]]);
      assert.deepEqual(results.map((r) => r.mediaItem?.id ?? r.status?.code), ["a", 3, "b", "a"]);
    });
    await t.step("more than 50 ids is a RangeError, none asks nothing", async () => {
      const ids = Array.from({ length: 51 }, (_, i) => `id${i}`);
      await assert.rejects(api.batchGet(ids), RangeError);
      assert.deepEqual(await api.batchGet([]), []);
      assert.equal(asked.length, 1);
      assert.equal((await api.batchGet(ids.slice(0, 50))).length, 50);
    });
  });
});

Deno.test("uniquePages() hides Google's pagination quirks", async (t) => {
  const item = (id: string): MediaItem => ({ id });
  async function collect(pages: { items?: string[]; next?: string }[]) {
    const tokens: (string | undefined)[] = [];
    const out: string[][] = [];
    const gen = uniquePages<MediaItem>("/v1/mediaItems", (token) => {
      tokens.push(token);
      const page = pages[tokens.length - 1];
      return Promise.resolve({ items: page.items?.map(item), next: page.next });
    });
    for await (const page of gen) out.push(page.map((i) => i.id));
    return { out, tokens };
  }

  await t.step(
    "short, empty and key-less pages; a repeated first item; a trailing token",
    async () => {
      const { out, tokens } = await collect([
        { items: ["a", "b", "c"], next: "p2" },
        { items: [], next: "p3" },
        { items: ["c", "d"], next: "p4" },
        { next: "p5" },
        { items: ["e"], next: "p6" },
        {},
      ]);
      assert.deepEqual(out, [["a", "b", "c"], ["d"], ["e"]]);
      assert.deepEqual(tokens, [undefined, "p2", "p3", "p4", "p5", "p6"]);
    },
  );

  await t.step("an item seen on any earlier page is never yielded again", async () => {
    const { out } = await collect([
      { items: ["a", "b"], next: "p2" },
      { items: ["c", "a"], next: "p3" },
      { items: ["b", "b", "d"] },
    ]);
    assert.deepEqual(out, [["a", "b"], ["c"], ["d"]]);
  });

  await t.step("a page token sent twice stops the listing with an error", async () => {
    await assert.rejects(
      collect([{ items: ["a"], next: "p2" }, { items: [], next: "p2" }, { items: [] }]),
      (error: unknown) => error instanceof ApiError && /page token "p2" twice/.test(error.message),
    );
  });
});

// ---- against the fake Google ------------------------------------------------------------------

function tinyAccount(): Account {
  const items: FakeItem[] = [];
  for (let i = 0; i < 430; i++) {
    const id = `item-${String(i).padStart(4, "0")}`;
    items.push({
      id,
      filename: `IMG_${i}.jpg`,
      mimeType: "image/jpeg",
      creationTime: new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().replace(
        ".000",
        "",
      ),
      width: 4,
      height: 3,
      favourite: i % 7 === 0,
      archived: i % 50 === 49,
      appCreated: i % 10 === 0,
      inLibrary: i % 40 !== 39,
      bytes: () => new TextEncoder().encode(id),
    });
  }
  const albums: FakeAlbum[] = [];
  for (let a = 0; a < 123; a++) {
    albums.push({
      id: `album-${a}`,
      title: `Album ${a}`,
      itemIds: items.slice(a, a + 150).map((i) => i.id),
      shared: a % 20 === 0,
      appCreated: a % 3 === 0,
    });
  }
  return { items, albums };
}

async function withFakeApi(
  options: Partial<FakeGoogleOptions>,
  fn: (fake: FakeGoogle, api: LibraryApi, pacer: Pacer) => Promise<void>,
  scopes?: string[],
): Promise<void> {
  const fake = await startFakeGoogle({ account: tinyAccount(), ...options });
  try {
    const token = fake.issueAccessToken(scopes);
    const tokens: TokenSource = {
      accessToken: () => Promise.resolve(token),
      refreshNow: () => Promise.reject(new Error("no refresh expected")),
    };
    let now = Date.now();
    const pacer = new Pacer({
      min429WaitS: 30,
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    });
    const api = new LibraryApi({
      http: new GoogleHttp({ tokens, pacer }),
      baseUrl: fake.libraryUrl,
    });
    await fn(fake, api, pacer);
  } finally {
    await fake.close();
  }
}

async function collectIds<T extends { id: string }>(pages: AsyncIterable<T[]>): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of pages) {
    assert.ok(page.length > 0, "empty pages are not yielded");
    ids.push(...page.map((i) => i.id));
  }
  return ids;
}

Deno.test("LibraryApi listings yield each item once against the fake's quirks", async (t) => {
  const account = tinyAccount();
  const library = account.items.filter((i) => i.inLibrary && !i.archived).map((i) => i.id);

  await t.step(
    "across seeds the raw listing had empty pages, short pages and repeats",
    async () => {
      const totals = { empty: 0, short: 0, repeat: 0 };
      for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
        await withFakeApi({ seed }, async (_fake, api) => {
          let token: string | undefined;
          let last: string | undefined;
          do {
            const page = await api.listMediaItems(25, token);
            const items = page.mediaItems ?? [];
            if (items.length === 0 && page.nextPageToken) totals.empty++;
            if (items.length > 0 && items.length < 25 && page.nextPageToken) totals.short++;
            if (items.length > 0 && items[0].id === last) totals.repeat++;
            if (items.length > 0) last = items[items.length - 1].id;
            token = page.nextPageToken;
          } while (token);
          const ids = await collectIds(api.iterateMediaItems());
          assert.deepEqual(ids, library, `seed ${seed}`);
        });
      }
      assert.ok(totals.empty > 0 && totals.short > 0 && totals.repeat > 0, JSON.stringify(totals));
    },
  );

  await t.step("album contents through search, in album order", async () => {
    await withFakeApi({ seed: 4 }, async (_fake, api) => {
      const album = account.albums[5];
      const ids = await collectIds(api.iterateMediaItems({ search: { albumId: album.id } }));
      assert.deepEqual(ids, album.itemIds);
    });
  });

  await t.step("albums and shared albums, 50 a page", async () => {
    await withFakeApi({ seed: 5 }, async (fake, api) => {
      const own = await collectIds(api.iterateAlbums({ shared: false }));
      const shared = await collectIds(api.iterateAlbums({ shared: true }));
      assert.deepEqual(own, account.albums.filter((a) => !a.shared).map((a) => a.id));
      assert.deepEqual(shared, account.albums.filter((a) => a.shared).map((a) => a.id));
      const sizes = fake.calls.filter((c) => c.path.endsWith("lbums")).map((c) =>
        new URLSearchParams(c.query).get("pageSize")
      );
      assert.ok(sizes.length > 3);
      assert.ok(sizes.every((s) => s === "50"), sizes.join());
    });
  });

  await t.step(
    "429s and 5xx on the way change nothing, and the tally matches the server",
    async () => {
      await withFakeApi(
        { seed: 6, rate429: 0.3, retryAfterShare: 0.5, retryAfterValue: "2", rate5xx: 0.2 },
        async (fake, api, pacer) => {
          const ids = await collectIds(api.iterateMediaItems());
          assert.deepEqual(ids, library);
          const albums = await collectIds(api.iterateAlbums({ shared: false }));
          assert.deepEqual(albums, account.albums.filter((a) => !a.shared).map((a) => a.id));
          const statuses = fake.calls.map((c) => c.status);
          assert.ok(statuses.includes(429) && statuses.some((s) => s >= 500), statuses.join());
          assert.equal(pacer.tally.apiCalls, fake.counters().api);
          assert.equal(pacer.tally.retries, statuses.filter((s) => s !== 200).length);
        },
      );
    },
  );
});

Deno.test("LibraryApi single calls against the fake", async (t) => {
  await withFakeApi({}, async (_fake, api) => {
    await t.step("getMediaItem() and getAlbum()", async () => {
      const item = await api.getMediaItem("item-0003");
      assert.equal(item.filename, "IMG_3.jpg");
      assert.equal(item.mediaMetadata?.width, "4");
      const album = await api.getAlbum("album-1");
      assert.equal(album.title, "Album 1");
      assert.equal(album.mediaItemsCount, "150");
      await assert.rejects(
        api.getMediaItem("nope"),
        (error: unknown) =>
          error instanceof ApiError && error.status === 404 && error.code === "NOT_FOUND",
      );
    });

    await t.step("batchGet() of 50 with unknown and repeated ids", async () => {
      const ids = Array.from({ length: 48 }, (_, i) => `item-${String(i * 3).padStart(4, "0")}`);
      ids.push("unknown-id", ids[0]);
      const results = await api.batchGet(ids);
      assert.equal(results.length, 50);
      assert.deepEqual(results.slice(0, 48).map((r) => r.mediaItem?.id), ids.slice(0, 48));
      assert.equal(results[48].status?.code, 3);
      assert.equal(results[49].mediaItem?.id, ids[0]);
      assert.match(results[0].mediaItem?.baseUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+\/media\//);
    });

    await t.step("a bad request is an ApiError with Google's words", async () => {
      await assert.rejects(
        api.searchMediaItems({ albumId: "album-1", filters: { includeArchivedMedia: true } }),
        (error: unknown) =>
          error instanceof ApiError && error.status === 400 &&
          error.message.startsWith(
            'Google API "/v1/mediaItems:search" failed: 400 INVALID_ARGUMENT: ',
          ),
      );
    });
  });
});

Deno.test("LibraryApi in the fake's 2025 mode", async (t) => {
  const account = tinyAccount();

  await t.step("the tool's scope lists only app-created items", async () => {
    await withFakeApi({ mode: "2025" }, async (_fake, api) => {
      const ids = await collectIds(api.iterateMediaItems());
      const expected = account.items.filter((i) => i.inLibrary && !i.archived && i.appCreated);
      assert.deepEqual(ids, expected.map((i) => i.id));
    });
  });

  await t.step("shared albums are an AuthError explaining the change", async () => {
    await withFakeApi({ mode: "2025" }, async (_fake, api) => {
      await assert.rejects(collectIds(api.iterateAlbums({ shared: true })), (error: unknown) => {
        assert.ok(error instanceof AuthError);
        assert.equal(error.exitCode, 3);
        assert.match(
          error.message,
          /^Google API "\/v1\/sharedAlbums" failed: 403 PERMISSION_DENIED: /,
        );
        return true;
      });
    });
  });

  await t.step("an old full-library scope gets the explained AuthError", async () => {
    await withFakeApi(
      { mode: "2025" },
      async (_fake, api, pacer) => {
        await assert.rejects(api.listMediaItems(), (error: unknown) => {
          assert.ok(error instanceof AuthError);
          assert.equal(error.exitCode, 3);
          assert.ok(
            error.message.startsWith(
              'Google API "/v1/mediaItems" failed: 403 PERMISSION_DENIED: ' +
                "Request had insufficient authentication scopes.",
            ),
            error.message,
          );
          assert.match(error.message, /since 2025-03-31 Google serves only items this app created/);
          assert.match(error.message, /gphotos-sync takeout/);
          assert.match(error.message, /gphotos-sync pick/);
          return true;
        });
        assert.equal(pacer.tally.retries, 0);
      },
      ["https://www.googleapis.com/auth/photoslibrary.readonly"],
    );
  });
});
