/** The fake Picker API behaves like google-api.md §3 says the real one does. */
import assert from "node:assert/strict";
import type { Account, FakeItem } from "./fixtures/account_types.ts";
import { jpegWithExif, mp4WithCreationTime } from "./fixtures/media_bytes.ts";
import { type FakeGoogle, startFakeGoogle } from "./fake_google/mod.ts";
import { type FakePicker, fakePickerHook, startFakePicker } from "./fake_google/picker.ts";
import { SCOPES } from "../src/google/types.ts";

/** A small account: photos, then a READY video and a PROCESSING one. */
function smallAccount(photos: number): Account {
  const items: FakeItem[] = [];
  for (let i = 0; i < photos; i++) {
    const time = new Date(Date.UTC(2021, 4, 1 + (i % 28), 12, 0, i % 60));
    items.push({
      id: `photo${String(i).padStart(4, "0")}`,
      filename: `IMG_${i}.jpg`,
      mimeType: "image/jpeg",
      creationTime: time.toISOString(),
      width: 4032,
      height: 3024,
      favourite: false,
      archived: false,
      appCreated: false,
      inLibrary: true,
      bytes: () => jpegWithExif({ seed: i, dateTimeOriginal: time, gps: { lat: 51.5, lon: -0.1 } }),
    });
  }
  for (const [n, status] of [[0, "READY"], [1, "PROCESSING"]] as const) {
    const time = new Date(Date.UTC(2022, 0, 2 + n));
    items.push({
      id: `video${n}`,
      filename: `VID_${n}.mp4`,
      mimeType: "video/mp4",
      creationTime: time.toISOString(),
      width: 1920,
      height: 1080,
      favourite: false,
      archived: false,
      appCreated: false,
      inLibrary: true,
      videoStatus: status,
      bytes: () => mp4WithCreationTime({ seed: 1000 + n, creationTime: time }),
    });
  }
  return { items, albums: [] };
}

async function withFakes(
  knobs: Parameters<typeof startFakePicker>[0] extends infer O ? Omit<O, "google"> : never,
  fn: (google: FakeGoogle, picker: FakePicker, token: string) => Promise<void>,
): Promise<void> {
  const google = await startFakeGoogle({ account: smallAccount(120), mode: "2025" });
  const picker = await startFakePicker({ google, ...knobs });
  try {
    await fn(google, picker, google.issueAccessToken([SCOPES.picker]));
  } finally {
    await picker.close();
    await google.close();
  }
}

async function call(
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = new Headers();
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    headers.set("content-type", "application/json");
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, json: text.trim() === "" ? {} : JSON.parse(text) };
}

function errorOf(json: Record<string, unknown>): { code: number; status: string } {
  const e = json.error as { code: number; message: string; status: string };
  assert.equal(typeof e.message, "string");
  return { code: e.code, status: e.status };
}

Deno.test("fake picker: sessions.create, get, delete follow the Picker reference", async (t) => {
  await withFakes({ pollIntervalS: 0.5, maxOpenSessions: 2 }, async (google, picker, token) => {
    const base = picker.origin;
    assert.equal(google.env().GPHOTOS_SYNC_PICKER_URL, base);

    await t.step("maxItemCount: default 2000, 0 is default, above 2000 coerced", async () => {
      const cases: [unknown, string][] = [[undefined, "2000"], [0, "2000"], ["5000", "2000"], [
        "25",
        "25",
      ]];
      for (const [max, want] of cases) {
        const body = max === undefined ? {} : { pickingConfig: { maxItemCount: max } };
        const r = await call("POST", `${base}/v1/sessions`, token, body);
        assert.equal(r.status, 200);
        assert.deepEqual(r.json.pickingConfig, { maxItemCount: want });
        assert.equal(r.json.mediaItemsSet, undefined);
        assert.deepEqual(Object.keys(r.json.pollingConfig as object), [
          "pollInterval",
          "timeoutIn",
        ]);
        assert.equal((r.json.pollingConfig as { pollInterval: string }).pollInterval, "0.5s");
        assert.match(r.json.expireTime as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(picker.sessionIdFromUri(r.json.pickerUri as string), r.json.id);
        const del = await call("DELETE", `${base}/v1/sessions/${r.json.id}`, token);
        assert.deepEqual([del.status, del.json], [200, {}]);
      }
      const bad = await call("POST", `${base}/v1/sessions`, token, {
        pickingConfig: { maxItemCount: "-1" },
      });
      assert.deepEqual(errorOf(bad.json), { code: 400, status: "INVALID_ARGUMENT" });
    });

    await t.step("too many open sessions give RESOURCE_EXHAUSTED", async () => {
      const a = await call("POST", `${base}/v1/sessions`, token, {});
      const b = await call("POST", `${base}/v1/sessions`, token, {});
      const c = await call("POST", `${base}/v1/sessions`, token, {});
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      assert.deepEqual(errorOf(c.json), { code: 429, status: "RESOURCE_EXHAUSTED" });
      await call("DELETE", `${base}/v1/sessions/${a.json.id}`, token);
      await call("DELETE", `${base}/v1/sessions/${b.json.id}`, token);
    });

    await t.step("no Photos account gives FAILED_PRECONDITION", async () => {
      picker.setOptions({ noPhotosAccount: true });
      const r = await call("POST", `${base}/v1/sessions`, token, {});
      assert.deepEqual(errorOf(r.json), { code: 400, status: "FAILED_PRECONDITION" });
      picker.setOptions({ noPhotosAccount: false });
    });

    await t.step("get and delete: NOT_FOUND for unknown and deleted sessions", async () => {
      const r = await call("GET", `${base}/v1/sessions/nope`, token);
      assert.deepEqual(errorOf(r.json), { code: 404, status: "NOT_FOUND" });
      const s = await call("POST", `${base}/v1/sessions`, token, {});
      assert.equal((await call("DELETE", `${base}/v1/sessions/${s.json.id}`, token)).status, 200);
      const again = await call("DELETE", `${base}/v1/sessions/${s.json.id}`, token);
      assert.deepEqual(errorOf(again.json), { code: 404, status: "NOT_FOUND" });
      const get = await call("GET", `${base}/v1/sessions/${s.json.id}`, token);
      assert.deepEqual(errorOf(get.json), { code: 404, status: "NOT_FOUND" });
    });

    await t.step("an expired session gives PERMISSION_DENIED", async () => {
      picker.setOptions({ sessionLifetimeS: 60 });
      const s = await call("POST", `${base}/v1/sessions`, token, {});
      google.advanceClock(61);
      const r = await call("GET", `${base}/v1/sessions/${s.json.id}`, token);
      assert.deepEqual(errorOf(r.json), { code: 403, status: "PERMISSION_DENIED" });
      const list = await call("GET", `${base}/v1/mediaItems?sessionId=${s.json.id}`, token);
      assert.deepEqual(errorOf(list.json), { code: 403, status: "PERMISSION_DENIED" });
    });
  });
});

Deno.test("fake picker: the picker scope is required on every endpoint", async () => {
  await withFakes({}, async (google, picker) => {
    const base = picker.origin;
    const library = google.issueAccessToken([SCOPES.library]);
    const good = google.issueAccessToken([SCOPES.picker]);
    const s = await call("POST", `${base}/v1/sessions`, good, {});
    const urls: [string, string][] = [
      ["POST", `${base}/v1/sessions`],
      ["GET", `${base}/v1/sessions/${s.json.id}`],
      ["DELETE", `${base}/v1/sessions/${s.json.id}`],
      ["GET", `${base}/v1/mediaItems?sessionId=${s.json.id}`],
    ];
    for (const [method, url] of urls) {
      const none = await call(method, url, undefined, method === "POST" ? {} : undefined);
      assert.deepEqual(errorOf(none.json), { code: 401, status: "UNAUTHENTICATED" });
      const wrong = await call(method, url, library, method === "POST" ? {} : undefined);
      assert.deepEqual(errorOf(wrong.json), { code: 403, status: "PERMISSION_DENIED" });
    }
    assert.equal(picker.session(s.json.id as string)?.deletedAt, undefined);
  });
});

Deno.test("fake picker: mediaItems.list pages the picked items", async (t) => {
  await withFakes({}, async (google, picker, token) => {
    const base = picker.origin;
    const s = await call("POST", `${base}/v1/sessions`, token, {});
    const id = s.json.id as string;
    const list = (q: string) => call("GET", `${base}/v1/mediaItems?sessionId=${id}${q}`, token);

    await t.step("FAILED_PRECONDITION before the user is done", async () => {
      assert.deepEqual(errorOf((await list("")).json), {
        code: 400,
        status: "FAILED_PRECONDITION",
      });
    });

    const picked = [
      ...google.core.options.account.items.slice(0, 118).map((i) => i.id),
      "video0",
      "video1",
    ].reverse();
    picker.pick(id, picked);

    await t.step("after picking, pollingConfig is gone and mediaItemsSet is true", async () => {
      const r = await call("GET", `${base}/v1/sessions/${id}`, token);
      assert.equal(r.json.mediaItemsSet, true);
      assert.equal(r.json.pollingConfig, undefined);
    });

    await t.step("page sizes: default 50, max 100, above coerced, negative refused", async () => {
      assert.equal(((await list("")).json.mediaItems as unknown[]).length, 50);
      assert.equal(((await list("&pageSize=0")).json.mediaItems as unknown[]).length, 50);
      assert.equal(((await list("&pageSize=7")).json.mediaItems as unknown[]).length, 7);
      assert.equal(((await list("&pageSize=500")).json.mediaItems as unknown[]).length, 100);
      assert.deepEqual(errorOf((await list("&pageSize=-1")).json), {
        code: 400,
        status: "INVALID_ARGUMENT",
      });
    });

    await t.step("all pages give the picked items in order, with picker shapes", async () => {
      const got: Record<string, unknown>[] = [];
      let token2: string | undefined;
      do {
        const r = await list(`&pageSize=100${token2 ? `&pageToken=${token2}` : ""}`);
        got.push(...(r.json.mediaItems as Record<string, unknown>[]));
        token2 = r.json.nextPageToken as string | undefined;
      } while (token2);
      assert.deepEqual(got.map((i) => i.id), picked);
      const video = got.find((i) => i.id === "video1") as {
        type: string;
        mediaFile: { mediaFileMetadata: { width: number; videoMetadata: unknown } };
      };
      assert.equal(video.type, "VIDEO");
      assert.equal(video.mediaFile.mediaFileMetadata.width, 1920);
      assert.deepEqual(
        (video.mediaFile.mediaFileMetadata.videoMetadata as { processingStatus: string })
          .processingStatus,
        "PROCESSING",
      );
      const photo = got.find((i) => i.id === "photo0003") as {
        createTime: string;
        type: string;
        mediaFile: {
          baseUrl: string;
          mimeType: string;
          filename: string;
          mediaFileMetadata: { height: number };
        };
      };
      assert.equal(photo.type, "PHOTO");
      assert.equal(photo.createTime, "2021-05-04T12:00:03.000Z");
      assert.equal(photo.mediaFile.filename, "IMG_3.jpg");
      assert.equal(photo.mediaFile.mimeType, "image/jpeg");
      assert.equal(photo.mediaFile.mediaFileMetadata.height, 3024);
    });

    await t.step("a foreign page token is refused", async () => {
      const r = await list("&pageToken=bm9wZQ");
      assert.deepEqual(errorOf(r.json), { code: 400, status: "INVALID_ARGUMENT" });
    });
  });
});

Deno.test("fake picker: base URLs need the bearer token with the picker scope", async () => {
  await withFakes({}, async (google, picker, token) => {
    const s = await call("POST", `${picker.origin}/v1/sessions`, token, {});
    picker.pick(s.json.id as string, ["photo0001", "video0", "video1"]);
    const r = await call("GET", `${picker.origin}/v1/mediaItems?sessionId=${s.json.id}`, token);
    const [photo, video, processing] = r.json.mediaItems as { mediaFile: { baseUrl: string } }[];
    const get = async (url: string, bearer?: string) => {
      const headers = bearer === undefined ? undefined : { authorization: `Bearer ${bearer}` };
      const res = await fetch(url, { headers });
      return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
    };
    assert.equal((await get(`${photo.mediaFile.baseUrl}=d`)).status, 401);
    const library = google.issueAccessToken([SCOPES.library]);
    assert.equal((await get(`${photo.mediaFile.baseUrl}=d`, library)).status, 403);
    const ok = await get(`${photo.mediaFile.baseUrl}=d`, token);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.bytes, google.servedBytes("photo0001", "d"));
    const dv = await get(`${video.mediaFile.baseUrl}=dv`, token);
    assert.deepEqual(dv.bytes, google.servedBytes("video0", "dv"));
    assert.equal((await get(`${processing.mediaFile.baseUrl}=dv`, token)).status, 404);
    assert.equal((await get(photo.mediaFile.baseUrl, token)).status, 400);
    assert.ok(photo.mediaFile.baseUrl.startsWith(`${picker.origin}/s/${s.json.id}/media/`));
    assert.deepEqual(
      picker.mediaFetches.map((f) => [f.itemId, f.bearer, f.status]),
      [
        ["photo0001", false, 401],
        ["photo0001", true, 403],
        ["photo0001", true, 200],
        ["video0", true, 200],
        ["video1", true, 404],
        ["photo0001", true, 400],
      ],
    );
    // Access to the picked items ends with the session.
    await call("DELETE", `${picker.origin}/v1/sessions/${s.json.id}`, token);
    assert.equal((await get(`${photo.mediaFile.baseUrl}=d`, token)).status, 403);
  });
});

Deno.test("fake picker: autoPick plays the user after N polls; the hook form works", async () => {
  const { hook, started } = fakePickerHook({
    autoPick: { afterPolls: 2, itemIds: ["photo0002", "photo0001"] },
  });
  const google = await startFakeGoogle({ account: smallAccount(3), pickerHook: hook });
  try {
    const picker = await started;
    assert.equal(google.env().GPHOTOS_SYNC_PICKER_URL, picker.origin);
    const token = google.issueAccessToken();
    const s = await call("POST", `${picker.origin}/v1/sessions`, token, {});
    const url = `${picker.origin}/v1/sessions/${s.json.id}`;
    assert.equal((await call("GET", url, token)).json.mediaItemsSet, undefined);
    assert.equal((await call("GET", url, token)).json.mediaItemsSet, true);
    assert.deepEqual(picker.session(s.json.id as string)?.pickedIds, ["photo0002", "photo0001"]);
    assert.ok(google.calls.some((c) => c.path === `/v1/sessions/${s.json.id}`));
  } finally {
    await google.close();
  }
});
