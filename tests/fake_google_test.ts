import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import exifr from "exifr";
import type { Account, FakeAlbum, FakeItem } from "./fixtures/account_types.ts";
import { SCOPES } from "../src/google/types.ts";
import { type FakeGoogle, type FakeGoogleOptions, startFakeGoogle } from "./fake_google/mod.ts";
import { thumbnailJpeg } from "./fake_google/_media.ts";

const UNAUTHENTICATED_MESSAGE =
  "Request had invalid authentication credentials. Expected OAuth 2 " +
  "access token, login cookie or other valid authentication credential. See " +
  "https://developers.google.com/identity/sign-in/web/devconsole-project.";
const SCOPES_MESSAGE = "Request had insufficient authentication scopes.";

// ---- accounts built by hand ----------------------------------------------------------------------

function bytesFor(seed: number, size: number, head: number[] = []): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  out.set(head);
  return out;
}

function photo(n: number, extra: Partial<FakeItem> = {}): FakeItem {
  return {
    id: `ph${n}`,
    filename: `IMG_${n}.jpg`,
    mimeType: "image/jpeg",
    creationTime: `2020-01-${String((n % 28) + 1).padStart(2, "0")}T10:00:${
      String(n % 60).padStart(2, "0")
    }Z`,
    width: 4000,
    height: 3000,
    favourite: false,
    archived: false,
    appCreated: false,
    inLibrary: true,
    bytes: () => bytesFor(n, 3000 + n),
    ...extra,
  };
}

function video(n: number, extra: Partial<FakeItem> = {}): FakeItem {
  return photo(n, {
    id: `vd${n}`,
    filename: `VID_${n}.mp4`,
    mimeType: "video/mp4",
    videoStatus: "READY",
    bytes: () => bytesFor(n, 5000, [0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70]),
    ...extra,
  });
}

function album(id: string, itemIds: string[], extra: Partial<FakeAlbum> = {}): FakeAlbum {
  return { id, title: `Album ${id}`, itemIds, shared: false, appCreated: false, ...extra };
}

function library(count: number): Account {
  return { items: Array.from({ length: count }, (_, i) => photo(i)), albums: [] };
}

async function withFake(
  options: FakeGoogleOptions,
  fn: (fake: FakeGoogle, token: string) => Promise<void>,
): Promise<void> {
  const fake = await startFakeGoogle(options);
  try {
    await fn(fake, fake.issueAccessToken());
  } finally {
    await fake.close();
  }
}

interface Answer {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  json: any;
  text: string;
}

async function call(
  fake: FakeGoogle,
  path: string,
  token: string | undefined,
  init: { method?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers = new Headers();
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(`${fake.origin}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Every page of a listing, following tokens; `fetchPage` gets the token (or undefined). */
async function allPages(
  fetchPage: (token: string | undefined) => Promise<Answer>,
  key: string,
): Promise<{ pages: string[][]; final: Answer }> {
  const pages: string[][] = [];
  let token: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const res = await fetchPage(token);
    assert.equal(res.status, 200, res.text);
    pages.push((res.json[key] ?? []).map((x: { id: string }) => x.id));
    token = res.json.nextPageToken;
    if (!token) return { pages, final: res };
  }
  throw new Error("Listing never ended");
}

/** Drops the first id of a page when it repeats the last id seen (the rclone remedy). */
function dedupe(pages: string[][]): string[] {
  const out: string[] = [];
  for (const page of pages) {
    for (const [i, id] of page.entries()) {
      if (i === 0 && out.length > 0 && out[out.length - 1] === id) continue;
      out.push(id);
    }
  }
  return out;
}

// ---- OAuth ---------------------------------------------------------------------------------------

function pkce(): { verifier: string; challenge: string } {
  const verifier = "v".repeat(20) + crypto.randomUUID().replaceAll("-", "");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

async function authorize(
  fake: FakeGoogle,
  params: Record<string, string>,
): Promise<Response> {
  const url = new URL(fake.authUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return await fetch(url, { redirect: "manual" });
}

async function tokenCall(fake: FakeGoogle, form: Record<string, string>): Promise<Answer> {
  const res = await fetch(fake.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: JSON.parse(text), text };
}

Deno.test("fake OAuth runs the loopback + PKCE flow like Google", async (t) => {
  await withFake({ account: library(3) }, async (fake) => {
    const redirect = "http://127.0.0.1:53682/callback";
    const scope = `${SCOPES.library} ${SCOPES.picker}`;
    const base = {
      client_id: fake.clientId,
      redirect_uri: redirect,
      response_type: "code",
      scope,
      state: "st4te",
      code_challenge_method: "S256",
      access_type: "offline",
      prompt: "consent",
    };
    let first: { code: string; verifier: string; refresh: string; access: string } | undefined;

    await t.step("consent redirects to the loopback with code, state and scope", async () => {
      const { verifier, challenge } = pkce();
      const res = await authorize(fake, { ...base, code_challenge: challenge });
      assert.equal(res.status, 302);
      const loc = new URL(res.headers.get("location")!);
      assert.equal(`${loc.origin}${loc.pathname}`, redirect);
      assert.equal(loc.searchParams.get("state"), "st4te");
      assert.equal(loc.searchParams.get("scope"), scope);
      const code = loc.searchParams.get("code")!;
      const ok = await tokenCall(fake, {
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: fake.clientId,
        client_secret: fake.clientSecretValue,
        redirect_uri: redirect,
      });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.token_type, "Bearer");
      assert.equal(ok.json.scope, scope);
      assert.equal(ok.json.expires_in, 3599);
      assert.match(ok.json.refresh_token, /^1\/\//);
      const list = await call(fake, "/v1/mediaItems", ok.json.access_token);
      assert.equal(list.status, 200);
      first = { code, verifier, refresh: ok.json.refresh_token, access: ok.json.access_token };
    });

    await t.step("a code is single-use", async () => {
      const { code, verifier } = first!;
      {
        const again = await tokenCall(fake, {
          grant_type: "authorization_code",
          code,
          code_verifier: verifier,
          client_id: fake.clientId,
          client_secret: fake.clientSecretValue,
          redirect_uri: redirect,
        });
        assert.equal(again.status, 400);
        assert.equal(again.json.error, "invalid_grant");
      }
    });

    await t.step("refresh gives a new access token and no new refresh token", async () => {
      const ok = { json: { refresh_token: first!.refresh, access_token: first!.access } };
      {
        const refreshed = await tokenCall(fake, {
          grant_type: "refresh_token",
          refresh_token: ok.json.refresh_token,
          client_id: fake.clientId,
          client_secret: fake.clientSecretValue,
        });
        assert.equal(refreshed.status, 200, refreshed.text);
        assert.equal(refreshed.json.refresh_token, undefined);
        assert.notEqual(refreshed.json.access_token, ok.json.access_token);
        assert.equal(refreshed.json.scope, scope);
      }
    });

    const codeFor = async (params: Record<string, string>) => {
      const res = await authorize(fake, params);
      assert.equal(res.status, 302);
      return new URL(res.headers.get("location")!).searchParams.get("code")!;
    };
    const exchange = (code: string, extra: Record<string, string>) =>
      tokenCall(fake, {
        grant_type: "authorization_code",
        code,
        client_id: fake.clientId,
        client_secret: fake.clientSecretValue,
        redirect_uri: redirect,
        ...extra,
      });

    await t.step("a wrong or missing verifier is invalid_grant", async () => {
      const { challenge } = pkce();
      const wrong = await exchange(await codeFor({ ...base, code_challenge: challenge }), {
        code_verifier: pkce().verifier,
      });
      assert.equal(wrong.status, 400);
      assert.deepEqual(wrong.json, {
        error: "invalid_grant",
        error_description: "Invalid code verifier.",
      });
      const missing = await exchange(await codeFor({ ...base, code_challenge: challenge }), {});
      assert.equal(missing.status, 400);
      assert.equal(missing.json.error, "invalid_grant");
    });

    await t.step("the redirect URI must equal the one of the consent", async () => {
      const { verifier, challenge } = pkce();
      const code = await codeFor({ ...base, code_challenge: challenge });
      const res = await exchange(code, {
        code_verifier: verifier,
        redirect_uri: "http://127.0.0.1:1/other",
      });
      assert.equal(res.status, 400);
      assert.equal(res.json.error, "redirect_uri_mismatch");
    });

    await t.step("a wrong client secret is 401 invalid_client", async () => {
      const { verifier, challenge } = pkce();
      const code = await codeFor({ ...base, code_challenge: challenge });
      const res = await exchange(code, { code_verifier: verifier, client_secret: "GOCSPX-nope" });
      assert.equal(res.status, 401);
      assert.equal(res.json.error, "invalid_client");
    });

    await t.step("the consent page refuses bad clients and non-loopback redirects", async () => {
      for (
        const [params, status] of [
          [{ ...base, client_id: "nobody.apps.googleusercontent.com" }, 401],
          [{ ...base, redirect_uri: "https://example.com/cb" }, 400],
          [{ ...base, redirect_uri: "urn:ietf:wg:oauth:2.0:oob" }, 400],
          [{ ...base, scope: "" }, 400],
        ] as const
      ) {
        const res = await authorize(fake, params);
        assert.equal(res.status, status);
        assert.match(res.headers.get("content-type") ?? "", /text\/html/);
        await res.body?.cancel();
      }
      for (const loopback of ["http://[::1]:8080/", "http://localhost:9/x"]) {
        const res = await authorize(fake, {
          ...base,
          redirect_uri: loopback,
          code_challenge: pkce().challenge,
        });
        assert.equal(res.status, 302);
        assert.ok(res.headers.get("location")!.startsWith(loopback));
      }
    });

    await t.step("without prompt=consent a second login gets no refresh token", async () => {
      const { verifier, challenge } = pkce();
      const { prompt: _, ...noPrompt } = base;
      const res = await exchange(await codeFor({ ...noPrompt, code_challenge: challenge }), {
        code_verifier: verifier,
      });
      assert.equal(res.status, 200);
      assert.equal(res.json.refresh_token, undefined);
    });

    await t.step(
      "granular consent grants only the ticked scopes; none ticked is access_denied",
      async () => {
        fake.setOptions({ consentScopes: [SCOPES.picker] });
        const res = await authorize(fake, { ...base, code_challenge: pkce().challenge });
        assert.equal(
          new URL(res.headers.get("location")!).searchParams.get("scope"),
          SCOPES.picker,
        );
        fake.setOptions({ consentScopes: [] });
        const denied = await authorize(fake, { ...base, code_challenge: pkce().challenge });
        const loc = new URL(denied.headers.get("location")!);
        assert.equal(loc.searchParams.get("error"), "access_denied");
        assert.equal(loc.searchParams.get("state"), "st4te");
        fake.setOptions({ consentScopes: undefined });
      },
    );
  });
});

Deno.test("fake refresh and access tokens expire and revoke like Google's", async (t) => {
  await withFake({ account: library(2), refreshTokenLifetimeS: 7 * 86400 }, async (fake) => {
    const refresh = (token: string) =>
      tokenCall(fake, {
        grant_type: "refresh_token",
        refresh_token: token,
        client_id: fake.clientId,
        client_secret: fake.clientSecretValue,
      });

    await t.step("an access token gives 401 with Google's message once expired", async () => {
      const rt = fake.issueRefreshToken();
      const at = (await refresh(rt)).json.access_token;
      assert.equal((await call(fake, "/v1/mediaItems", at)).status, 200);
      fake.advanceClock(3600);
      const res = await call(fake, "/v1/mediaItems", at);
      assert.equal(res.status, 401);
      assert.deepEqual(res.json, {
        error: { code: 401, message: UNAUTHENTICATED_MESSAGE, status: "UNAUTHENTICATED" },
      });
      assert.equal((await call(fake, "/v1/mediaItems", undefined)).status, 401);
      assert.equal((await call(fake, "/v1/mediaItems", "ya29.forged")).status, 401);
      assert.equal((await refresh(rt)).status, 200);
    });

    await t.step("a refresh token of a Testing project dies after 7 days", async () => {
      const rt = fake.issueRefreshToken();
      fake.advanceClock(7 * 86400);
      const res = await refresh(rt);
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, {
        error: "invalid_grant",
        error_description: "Token has been expired or revoked.",
      });
    });

    await t.step("revoking a refresh token kills it and its access tokens", async () => {
      const rt = fake.issueRefreshToken();
      const at = (await refresh(rt)).json.access_token;
      fake.revokeRefreshToken(rt);
      assert.equal((await refresh(rt)).json.error, "invalid_grant");
      assert.equal((await call(fake, "/v1/mediaItems", at)).status, 401);
    });

    await t.step("setOptions applies lifetimes to tokens already issued", async () => {
      const at = fake.issueAccessToken();
      fake.setOptions({ accessTokenLifetimeS: 0 });
      assert.equal((await call(fake, "/v1/mediaItems", at)).status, 401);
      fake.setOptions({ accessTokenLifetimeS: 3600 });
    });
  });
});

// ---- listing and pagination ---------------------------------------------------------------------

Deno.test("fake mediaItems.list pages like Google, quirks included", async (t) => {
  const account = library(230);
  account.items[5].archived = true;
  account.items[6].inLibrary = false;
  const expected = account.items.filter((i) => i.inLibrary && !i.archived).map((i) => i.id);

  await t.step("without quirks: full pages, default 25, no token on the last page", async () => {
    await withFake({ account, quirks: false }, async (fake, token) => {
      const { pages, final } = await allPages(
        (tk) => call(fake, `/v1/mediaItems${tk ? `?pageToken=${tk}` : ""}`, token),
        "mediaItems",
      );
      assert.deepEqual(pages.flat(), expected);
      assert.deepEqual(pages.map((p) => p.length).slice(0, 2), [25, 25]);
      assert.ok(final.json.mediaItems.length > 0);
    });
  });

  await t.step("with quirks: short, empty and overlapping pages and a final {}", async () => {
    await withFake({ account, seed: 3 }, async (fake, token) => {
      const kinds = new Set<string>();
      const finals: unknown[] = [];
      for (let round = 0; round < 6; round++) {
        const { pages, final } = await allPages(
          (tk) => call(fake, `/v1/mediaItems?pageSize=10${tk ? `&pageToken=${tk}` : ""}`, token),
          "mediaItems",
        );
        assert.deepEqual(dedupe(pages), expected);
        for (const [i, page] of pages.entries()) {
          if (page.length === 0 && i < pages.length - 1) kinds.add("empty with token");
          else if (page.length > 0 && page.length < 10 && i < pages.length - 1) kinds.add("short");
          if (i > 0 && page.length > 0 && pages.slice(0, i).flat().at(-1) === page[0]) {
            kinds.add("repeat");
          }
        }
        finals.push(final.json);
        // A retried page answers the same: quirks depend on the listing, not on luck.
        const first = await call(fake, "/v1/mediaItems?pageSize=10", token);
        const next = first.json.nextPageToken;
        if (next) {
          const path = `/v1/mediaItems?pageSize=10&pageToken=${next}`;
          const [a, b] = [await call(fake, path, token), await call(fake, path, token)];
          const ids = (x: Answer) => (x.json.mediaItems ?? []).map((m: { id: string }) => m.id);
          assert.deepEqual(ids(a), ids(b));
          assert.equal(a.json.nextPageToken, b.json.nextPageToken);
        }
      }
      assert.deepEqual([...kinds].sort(), ["empty with token", "repeat", "short"]);
      assert.ok(finals.some((f) => JSON.stringify(f) === "{}"), "some listing ends with {}");
    });
  });

  await t.step("pageSize over 100 is coerced, negative is 400", async () => {
    await withFake({ account, quirks: false }, async (fake, token) => {
      assert.equal(
        (await call(fake, "/v1/mediaItems?pageSize=500", token)).json.mediaItems.length,
        100,
      );
      const neg = await call(fake, "/v1/mediaItems?pageSize=-1", token);
      assert.equal(neg.status, 400);
      assert.equal(neg.json.error.status, "INVALID_ARGUMENT");
      assert.equal((await call(fake, "/v1/mediaItems?page_size=5", token)).status, 400);
    });
  });

  await t.step("garbage and foreign page tokens are 400 INVALID_ARGUMENT", async () => {
    const albums = {
      ...account,
      albums: Array.from({ length: 30 }, (_, i) => album(`al${i}`, [])),
    };
    await withFake({ account: albums, quirks: false }, async (fake, token) => {
      const albumToken = (await call(fake, "/v1/albums", token)).json.nextPageToken;
      assert.ok(albumToken);
      for (const bad of ["garbage", albumToken, "Z3BmMS4xLjEuMS5hYmM"]) {
        const res = await call(fake, `/v1/mediaItems?pageToken=${bad}`, token);
        assert.equal(res.status, 400);
        assert.equal(res.json.error.status, "INVALID_ARGUMENT");
      }
    });
  });

  await t.step("an empty library answers {}", async () => {
    await withFake({ account: { items: [], albums: [] } }, async (fake, token) => {
      assert.equal((await call(fake, "/v1/mediaItems", token)).text.trim(), "{}");
    });
  });
});

Deno.test("fake items and albums have Google's JSON shapes", async () => {
  const account: Account = {
    items: [photo(1, { description: "caption" }), video(2, { creationTime: undefined })],
    albums: [album("al1", ["ph1", "vd2"]), album("al2", [], { title: undefined })],
  };
  await withFake({ account, quirks: false }, async (fake, token) => {
    const items = (await call(fake, "/v1/mediaItems", token)).json.mediaItems;
    assert.deepEqual(items[0].mediaMetadata, {
      creationTime: "2020-01-02T10:00:01Z",
      width: "4000",
      height: "3000",
      photo: {},
    });
    assert.equal(items[0].description, "caption");
    assert.equal(items[0].productUrl, "https://photos.google.com/lr/photo/ph1");
    assert.ok(items[0].baseUrl.startsWith(`${fake.origin}/media/`));
    assert.deepEqual(Object.keys(items[1]), [
      "id",
      "productUrl",
      "baseUrl",
      "mimeType",
      "mediaMetadata",
      "filename",
    ]);
    assert.deepEqual(items[1].mediaMetadata, {
      width: "4000",
      height: "3000",
      video: { status: "READY" },
    });
    const albums = (await call(fake, "/v1/albums", token)).json.albums;
    assert.equal(albums[0].mediaItemsCount, "2");
    assert.equal(albums[0].coverPhotoMediaItemId, "ph1");
    assert.deepEqual(Object.keys(albums[1]), ["id", "productUrl"]);
    const one = await call(fake, "/v1/albums/al1", token);
    assert.equal(one.json.title, "Album al1");
    assert.equal((await call(fake, "/v1/mediaItems/ph1", token)).json.filename, "IMG_1.jpg");
    const missing = await call(fake, "/v1/mediaItems/nope", token);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.status, "NOT_FOUND");
  });
});

// ---- search -------------------------------------------------------------------------------------

Deno.test("fake mediaItems:search validates filters like Google", async (t) => {
  await withFake(
    { account: { items: [photo(1)], albums: [album("al1", ["ph1"])] } },
    async (fake, token) => {
      const date = { year: 2020, month: 1, day: 2 };
      const bad: [string, unknown][] = [
        ["albumId with filters", { albumId: "al1", filters: { includeArchivedMedia: true } }],
        ["two media types", { filters: { mediaTypeFilter: { mediaTypes: ["PHOTO", "VIDEO"] } } }],
        ["unknown media type", { filters: { mediaTypeFilter: { mediaTypes: ["GIF"] } } }],
        ["six dates", { filters: { dateFilter: { dates: Array(6).fill(date) } } }],
        ["six ranges", {
          filters: { dateFilter: { ranges: Array(6).fill({ startDate: date, endDate: date }) } },
        }],
        ["eleven categories", {
          filters: {
            contentFilter: {
              includedContentCategories: [
                "LANDSCAPES",
                "RECEIPTS",
                "CITYSCAPES",
                "LANDMARKS",
                "SELFIES",
                "PEOPLE",
                "PETS",
                "WEDDINGS",
                "BIRTHDAYS",
                "DOCUMENTS",
                "TRAVEL",
              ],
            },
          },
        }],
        ["a category in both lists", {
          filters: {
            contentFilter: {
              includedContentCategories: ["PETS"],
              excludedContentCategories: ["PETS"],
            },
          },
        }],
        ["all-zero date", { filters: { dateFilter: { dates: [{ year: 0, month: 0, day: 0 }] } } }],
        ["year and day only", {
          filters: { dateFilter: { dates: [{ year: 2020, month: 0, day: 5 }] } },
        }],
        ["month only", { filters: { dateFilter: { dates: [{ year: 0, month: 5, day: 0 }] } } }],
        ["month 13", { filters: { dateFilter: { dates: [{ year: 2020, month: 13, day: 1 }] } } }],
        ["February 30", {
          filters: { dateFilter: { dates: [{ year: 2020, month: 2, day: 30 }] } },
        }],
        ["range ends of different formats", {
          filters: {
            dateFilter: {
              ranges: [{ startDate: { year: 2020 }, endDate: { year: 2020, month: 3 } }],
            },
          },
        }],
        ["range backwards", {
          filters: {
            dateFilter: { ranges: [{ startDate: { year: 2021 }, endDate: { year: 2020 } }] },
          },
        }],
        ["orderBy without dateFilter", { orderBy: "MediaMetadata.creation_time" }],
        ["orderBy with a media type filter", {
          orderBy: "MediaMetadata.creation_time",
          filters: { dateFilter: { dates: [date] }, mediaTypeFilter: { mediaTypes: ["PHOTO"] } },
        }],
        ["unknown orderBy", { orderBy: "filename", filters: { dateFilter: { dates: [date] } } }],
        ["unknown field", { pageSize: 10, page_size: 10 }],
        ["negative pageSize", { pageSize: -5 }],
      ];
      for (const [name, body] of bad) {
        await t.step(`${name} is 400 INVALID_ARGUMENT`, async () => {
          const res = await call(fake, "/v1/mediaItems:search", token, { method: "POST", body });
          assert.equal(res.status, 400, res.text);
          assert.equal(res.json.error.code, 400);
          assert.equal(res.json.error.status, "INVALID_ARGUMENT");
          assert.equal(typeof res.json.error.message, "string");
        });
      }
      await t.step("valid combinations pass", async () => {
        for (
          const body of [
            {},
            { albumId: "al1" },
            { albumId: "al1", filters: {} },
            {
              filters: {
                dateFilter: {
                  dates: [{ year: 2020 }, { year: 2020, month: 1 }, { month: 1, day: 2 }],
                },
              },
            },
            {
              orderBy: "MediaMetadata.creation_time desc",
              filters: { dateFilter: { dates: [date] }, includeArchivedMedia: true },
            },
            { filters: { featureFilter: { includedFeatures: ["NONE", "FAVORITES"] } } },
            { filters: { contentFilter: { includedContentCategories: ["NONE"] } } },
          ]
        ) {
          const res = await call(fake, "/v1/mediaItems:search", token, { method: "POST", body });
          assert.equal(res.status, 200, `${JSON.stringify(body)}: ${res.text}`);
        }
      });
    },
  );
});

Deno.test("fake mediaItems:search filters and orders like Google", async (t) => {
  const now = new Date();
  const future = new Date(now.getTime() + 10 * 86400_000).toISOString().replace(/\.\d+Z$/, "Z");
  const account: Account = {
    items: [
      photo(1, { creationTime: "2021-03-01T00:00:00Z" }),
      photo(2, { creationTime: "2021-03-31T23:59:59Z", favourite: true }),
      photo(3, { creationTime: "2021-04-01T00:00:00Z", archived: true }),
      video(4, { creationTime: "2021-02-28T23:59:59Z" }),
      photo(5, { creationTime: undefined }),
      photo(6, { creationTime: future }),
      photo(7, { creationTime: "2019-03-15T12:00:00Z", inLibrary: false }),
      photo(8, { creationTime: "2022-03-15T12:00:00Z", favourite: true }),
    ],
    albums: [album("al1", ["ph8", "ph7", "ph3", "ph1"])],
  };
  await withFake({ account, quirks: false }, async (fake, token) => {
    const ids = async (body: unknown) => {
      const { pages } = await allPages(
        (tk) =>
          call(fake, "/v1/mediaItems:search", token, {
            method: "POST",
            body: { ...(body as object), ...(tk ? { pageToken: tk } : {}) },
          }),
        "mediaItems",
      );
      return pages.flat();
    };
    await t.step(
      "unfiltered: newest first, undated last, archived and album-only left out",
      async () => {
        assert.deepEqual(await ids({}), ["ph6", "ph8", "ph2", "ph1", "vd4", "ph5"]);
      },
    );
    await t.step(
      "date ranges are inclusive whole UTC days; no-date and future never match",
      async () => {
        const range = {
          startDate: { year: 2021, month: 3, day: 1 },
          endDate: { year: 2021, month: 3, day: 31 },
        };
        assert.deepEqual(await ids({ filters: { dateFilter: { ranges: [range] } } }), [
          "ph2",
          "ph1",
        ]);
        assert.deepEqual(
          await ids({ filters: { dateFilter: { ranges: [range] }, includeArchivedMedia: true } }),
          ["ph2", "ph1"],
        );
        assert.deepEqual(
          await ids({
            filters: {
              dateFilter: { dates: [{ year: 2021, month: 4 }] },
              includeArchivedMedia: true,
            },
          }),
          ["ph3"],
        );
        assert.deepEqual(
          await ids({ filters: { dateFilter: { dates: [{ month: 3, day: 15 }] } } }),
          ["ph8"],
        );
        const all = {
          startDate: { year: 1900, month: 1, day: 1 },
          endDate: { year: 9999, month: 12, day: 31 },
        };
        assert.deepEqual(await ids({ filters: { dateFilter: { ranges: [all] } } }), [
          "ph8",
          "ph2",
          "ph1",
          "vd4",
        ]);
        assert.deepEqual(
          await ids({
            filters: { dateFilter: { ranges: [all] } },
            orderBy: "MediaMetadata.creation_time",
          }),
          ["vd4", "ph1", "ph2", "ph8"],
        );
      },
    );
    await t.step("media type, favourites and archive filters", async () => {
      assert.deepEqual(await ids({ filters: { mediaTypeFilter: { mediaTypes: ["VIDEO"] } } }), [
        "vd4",
      ]);
      assert.deepEqual(
        await ids({ filters: { featureFilter: { includedFeatures: ["FAVORITES"] } } }),
        ["ph8", "ph2"],
      );
      assert.ok((await ids({ filters: { includeArchivedMedia: true } })).includes("ph3"));
    });
    await t.step("album search: album order, album-only and archived items included", async () => {
      assert.deepEqual(await ids({ albumId: "al1" }), ["ph8", "ph7", "ph3", "ph1"]);
      const res = await call(fake, "/v1/mediaItems:search", token, {
        method: "POST",
        body: { albumId: "al1" },
      });
      assert.equal(
        res.json.mediaItems[0].productUrl,
        "https://photos.google.com/lr/album/al1/photo/ph8",
      );
      const unknown = await call(fake, "/v1/mediaItems:search", token, {
        method: "POST",
        body: { albumId: "nope" },
      });
      assert.equal(unknown.status, 400);
    });
    await t.step("a search token is bound to its filters", async () => {
      const first = await call(fake, "/v1/mediaItems:search", token, {
        method: "POST",
        body: { pageSize: 2 },
      });
      assert.ok(first.json.nextPageToken);
      const other = await call(fake, "/v1/mediaItems:search", token, {
        method: "POST",
        body: {
          pageSize: 2,
          pageToken: first.json.nextPageToken,
          filters: { includeArchivedMedia: true },
        },
      });
      assert.equal(other.status, 400);
    });
  });
});

// ---- batchGet -----------------------------------------------------------------------------------

Deno.test("fake mediaItems:batchGet answers per item, in order", async (t) => {
  const account = library(60);
  account.items[3].inLibrary = false;
  await withFake({ account }, async (fake, token) => {
    const q = (ids: string[]) =>
      `/v1/mediaItems:batchGet?${ids.map((i) => `mediaItemIds=${i}`).join("&")}`;
    await t.step("unknown ids get status code 3 with HTTP 200", async () => {
      const res = await call(fake, q(["ph2", "bogus", "ph3"]), token);
      assert.equal(res.status, 200);
      const r = res.json.mediaItemResults;
      assert.equal(r[0].mediaItem.id, "ph2");
      assert.deepEqual(r[1], { status: { code: 3, message: "Invalid media item ID." } });
      assert.equal(r[2].mediaItem.id, "ph3");
    });
    await t.step("more than 50, duplicates or none is 400", async () => {
      const many = account.items.slice(0, 51).map((i) => i.id);
      assert.equal((await call(fake, q(many), token)).status, 400);
      assert.equal((await call(fake, q(many.slice(0, 50)), token)).status, 200);
      assert.equal((await call(fake, q(["ph1", "ph1"]), token)).status, 400);
      const none = await call(fake, "/v1/mediaItems:batchGet", token);
      assert.equal(none.status, 400);
      assert.equal(none.json.error.status, "INVALID_ARGUMENT");
    });
  });
});

// ---- media --------------------------------------------------------------------------------------

/** A JPEG whose EXIF has a GPS IFD (48° N, 11° E), followed by a real image. */
function jpegWithGps(image: Uint8Array): Uint8Array {
  const tiff = new Uint8Array(128);
  const v = new DataView(tiff.buffer);
  const entry = (at: number, tag: number, type: number, count: number, value: number) => {
    v.setUint16(at, tag, true);
    v.setUint16(at + 2, type, true);
    v.setUint32(at + 4, count, true);
    v.setUint32(at + 8, value, true);
  };
  tiff.set([0x49, 0x49]);
  v.setUint16(2, 42, true);
  v.setUint32(4, 8, true);
  v.setUint16(8, 1, true); // IFD0 at 8: only the GPS pointer
  entry(10, 0x8825, 4, 1, 26);
  v.setUint16(26, 4, true); // GPS IFD at 26, its rationals at 80 and 104
  entry(28, 1, 2, 2, 0x4e); // "N"
  entry(40, 2, 5, 3, 80);
  entry(52, 3, 2, 2, 0x45); // "E"
  entry(64, 4, 5, 3, 104);
  for (const [at, deg] of [[80, 48], [104, 11]]) {
    v.setUint32(at, deg, true);
    for (let k = 0; k < 3; k++) v.setUint32(at + 4 + k * 8, 1, true);
  }
  const app1 = new Uint8Array([...new TextEncoder().encode("Exif\0\0"), ...tiff]);
  const len = app1.length + 2;
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe1,
    len >> 8,
    len & 0xff,
    ...app1,
    ...image.subarray(2),
  ]);
}

async function fetchBytes(
  url: string,
  init?: RequestInit,
): Promise<{ res: Response; bytes: Uint8Array }> {
  const res = await fetch(url, init);
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

Deno.test("fake media host serves =d, =dv and thumbnails like lh3", async (t) => {
  const account: Account = {
    items: [
      photo(1),
      video(2),
      video(3, { videoStatus: "PROCESSING" }),
      photo(4, { bytes: () => new Uint8Array(0) }),
    ],
    albums: [],
  };
  await withFake({ account, quirks: false }, async (fake, token) => {
    // A fresh access token each time: a step below moves the clock past its lifetime.
    const base = async (id: string) =>
      (await call(fake, `/v1/mediaItems/${id}`, fake.issueAccessToken())).json.baseUrl as string;

    await t.step("a thumbnail is a small valid JPEG", async () => {
      const { res, bytes } = await fetchBytes(`${await base("ph1")}=w200-h200`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "image/jpeg");
      assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8]);
      assert.deepEqual([...bytes.subarray(-2)], [0xff, 0xd9]);
    });

    await t.step("=d serves the photo bytes, with or without a bearer token", async () => {
      const url = `${await base("ph1")}=d`;
      const plain = await fetchBytes(url);
      assert.equal(plain.res.status, 200);
      assert.deepEqual(plain.bytes, fake.servedBytes("ph1", "d"));
      assert.deepEqual(plain.bytes, account.items[0].bytes());
      assert.equal(plain.res.headers.get("content-length"), String(plain.bytes.length));
      const withToken = await fetchBytes(url, { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual(withToken.bytes, plain.bytes);
      assert.equal(fake.counters().mediaComplete.get("ph1"), 2);
    });

    await t.step("=dv serves a transcoded MP4 that differs from the original", async () => {
      const { res, bytes } = await fetchBytes(`${await base("vd2")}=dv`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "video/mp4");
      const original = account.items[1].bytes();
      assert.notDeepEqual(bytes, original);
      assert.deepEqual(bytes.subarray(4, 8), new TextEncoder().encode("ftyp"));
      assert.deepEqual(bytes, fake.servedBytes("vd2", "dv"));
    });

    await t.step("bare URLs, =dv on photos and videos not READY fail", async () => {
      for (
        const [url, status] of [[await base("ph1"), 400], [`${await base("ph1")}=dv`, 404], [
          `${await base("vd3")}=dv`,
          404,
        ]] as const
      ) {
        const res = await fetch(url);
        assert.equal(res.status, status);
        assert.match(res.headers.get("content-type") ?? "", /text\/html/);
        await res.body?.cancel();
      }
    });

    await t.step("Range: bytes=N- and N-M give 206, beyond the end 416", async () => {
      const url = `${await base("ph1")}=d`;
      const full = fake.servedBytes("ph1", "d");
      const tail = await fetchBytes(url, { headers: { range: "bytes=1000-" } });
      assert.equal(tail.res.status, 206);
      assert.equal(
        tail.res.headers.get("content-range"),
        `bytes 1000-${full.length - 1}/${full.length}`,
      );
      assert.deepEqual(tail.bytes, full.subarray(1000));
      const mid = await fetchBytes(url, { headers: { range: "bytes=10-19" } });
      assert.deepEqual(mid.bytes, full.subarray(10, 20));
      const suffix = await fetchBytes(url, { headers: { range: "bytes=-5" } });
      assert.deepEqual(suffix.bytes, full.subarray(full.length - 5));
      const beyond = await fetchBytes(url, { headers: { range: `bytes=${full.length}-` } });
      assert.equal(beyond.res.status, 416);
      assert.equal(beyond.res.headers.get("content-range"), `bytes */${full.length}`);
      const head = await fetch(url, { method: "HEAD" });
      assert.equal(head.headers.get("content-length"), String(full.length));
    });

    await t.step("a base URL expires: 403 with an HTML body", async () => {
      const url = `${await base("ph1")}=d`;
      fake.advanceClock(3600);
      const res = await fetch(url);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /<html/);
      const fresh = await fetch(`${await base("ph1")}=d`);
      assert.equal(fresh.status, 200);
      await fresh.body?.cancel();
    });

    await t.step("an empty file is served empty", async () => {
      const { res, bytes } = await fetchBytes(`${await base("ph4")}=d`);
      assert.equal(res.status, 200);
      assert.equal(bytes.length, 0);
    });
  });
});

Deno.test("fake media host strips GPS from =d JPEGs, keeping the size", async () => {
  const original = jpegWithGps(thumbnailJpeg(photo(1), 64, 48));
  assert.deepEqual(await exifr.gps(original), { latitude: 48, longitude: 11 });
  const account: Account = { items: [photo(9, { bytes: () => original })], albums: [] };
  await withFake({ account }, async (fake, token) => {
    const url = (await call(fake, "/v1/mediaItems/ph9", token)).json.baseUrl;
    const { bytes } = await fetchBytes(`${url}=d`);
    assert.equal(bytes.length, original.length);
    assert.notDeepEqual(bytes, original);
    assert.equal((await exifr.gps(bytes).catch(() => undefined))?.latitude, undefined);
    assert.deepEqual(bytes, fake.servedBytes("ph9", "d"));
  });
});

Deno.test("fake media faults: cuts, failures, 429s, queueing and bandwidth", async (t) => {
  const big = (n: number) => photo(n, { bytes: () => bytesFor(n, 100_000) });
  const account: Account = { items: [big(1), big(2), big(3)], albums: [] };
  await withFake({ account, seed: 5 }, async (fake, token) => {
    const url = async (id: string) =>
      `${(await call(fake, `/v1/mediaItems/${id}`, token)).json.baseUrl}=d`;

    await t.step("a cut transfer declares the full length and breaks off", async () => {
      fake.setOptions({ cutRate: 1 });
      const res = await fetch(await url("ph1"));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), "100000");
      await assert.rejects(res.arrayBuffer());
      fake.setOptions({ cutRate: 0 });
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(fake.counters().mediaComplete.get("ph1"), undefined);
      const rec = fake.calls.findLast((c) => c.kind === "media")!;
      assert.equal(rec.itemId, "ph1");
      assert.ok(rec.bytesSent! < 100_000);
    });

    await t.step("alwaysFail items answer 500", async () => {
      fake.setOptions({ alwaysFail: new Set(["ph2"]) });
      const res = await fetch(await url("ph2"));
      assert.equal(res.status, 500);
      await res.body?.cancel();
      fake.setOptions({ alwaysFail: undefined });
    });

    await t.step("media 429 has a non-JSON body, with Retry-After when chosen", async () => {
      const u = await url("ph1");
      fake.setOptions({ rate429: 1, retryAfterShare: 1 });
      const res = await fetch(u);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get("retry-after"), "1");
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      const text = await res.text();
      assert.throws(() => JSON.parse(text));
      fake.setOptions({ rate429: 0 });
    });

    await t.step("daily media quota: later fetches get 429", async () => {
      const u = await url("ph3");
      fake.resetCounters();
      fake.setOptions({ dailyMediaQuota: 1 });
      const ok = await fetch(u);
      assert.equal(ok.status, 200);
      await ok.body?.cancel();
      const over = await fetch(u);
      assert.equal(over.status, 429);
      assert.match(await over.text(), /<html/);
      fake.setOptions({ dailyMediaQuota: undefined });
      fake.resetCounters();
    });

    await t.step("maxConcurrentMedia queues transfers; bandwidth paces each", async () => {
      fake.setOptions({ maxConcurrentMedia: 1, bandwidthBytesPerSec: 1_000_000 });
      const [a, b] = [await url("ph1"), await url("ph2")];
      const t0 = performance.now();
      const firstByte: number[] = [];
      await Promise.all([a, b].map(async (u) => {
        const res = await fetch(u);
        const reader = res.body!.getReader();
        let first = true;
        for (;;) {
          const { done } = await reader.read();
          if (first) {
            firstByte.push(performance.now() - t0);
            first = false;
          }
          if (done) break;
        }
      }));
      const elapsed = performance.now() - t0;
      // Two 100 kB bodies at 1 MB/s, one at a time: about 200 ms, the second starting late.
      assert.ok(elapsed >= 180, `elapsed ${elapsed}`);
      assert.ok(Math.max(...firstByte) >= 80, `first bytes at ${firstByte}`);
      fake.setOptions({ maxConcurrentMedia: undefined, bandwidthBytesPerSec: undefined });
    });
  });
});

// ---- API faults, quota, scopes --------------------------------------------------------------------

Deno.test("fake API faults and quota answer like Google", async (t) => {
  await withFake({ account: library(5), seed: 9 }, async (fake, token) => {
    await t.step("429 RESOURCE_EXHAUSTED, with Retry-After when chosen", async () => {
      fake.setOptions({ rate429: 1, retryAfterShare: 1 });
      const res = await call(fake, "/v1/mediaItems", token);
      assert.equal(res.status, 429);
      assert.equal(res.json.error.status, "RESOURCE_EXHAUSTED");
      assert.match(res.json.error.message, /^Quota exceeded for quota metric/);
      assert.equal(res.headers.get("retry-after"), "1");
      fake.setOptions({ retryAfterShare: 0 });
      assert.equal((await call(fake, "/v1/mediaItems", token)).headers.get("retry-after"), null);
      fake.setOptions({ rate429: 0 });
    });

    await t.step("5xx are JSON 500 INTERNAL or 503 UNAVAILABLE", async () => {
      fake.setOptions({ rate5xx: 1 });
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const res = await call(fake, "/v1/albums", token);
        seen.add(`${res.status} ${res.json.error.status}`);
      }
      assert.deepEqual([...seen].sort(), ["500 INTERNAL", "503 UNAVAILABLE"]);
      fake.setOptions({ rate5xx: 0 });
    });

    await t.step("the daily API quota ends in 429 with the quota message", async () => {
      fake.resetCounters();
      fake.setOptions({ dailyApiQuota: 3 });
      for (let i = 0; i < 3; i++) {
        assert.equal((await call(fake, "/v1/mediaItems", token)).status, 200);
      }
      const res = await call(fake, "/v1/mediaItems", token);
      assert.equal(res.status, 429);
      assert.equal(
        res.json.error.message,
        `Quota exceeded for quota metric 'All requests' and limit 'All requests per day' of service ` +
          `'photoslibrary.googleapis.com' for consumer 'project_number:${fake.core.projectNumber}'.`,
      );
      fake.resetCounters();
      assert.equal((await call(fake, "/v1/mediaItems", token)).status, 200);
      fake.setOptions({ dailyApiQuota: undefined });
      assert.equal(fake.counters().api, 1);
    });

    await t.step("unknown paths are 404 and writes are 403 with Google's bodies", async () => {
      const res = await call(fake, "/v1/nothing", token);
      assert.equal(res.status, 404);
      assert.equal(res.json.error.status, "NOT_FOUND");
      const write = await call(fake, "/v1/albums", token, {
        method: "POST",
        body: { album: { title: "x" } },
      });
      assert.equal(write.status, 403);
      assert.equal(write.json.error.message, SCOPES_MESSAGE);
    });

    await t.step("env() points the tool here and waits 0 s after 429s", () => {
      const env = fake.env();
      assert.equal(env.GPHOTOS_SYNC_LIBRARY_URL, fake.origin);
      assert.equal(env.GPHOTOS_SYNC_TOKEN_URL, `${fake.origin}/token`);
      assert.equal(env.GPHOTOS_SYNC_AUTH_URL, `${fake.origin}/o/oauth2/v2/auth`);
      assert.equal(env.GPHOTOS_SYNC_MIN_429_WAIT_S, "0");
      const secret = JSON.parse(fake.clientSecretJson()).installed;
      assert.equal(secret.client_id, fake.clientId);
      assert.equal(secret.token_uri, fake.tokenUrl);
      assert.deepEqual(secret.redirect_uris, ["http://localhost"]);
    });
  });
});

Deno.test("fake modes: legacy serves everything, 2025 only app-created data", async (t) => {
  const account: Account = {
    items: [
      photo(1, { appCreated: true }),
      photo(2),
      photo(3, { appCreated: true, inLibrary: false }),
    ],
    albums: [
      album("mine", ["ph1", "ph2", "ph3"], { appCreated: true }),
      album("theirs", ["ph2"]),
      album("shared", ["ph2"], { shared: true }),
    ],
  };
  await t.step(
    "legacy: the app-created-data scope sees the whole library and shared albums",
    async () => {
      await withFake({ account, quirks: false }, async (fake, token) => {
        assert.deepEqual(
          (await call(fake, "/v1/mediaItems", token)).json.mediaItems.map((i: { id: string }) =>
            i.id
          ),
          ["ph1", "ph2"],
        );
        assert.equal((await call(fake, "/v1/albums", token)).json.albums.length, 2);
        const shared = await call(fake, "/v1/sharedAlbums", token);
        assert.deepEqual(shared.json.sharedAlbums.map((a: { id: string }) => a.id), ["shared"]);
        const picker = fake.issueAccessToken([SCOPES.picker]);
        assert.equal((await call(fake, "/v1/mediaItems", picker)).status, 403);
      });
    },
  );
  await t.step("2025: app-created only; shared albums and removed scopes 403", async () => {
    await withFake({ account, quirks: false, mode: "2025" }, async (fake, token) => {
      assert.deepEqual(
        (await call(fake, "/v1/mediaItems", token)).json.mediaItems.map((i: { id: string }) =>
          i.id
        ),
        ["ph1"],
      );
      const albums = (await call(fake, "/v1/albums", token)).json.albums;
      assert.deepEqual(albums.map((a: { id: string }) => a.id), ["mine"]);
      assert.equal(albums[0].mediaItemsCount, "2");
      const search = await call(fake, "/v1/mediaItems:search", token, {
        method: "POST",
        body: { albumId: "mine" },
      });
      assert.deepEqual(search.json.mediaItems.map((i: { id: string }) => i.id), ["ph1", "ph3"]);
      const batch = await call(
        fake,
        "/v1/mediaItems:batchGet?mediaItemIds=ph1&mediaItemIds=ph2",
        token,
      );
      assert.equal(batch.json.mediaItemResults[1].status.code, 3);
      for (const path of ["/v1/sharedAlbums"]) {
        const res = await call(fake, path, token);
        assert.equal(res.status, 403);
        assert.deepEqual(res.json, {
          error: { code: 403, message: SCOPES_MESSAGE, status: "PERMISSION_DENIED" },
        });
      }
      for (const scope of ["photoslibrary", "photoslibrary.readonly", "photoslibrary.sharing"]) {
        const old = fake.issueAccessToken([`https://www.googleapis.com/auth/${scope}`]);
        const res = await call(fake, "/v1/mediaItems", old);
        assert.equal(res.status, 403);
        assert.equal(res.json.error.message, SCOPES_MESSAGE);
      }
    });
  });
  await t.step("2025 with no app-created items: 200 and {}", async () => {
    await withFake({ account: library(4), mode: "2025" }, async (fake, token) => {
      const res = await call(fake, "/v1/mediaItems", token);
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, {});
    });
  });
});

Deno.test("fake call log and counters record what happened", async () => {
  await withFake({ account: library(3), quirks: false }, async (fake, token) => {
    const list = await call(fake, "/v1/mediaItems?pageSize=2", token);
    const res = await fetch(`${list.json.mediaItems[0].baseUrl}=d`, {
      headers: { range: "bytes=0-" },
    });
    await res.arrayBuffer();
    const c = fake.counters();
    assert.equal(c.api, 1);
    assert.equal(c.media, 1);
    assert.equal(c.oauth, 0);
    assert.equal(c.mediaComplete.get("ph0"), 1);
    const media = fake.calls.find((x) => x.kind === "media")!;
    assert.equal(media.status, 206);
    assert.equal(media.range, "bytes=0-");
    assert.equal(media.itemId, "ph0");
    assert.equal(media.bytesSent, fake.servedBytes("ph0", "d").length);
    assert.equal(fake.calls[0].query, "?pageSize=2");
    fake.resetCounters();
    assert.deepEqual(fake.counters(), { api: 0, media: 0, oauth: 0, mediaComplete: new Map() });
  });
});

Deno.test("fake close() ends transfers in flight and in the queue", async () => {
  const big = photo(1, { bytes: () => bytesFor(1, 1_000_000) });
  const fake = await startFakeGoogle({
    account: { items: [big], albums: [] },
    maxConcurrentMedia: 1,
    bandwidthBytesPerSec: 100_000,
  });
  const url = `${(await call(fake, "/v1/mediaItems/ph1", fake.issueAccessToken())).json.baseUrl}=d`;
  const first = await fetch(url);
  const second = fetch(url);
  await new Promise((r) => setTimeout(r, 50));
  await fake.close();
  await assert.rejects(first.arrayBuffer());
  const late = await second.then((r) => r.arrayBuffer().then(() => r.status), () => "failed");
  assert.notEqual(late, 200);
});

Deno.test("fake reads the account live: mutations show in the next listing", async () => {
  const account = library(3);
  await withFake({ account, quirks: false }, async (fake, token) => {
    const ids = async () =>
      (await call(fake, "/v1/mediaItems", token)).json.mediaItems.map((i: { id: string }) => i.id);
    assert.deepEqual(await ids(), ["ph0", "ph1", "ph2"]);
    account.items.splice(1, 1);
    account.items.push(photo(7));
    account.items[0].archived = true;
    assert.deepEqual(await ids(), ["ph2", "ph7"]);
    assert.equal((await call(fake, "/v1/mediaItems/ph1", token)).status, 404);
    assert.equal((await call(fake, "/v1/mediaItems/ph7", token)).status, 200);
    assert.equal(fake.servedBytes("ph7", "d").length, 3007);
  });
});
