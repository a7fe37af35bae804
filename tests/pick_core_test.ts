/** The pick core and the Picker client, driven directly against the fake (no CLI). */
import assert from "node:assert/strict";
import { generateAccount, NASTY_ITEM_COUNT } from "./fixtures/generate.ts";
import { type FakeGoogle, startFakeGoogle } from "./fake_google/mod.ts";
import { type FakePicker, type FakePickerOptions, startFakePicker } from "./fake_google/picker.ts";
import { GoogleHttp } from "../src/google/http.ts";
import { Pacer } from "../src/google/pacer.ts";
import { parseDuration, PICKER_MAX_ITEMS, PickerApi } from "../src/google/picker_api.ts";
import { SCOPES } from "../src/google/types.ts";
import type { PickedMediaItem } from "../src/google/types.ts";
import { MediaIndex } from "../src/index/mod.ts";
import type { RunEvent } from "../src/events.ts";
import { PickError } from "../src/sources/picker/pick.ts";
import { pickAndDownload } from "../src/sync/run_pick.ts";
import { recordFromPickedItem } from "../src/sources/picker/pick_records.ts";

interface Core {
  google: FakeGoogle;
  picker: FakePicker;
  api: PickerApi;
  http: GoogleHttp;
  pacer: Pacer;
  target: string;
  index: MediaIndex;
  /** Media requests the client sent, and whether each carried the bearer token. */
  sent: { url: string; bearer: boolean }[];
}

async function withCore(knobs: FakePickerOptions, fn: (c: Core) => Promise<void>): Promise<void> {
  const google = await startFakeGoogle({
    account: generateAccount({ items: NASTY_ITEM_COUNT + 40, seed: 3 }),
    mode: "2025",
  });
  const picker = await startFakePicker({ google, pollIntervalS: 0.02, ...knobs });
  const target = await Deno.makeTempDir({ prefix: "gphotos-pick-core-" });
  const index = MediaIndex.open(target);
  const sent: Core["sent"] = [];
  // Retries without waiting, so a retried 429 does not slow the test down.
  const pacer = new Pacer({ min429WaitS: 0, sleep: () => Promise.resolve() });
  const tokens = {
    accessToken: () => Promise.resolve(token),
    refreshNow: () => Promise.resolve(token = google.issueAccessToken()),
  };
  let token = google.issueAccessToken();
  const spy: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes("/media/")) {
      sent.push({ url, bearer: new Headers(init?.headers).has("authorization") });
    }
    return fetch(input, init);
  };
  const http = new GoogleHttp({ tokens, pacer, fetch: spy });
  const api = new PickerApi({ http, baseUrl: picker.origin });
  try {
    await fn({ google, picker, api, http, pacer, target, index, sent });
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
    await picker.close();
    await google.close();
  }
}

function ordinaryIds(google: FakeGoogle, count: number): string[] {
  return google.core.options.account.items
    .slice(NASTY_ITEM_COUNT, NASTY_ITEM_COUNT + count)
    .filter((i) => !i.mimeType.startsWith("video/"))
    .map((i) => i.id);
}

Deno.test("parseDuration() reads protobuf Durations", () => {
  const table: [string | undefined, number | undefined][] = [
    ["5s", 5000],
    ["3.5s", 3500],
    ["0s", 0],
    ["0.001s", 1],
    ["0.500000000s", 500],
    ["1799.873s", 1799873],
    ["5", undefined],
    ["s", undefined],
    ["1m", undefined],
    [undefined, undefined],
  ];
  for (const [text, ms] of table) assert.equal(parseDuration(text), ms, String(text));
});

Deno.test("recordFromPickedItem() maps a PickedMediaItem to an index record", () => {
  const video: PickedMediaItem = {
    id: "v1",
    createTime: "2023-04-05T06:07:08.123Z",
    type: "VIDEO",
    mediaFile: {
      baseUrl: "https://example.invalid/x",
      mimeType: "video/mp4",
      filename: "clip.mp4",
      mediaFileMetadata: {
        width: 1920,
        height: 1080,
        videoMetadata: { fps: 30, processingStatus: "PROCESSING" },
      },
    },
  };
  assert.deepEqual(recordFromPickedItem(video), {
    id: "v1",
    source: "picker",
    originalName: "clip.mp4",
    mimeType: "video/mp4",
    mediaType: "video",
    captureTime: "2023-04-05T06:07:08.123Z",
    dateSource: "picker",
    width: 1920,
    height: 1080,
    cameraMake: undefined,
    cameraModel: undefined,
    fidelity: "picker",
    videoStatus: "PROCESSING",
  });
  // Old snapshots of the reference lack filename; no createTime means no picker date.
  const bare = recordFromPickedItem({ id: "p1", mediaFile: { mimeType: "image/jpeg" } });
  assert.equal(bare.originalName, "p1");
  assert.equal(bare.mediaType, "photo");
  assert.equal(bare.dateSource, "none");
  assert.equal(bare.captureTime, undefined);
});

Deno.test("PickerApi.createSession() asks for at most 2000 items", async () => {
  await withCore({}, async ({ api, picker }) => {
    for (const [ask, want] of [[undefined, 2000], [5000, 2000], [25, 25]] as const) {
      const s = await api.createSession(ask);
      assert.equal(picker.session(s.id)?.maxItemCount, want);
      assert.equal(s.pickingConfig?.maxItemCount, String(want));
      await api.deleteSession(s.id);
    }
    assert.equal(PICKER_MAX_ITEMS, 2000);
    await assert.rejects(() => api.createSession(0), RangeError);
  });
});

Deno.test("pickAndDownload(): too many open sessions is RESOURCE_EXHAUSTED, exit 1", async () => {
  await withCore({ maxOpenSessions: 0 }, async ({ api, picker, target, index, http, pacer }) => {
    const failure = await pickAndDownload(api, { target, index, http }).catch((e) => e);
    assert.ok(failure instanceof PickError && failure.reason === "resource_exhausted");
    assert.equal(failure.exitCode, 1);
    // Too many sessions is final at once: no wait can fix it, so it is not retried.
    assert.equal(picker.calls.filter((c) => c.name === "sessions.create").length, 1);
    assert.equal(pacer.tally.retries, 0);
    assert.match(failure.message, /too many open sessions.*try again later/);
    assert.equal(picker.sessions().length, 0);
  });
});

Deno.test("pickAndDownload(): refused picker URLs are renewed by listing the session again", async () => {
  await withCore({}, async ({ google, picker, api, http, target, index, sent }) => {
    const ids = ordinaryIds(google, 12);
    // URLs live 0.3 s and one slow transfer runs at a time: later items find theirs expired.
    google.setOptions({ baseUrlLifetimeS: 0.3, maxConcurrentMedia: 1, latencyMs: 60 });
    picker.setOptions({ autoPick: { afterPolls: 1, itemIds: ids } });
    const events: RunEvent[] = [];
    const summary = await pickAndDownload(api, {
      target,
      index,
      http,
      maxThreads: 1,
      onEvent: (e) => events.push(e),
    });
    assert.equal(summary.downloaded, ids.length);
    assert.deepEqual(summary.failed, []);
    const refused = picker.mediaFetches.filter((f) => f.status === 403);
    assert.ok(refused.length > 0, "some URLs expired");
    const lists = picker.calls.filter((c) => c.name === "mediaItems.list").length;
    assert.ok(lists > 1, `listed ${lists} times`);
    // The client never fetched a picker URL without the token.
    assert.equal(sent.length, picker.mediaFetches.length);
    assert.ok(sent.every((s) => s.bearer));
    assert.ok(summary.sessionDeleted);
    const n = ids.length;
    assert.ok(
      events.some((e) => e.type === "info" && e.message.startsWith(`Picked ${n} items: ${n} new`)),
    );
  });
});

Deno.test("pickAndDownload(): Ctrl-C during downloads stops, keeps what is done, deletes the session", async () => {
  await withCore({}, async ({ google, picker, api, http, target, index }) => {
    const ids = ordinaryIds(google, 30);
    google.setOptions({ maxConcurrentMedia: 1, bandwidthBytesPerSec: 20_000 });
    picker.setOptions({ autoPick: { afterPolls: 1, itemIds: ids } });
    const ctrlC = new AbortController();
    const summary = await pickAndDownload(api, {
      target,
      index,
      http,
      maxThreads: 2,
      signal: ctrlC.signal,
      onEvent: (e) => {
        if (e.type === "item" && e.status === "downloaded" && !ctrlC.signal.aborted) {
          setTimeout(() => ctrlC.abort(), 30);
        }
      },
    });
    assert.equal(summary.interrupted, true);
    assert.ok(summary.downloaded >= 1 && summary.downloaded < ids.length, `${summary.downloaded}`);
    assert.deepEqual(summary.failed, []);
    assert.equal(index.downloadedItems().length, summary.downloaded);
    assert.equal(index.allItems().length, ids.length);
    assert.ok(summary.sessionDeleted);
    assert.notEqual(picker.sessions()[0].deletedAt, undefined);
  });
});

Deno.test("pickAndDownload(): the session is deleted when the run fails", async () => {
  await withCore({ pollTimeoutS: 0.1 }, async ({ api, picker, target, index, http }) => {
    const seen: string[] = [];
    const error = await pickAndDownload(api, {
      target,
      index,
      http,
      onSession: (s) => {
        seen.push(s.pickerUri);
      },
    }).catch((e) => e);
    assert.ok(error instanceof PickError && error.reason === "timeout", String(error));
    assert.equal(seen.length, 1);
    assert.equal(picker.openSessions().length, 0);
    assert.equal(picker.sessions().length, 1);
  });
});

Deno.test("pickAndDownload(): the token must carry the picker scope", async () => {
  await withCore({}, async ({ google, picker, target, index }) => {
    const token = google.issueAccessToken([SCOPES.library]);
    const http = new GoogleHttp({
      tokens: {
        accessToken: () => Promise.resolve(token),
        refreshNow: () => Promise.resolve(token),
      },
      pacer: new Pacer({ min429WaitS: 0, sleep: () => Promise.resolve() }),
    });
    const api = new PickerApi({ http, baseUrl: picker.origin });
    const error = await pickAndDownload(api, { target, index, http }).catch((e) => e);
    assert.equal(error?.exitCode, 3);
    assert.match(error.message, /does not allow the Google Photos Picker/);
  });
});
