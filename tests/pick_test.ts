/** `gphotos-sync pick` end to end against the fake Google and its Picker API. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateAccount, NASTY_ITEM_COUNT } from "./fixtures/generate.ts";
import type { FakeItem } from "./fixtures/account_types.ts";
import { type FakeGoogle, startFakeGoogle } from "./fake_google/mod.ts";
import { type FakePicker, type FakePickerOptions, startFakePicker } from "./fake_google/picker.ts";
import { runCli, setupTarget, sha256Hex, type TestTarget, walkFiles } from "./helpers.ts";
import { MediaIndex } from "../src/index/mod.ts";
import { SCOPES } from "../src/google/types.ts";

interface World {
  google: FakeGoogle;
  picker: FakePicker;
  t: TestTarget;
}

async function withWorld(
  opts: { items?: number; knobs?: FakePickerOptions; scopes?: string[] },
  fn: (w: World) => Promise<void>,
): Promise<void> {
  // 2025 rules: the Library API serves nothing of this library; only the Picker can read it.
  const google = await startFakeGoogle({
    account: generateAccount({ items: opts.items ?? 230, seed: 7 }),
    mode: "2025",
  });
  const picker = await startFakePicker({ google, pollIntervalS: 0.02, ...opts.knobs });
  const t = await setupTarget(google, opts.scopes ? { scopes: opts.scopes } : {});
  try {
    await fn({ google, picker, t });
  } finally {
    await t.cleanup();
    await picker.close();
    await google.close();
  }
}

function isVideo(item: FakeItem): boolean {
  return item.mimeType.startsWith("video/");
}

/** The items a user could pick: everything in the library view. */
function libraryItems(google: FakeGoogle): FakeItem[] {
  return google.core.options.account.items.filter((i) => i.inLibrary);
}

/** Ordinary items (after the hard cases): camera names, 5% READY videos. */
function ordinaryItems(google: FakeGoogle, count: number): FakeItem[] {
  const out = google.core.options.account.items.slice(NASTY_ITEM_COUNT, NASTY_ITEM_COUNT + count);
  assert.equal(out.length, count);
  return out;
}

/** The --json summary line. */
function summaryOf(stdout: string): Record<string, unknown> {
  const last = stdout.trim().split("\n").at(-1)!;
  const obj = JSON.parse(last) as Record<string, unknown>;
  assert.equal(obj.type, "summary");
  return obj;
}

/** Index rows as {id → row}, read with a fresh handle. */
function indexRows(target: string) {
  const index = MediaIndex.open(target);
  try {
    return new Map(index.allItems().map((r) => [r.id, r]));
  } finally {
    index.close();
  }
}

/** A browser that plays the user: picks `ids` in the session it is sent to. */
function userPicks(picker: FakePicker, ids: readonly string[], seen: string[] = []) {
  return (url: string) => {
    seen.push(url);
    picker.pickByUri(url, ids);
    return Promise.resolve();
  };
}

Deno.test("pick lands exactly the picked items, then a second pick adds only new ones", async (t) => {
  await withWorld({}, async ({ google, picker, t: target }) => {
    const all = libraryItems(google);
    // The hard cases first (clashing and forbidden names, HEIC, MOV, PROCESSING and FAILED videos,
    // undated items), then ordinary ones: 150 in all.
    const first = all.slice(0, 150);
    assert.ok(first.some((i) => i.videoStatus === "PROCESSING"));
    assert.ok(first.some((i) => i.videoStatus === "FAILED"));
    const notReady = new Set(
      first.filter((i) => isVideo(i) && i.videoStatus !== "READY").map((i) => i.id),
    );
    const opened: string[] = [];

    await t.step("the first pick: 150 items, videos not READY skipped with a reason", async () => {
      const r = await runCli(["pick", target.target, "--json"], target.env, {
        openBrowser: userPicks(picker, first.map((i) => i.id), opened),
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(opened.length, 1);
      const s = summaryOf(r.stdout);
      assert.equal(s.picked, 150);
      assert.equal(s.added, 150);
      assert.equal(s.downloaded, 150 - notReady.size);
      assert.equal(s.failed, 0);
      assert.equal(s.sessionDeleted, true);
      const skipped = s.skippedItems as { id: string; reason: string }[];
      assert.deepEqual(new Set(skipped.map((k) => k.id)), notReady);
      for (const k of skipped) assert.match(k.reason, /PROCESSING|FAILED/);
      // The picker URL is in the JSON events for scripts.
      assert.match(r.stdout, new RegExp(`"Pick your items in Google Photos: ${opened[0]}"`));
    });

    await t.step("the index holds exactly the picked items, as source picker", () => {
      const rows = indexRows(target.target);
      assert.deepEqual(new Set(rows.keys()), new Set(first.map((i) => i.id)));
      for (const item of first) {
        const row = rows.get(item.id)!;
        assert.equal(row.source, "picker");
        assert.equal(row.originalName, item.filename);
        assert.equal(row.fidelity, "picker");
        assert.equal(row.width, item.width);
        if (item.creationTime) {
          assert.equal(Date.parse(row.captureTime!), Date.parse(item.creationTime));
          assert.equal(row.dateSource, "picker");
        }
        assert.equal(row.downloadedAt !== null, !notReady.has(item.id), item.filename);
      }
    });

    await t.step(
      "a FAILED video is skipped as sync skips it: recorded, listed by status",
      async () => {
        const index = MediaIndex.open(target.target);
        try {
          const failed = first.filter((i) => i.videoStatus === "FAILED").map((i) => i.id);
          const skipped = index.skippedItems();
          assert.deepEqual(skipped.map((k) => k.id).sort(), [...failed].sort());
          for (const k of skipped) assert.match(k.reason, /status FAILED/);
          assert.deepEqual(index.failures(), []);
        } finally {
          index.close();
        }
        const st = await runCli(["status", target.target], target.env);
        assert.equal(st.code, 0, st.stdout + st.stderr);
        assert.match(
          st.stdout,
          /skipped \(Google cannot serve them\):\n {2}photos\/.*status FAILED/,
        );
      },
    );

    await t.step("the files are the bytes Google serves, under their index paths", async () => {
      const rows = indexRows(target.target);
      const files = (await walkFiles(target.target)).filter((f) => f.startsWith("photos/"));
      const expected = first.filter((i) => !notReady.has(i.id)).map((i) => rows.get(i.id)!.path);
      assert.deepEqual(files, [...expected].sort());
      for (const item of first.filter((i) => !notReady.has(i.id))) {
        const row = rows.get(item.id)!;
        const want = google.servedBytes(item.id, isVideo(item) ? "dv" : "d");
        const got = await Deno.readFile(join(target.target, row.path));
        assert.equal(await sha256Hex(got), row.sha256, row.path);
        assert.equal(row.sha256, await sha256Hex(want), row.path);
      }
    });

    await t.step("every media fetch carried the bearer token; the Library API was not used", () => {
      assert.ok(picker.mediaFetches.length >= 150 - notReady.size);
      assert.deepEqual(picker.mediaFetches.filter((f) => !f.bearer), []);
      assert.deepEqual(picker.mediaFetches.filter((f) => f.status >= 400), []);
      // Every API call the fake Google logged was one of the Picker's (they share the log).
      assert.equal(google.calls.filter((c) => c.kind === "api").length, picker.calls.length);
      assert.deepEqual(
        new Set(picker.calls.map((c) => c.name)),
        new Set(["sessions.create", "sessions.get", "mediaItems.list", "sessions.delete"]),
      );
      const s = picker.sessions();
      assert.equal(s.length, 1);
      assert.notEqual(s[0].deletedAt, undefined);
    });

    // The second pick: 50 items of the first, including the PROCESSING video, now READY, and 30 new.
    const processing = first.find((i) => i.videoStatus === "PROCESSING")!;
    const again = first.slice(100, 150).concat(processing);
    const fresh = all.slice(150, 180);
    const before = await walkFiles(target.target);
    const mtimes = new Map(
      await Promise.all(
        before.filter((f) => f.startsWith("photos/")).map(async (f) =>
          [f, (await Deno.stat(join(target.target, f))).mtime?.getTime()] as const
        ),
      ),
    );

    await t.step("a second, overlapping pick adds only the new items", async () => {
      processing.videoStatus = "READY";
      const fetchesBefore = picker.mediaFetches.length;
      const r = await runCli(["pick", target.target, "--json"], target.env, {
        openBrowser: userPicks(picker, [...again, ...fresh].map((i) => i.id)),
      });
      assert.equal(r.code, 0, r.stderr);
      const s = summaryOf(r.stdout);
      assert.equal(s.picked, again.length + fresh.length);
      assert.equal(s.added, 30);
      assert.equal(s.known, again.length);
      assert.equal(s.downloaded, 31, "the 30 new ones and the video that is READY now");
      assert.equal(picker.mediaFetches.length - fetchesBefore, 31);
      const rows = indexRows(target.target);
      assert.equal(rows.size, 180);
      assert.deepEqual(
        new Set(rows.keys()),
        new Set([...first, ...fresh].map((i) => i.id)),
      );
      assert.notEqual(rows.get(processing.id)!.downloadedAt, null);
      // Files of the first pick were left alone.
      for (const [f, mtime] of mtimes) {
        assert.equal((await Deno.stat(join(target.target, f))).mtime?.getTime(), mtime, f);
      }
      assert.equal(picker.openSessions().length, 0);
    });
  });
});

Deno.test("pick: media URLs without the bearer token are refused, and the tool always sends it", async () => {
  await withWorld({ items: NASTY_ITEM_COUNT + 20 }, async ({ google, picker, t: target }) => {
    const ids = ordinaryItems(google, 10).map((i) => i.id);
    const r = await runCli(["pick", target.target, "--quiet"], target.env, {
      openBrowser: userPicks(picker, ids),
    });
    assert.equal(r.code, 0, r.stderr);
    const tool = picker.mediaFetches.slice();
    assert.equal(tool.length, 10);
    assert.ok(tool.every((f) => f.bearer && f.status === 200));

    // The same URLs, as a client that leaves the token out would fetch them: refused.
    const token = google.issueAccessToken([SCOPES.picker]);
    const s = await fetch(`${picker.origin}/v1/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: "{}",
    }).then((res) => res.json()) as { id: string };
    picker.pick(s.id, ids);
    const list = await fetch(`${picker.origin}/v1/mediaItems?sessionId=${s.id}`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((res) => res.json()) as { mediaItems: { mediaFile: { baseUrl: string } }[] };
    for (const item of list.mediaItems) {
      const res = await fetch(`${item.mediaFile.baseUrl}=d`);
      await res.body?.cancel();
      assert.equal(res.status, 401);
    }
    const anonymous = picker.mediaFetches.slice(tool.length);
    assert.equal(anonymous.length, 10);
    assert.ok(anonymous.every((f) => !f.bearer && f.status === 401));
  });
});

Deno.test("pick: an item another source indexed is recognised, not added twice", async () => {
  await withWorld({ items: NASTY_ITEM_COUNT + 20 }, async ({ google, picker, t: target }) => {
    const [known, other] = ordinaryItems(google, 2);
    // A Takeout import indexed `known` under its own id, with its file on disk.
    const index = MediaIndex.open(target.target);
    const [row] = index.upsertItems([{
      id: "takeout:abc",
      source: "takeout",
      originalName: known.filename,
      mimeType: known.mimeType,
      mediaType: isVideo(known) ? "video" : "photo",
      captureTime: known.creationTime,
      dateSource: "sidecar",
      fidelity: "original",
    }]).added;
    await Deno.mkdir(join(target.target, row.path, ".."), { recursive: true });
    await Deno.writeFile(join(target.target, row.path), known.bytes());
    index.markDownloaded(row.id, { size: 1, sha256: "00", fidelity: "original" });
    index.close();

    const r = await runCli(["pick", target.target, "--json"], target.env, {
      openBrowser: userPicks(picker, [known.id, other.id]),
    });
    assert.equal(r.code, 0, r.stderr);
    const s = summaryOf(r.stdout);
    assert.deepEqual([s.picked, s.added, s.recognised, s.alreadyOnDisk, s.downloaded], [
      2,
      1,
      1,
      1,
      1,
    ]);
    const rows = indexRows(target.target);
    assert.deepEqual(new Set(rows.keys()), new Set(["takeout:abc", other.id]));
    assert.equal(rows.get("takeout:abc")!.fidelity, "original");
    assert.deepEqual(picker.mediaFetches.map((f) => f.itemId), [other.id]);
  });
});

Deno.test("pick: a session that times out ends cleanly with the session deleted", async () => {
  await withWorld(
    { items: NASTY_ITEM_COUNT + 20, knobs: { pollTimeoutS: 0.25 } },
    async ({ picker, t: target }) => {
      const r = await runCli(["pick", target.target, "--no-browser"], target.env, {
        openBrowser: () => Promise.reject(new Error("no browser was asked for")),
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: Picking timed out after .*pick/m);
      // --no-browser prints the URL and a QR code instead.
      assert.match(r.stderr, new RegExp(`${picker.origin}/picker/`));
      assert.match(r.stderr, /▄/);
      const [s] = picker.sessions();
      assert.ok(s.polls >= 2, `polled ${s.polls} times`);
      assert.notEqual(s.deletedAt, undefined);
      assert.equal(indexRows(target.target).size, 0);
    },
  );
});

Deno.test("pick: a session that expires ends cleanly with the session deleted", async (t) => {
  await t.step("expired while polling", async () => {
    await withWorld(
      { items: NASTY_ITEM_COUNT + 20, knobs: { sessionLifetimeS: 0.2, pollTimeoutS: 60 } },
      async ({ picker, t: target }) => {
        const r = await runCli(["pick", target.target], target.env, {
          openBrowser: () => Promise.resolve(),
        });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^error: The picking session expired at .* before its items/m);
        const [s] = picker.sessions();
        assert.notEqual(s.deletedAt, undefined);
        assert.equal(indexRows(target.target).size, 0);
      },
    );
  });

  await t.step(
    "expired while downloading: what is on disk stays, the rest is explained",
    async () => {
      await withWorld({ items: NASTY_ITEM_COUNT + 40 }, async ({ google, picker, t: target }) => {
        const ids = ordinaryItems(google, 40).filter((i) => !isVideo(i)).map((i) => i.id);
        // Slow media, so the session ends part-way through the downloads.
        google.setOptions({ latencyMs: 0, maxConcurrentMedia: 1, bandwidthBytesPerSec: 5_000 });
        picker.setOptions({ sessionLifetimeS: 1.5 });
        const r = await runCli(["pick", target.target, "--max-threads", "1"], target.env, {
          openBrowser: userPicks(picker, ids),
        });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /^error: The picking session expired at .* after \d+ of \d+ items/m);
        const [s] = picker.sessions();
        assert.notEqual(s.deletedAt, undefined);
        const rows = [...indexRows(target.target).values()];
        assert.equal(rows.length, ids.length);
        const done = rows.filter((row) => row.downloadedAt !== null);
        assert.ok(done.length > 0 && done.length < ids.length, `${done.length} downloaded`);
        for (const row of done) {
          const bytes = await Deno.readFile(join(target.target, row.path));
          assert.equal(await sha256Hex(bytes), row.sha256);
        }
        // Once Google said the session was gone, no other URL was fetched.
        assert.equal(picker.mediaFetches.filter((f) => f.status === 403).length, 1);
        assert.equal(picker.mediaFetches.length, done.length + 1);
      });
    },
  );
});

Deno.test("pick: Ctrl-C while polling ends cleanly with the session deleted", async () => {
  await withWorld(
    { items: NASTY_ITEM_COUNT + 20, knobs: { pollTimeoutS: 60 } },
    async ({ picker, t: target }) => {
      const ctrlC = new AbortController();
      const r = await runCli(["pick", target.target, "--json"], target.env, {
        signal: ctrlC.signal,
        openBrowser: () => {
          // Ctrl-C once polling is under way (two polls seen), however loaded the machine.
          const timer = setInterval(() => {
            if ((picker.sessions()[0]?.polls ?? 0) >= 2) {
              clearInterval(timer);
              ctrlC.abort(new Error("Interrupted"));
            }
          }, 10);
          return Promise.resolve();
        },
      });
      assert.equal(r.code, 130);
      const s = summaryOf(r.stdout);
      assert.equal(s.interrupted, true);
      assert.equal(s.picked, 0);
      assert.equal(s.sessionDeleted, true);
      const [session] = picker.sessions();
      assert.ok(session.polls >= 2);
      assert.notEqual(session.deletedAt, undefined);
      const index = MediaIndex.open(target.target);
      try {
        assert.equal(index.lastRuns()[0].status, "interrupted");
      } finally {
        index.close();
      }
    },
  );
});

Deno.test("pick: options, and Google's refusals with one line and the SPEC exit code", async (t) => {
  await t.step("no Google Photos account: FAILED_PRECONDITION, exit 3", async () => {
    await withWorld(
      { items: 10, knobs: { noPhotosAccount: true } },
      async ({ picker, t: target }) => {
        const r = await runCli(["pick", target.target], target.env);
        assert.equal(r.code, 3);
        assert.match(r.stderr, /^error: .*no active Google Photos .*auth TARGET --new-token/m);
        assert.equal(r.stderr.trim().split("\n").length, 1);
        assert.equal(picker.sessions().length, 0);
      },
    );
  });

  await t.step("the session deleted elsewhere: NOT_FOUND, exit 1", async () => {
    await withWorld(
      { items: 10, knobs: { pollTimeoutS: 60 } },
      async ({ google, picker, t: target }) => {
        const token = google.issueAccessToken([SCOPES.picker]);
        const r = await runCli(["pick", target.target, "--quiet"], target.env, {
          openBrowser: async (url) => {
            const res = await fetch(
              `${picker.origin}/v1/sessions/${picker.sessionIdFromUri(url)}`,
              {
                method: "DELETE",
                headers: { authorization: `Bearer ${token}` },
              },
            );
            await res.body?.cancel();
          },
        });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^error: The picking session ".*" no longer exists in Google/m);
      },
    );
  });

  await t.step("--max-items above 2000 is capped, with a warning", async () => {
    await withWorld({ items: 10 }, async ({ google, picker, t: target }) => {
      const ids = libraryItems(google).slice(0, 2).map((i) => i.id);
      const r = await runCli(["pick", target.target, "--max-items", "5000"], target.env, {
        openBrowser: userPicks(picker, ids),
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^warning: --max-items "5000" is above Google's limit/m);
      assert.equal(picker.sessions()[0].maxItemCount, 2000);
      const r2 = await runCli(["pick", target.target, "--max-items", "7"], target.env, {
        openBrowser: userPicks(picker, ids),
      });
      assert.equal(r2.code, 0, r2.stderr);
      assert.equal(picker.sessions()[1].maxItemCount, 7);
    });
  });

  await t.step("a token without the Picker scope: exit 3", async () => {
    await withWorld({ items: 10, scopes: [SCOPES.library] }, async ({ picker, t: target }) => {
      const r = await runCli(["pick", target.target], target.env);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /^error: The saved token does not allow the Google Photos Picker/m);
      assert.equal(picker.sessions().length, 0);
    });
  });
});
