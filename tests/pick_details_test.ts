/** `pick` and the Picker details users hit: its own quotas, videos without a status, a wrong URL. */
import assert from "node:assert/strict";
import { generateAccount } from "./fixtures/generate.ts";
import type { FakeItem } from "./fixtures/account_types.ts";
import { type FakeGoogle, startFakeGoogle } from "./fake_google/mod.ts";
import { type FakePicker, type FakePickerOptions, startFakePicker } from "./fake_google/picker.ts";
import { runCli, setupTarget, type TestTarget } from "./helpers.ts";
import { MediaIndex } from "../src/index/mod.ts";

interface World {
  google: FakeGoogle;
  picker: FakePicker;
  t: TestTarget;
}

async function withWorld(knobs: FakePickerOptions, fn: (w: World) => Promise<void>): Promise<void> {
  const google = await startFakeGoogle({
    account: generateAccount({ items: 120, seed: 9, nasty: false }),
    mode: "2025",
  });
  const picker = await startFakePicker({ google, pollIntervalS: 0.02, ...knobs });
  const t = await setupTarget(google);
  try {
    await fn({ google, picker, t });
  } finally {
    await t.cleanup();
    await picker.close();
    await google.close();
  }
}

function readyVideos(google: FakeGoogle): FakeItem[] {
  return google.core.options.account.items.filter((i) =>
    i.inLibrary && i.mimeType.startsWith("video/") && (i.videoStatus ?? "READY") === "READY"
  );
}

function summaryOf(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
}

Deno.test("pick downloads videos listed without processingStatus and counts Picker calls apart", async (t) => {
  await withWorld({ omitProcessingStatus: true }, async ({ google, picker, t: tt }) => {
    const videos = readyVideos(google).slice(0, 3);
    assert.ok(videos.length >= 2, "the account has READY videos");
    const photos = google.core.options.account.items
      .filter((i) => i.inLibrary && i.mimeType.startsWith("image/"))
      .slice(0, 5);
    const ids = [...videos, ...photos].map((i) => i.id);
    const res = await runCli(["pick", tt.target, "--json"], tt.env, {
      openBrowser: (url) => {
        picker.pickByUri(url, ids);
        return Promise.resolve();
      },
    });
    assert.equal(res.code, 0, res.stderr);
    const s = summaryOf(res.stdout);

    await t.step("a video without processingStatus is downloaded, not skipped", () => {
      assert.equal(s.skipped, 0, JSON.stringify(s.skippedItems));
      assert.equal(s.downloaded, ids.length);
      const index = MediaIndex.open(tt.target);
      try {
        for (const v of videos) assert.ok(index.getItem(v.id)?.downloadedAt, v.filename);
      } finally {
        index.close();
      }
    });

    await t.step("Picker calls count against the Picker's quotas, not the Library's", () => {
      assert.equal(s.pickerCalls, picker.calls.length);
      assert.equal(s.pickerMediaFetches, picker.mediaFetches.length);
      assert.equal(s.pickerCallsPerMinuteQuota, 100_000);
      assert.equal(s.pickerMediaFetchesPerMinuteQuota, 1_000_000);
      assert.equal(s.apiCalls, 0);
      assert.equal(s.mediaFetches, 0);
    });

    await t.step("the human summary shows the Picker's calls on their own", async () => {
      const again = await runCli(["pick", tt.target], tt.env, {
        openBrowser: (url) => {
          picker.pickByUri(url, ids.slice(0, 1));
          return Promise.resolve();
        },
      });
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stderr + again.stdout,
        /Picker API calls: \d+ of 100,000 a minute; Picker media fetches: \d+ of 1,000,000 a minute/,
      );
    });
  });
});

Deno.test("pick against a Picker URL that answers 404 names the failed call", async () => {
  // No picker add-on: the fake's Picker address answers every call with 404.
  const google = await startFakeGoogle({
    account: generateAccount({ items: 3, seed: 1, nasty: false }),
  });
  const tt = await setupTarget(google);
  try {
    const res = await runCli(["pick", tt.target, "--no-browser"], tt.env);
    assert.equal(res.code, 1, res.stderr);
    const errors = res.stderr.split("\n").filter((l) => l.startsWith("error:"));
    assert.equal(errors.length, 1, res.stderr);
    assert.match(errors[0], /Picker API call sessions\.create failed .*404/);
    assert.match(errors[0], /"\/picker-not-started\/v1\/sessions"/);
    assert.doesNotMatch(res.stderr, /undefined/);
  } finally {
    await tt.cleanup();
    await google.close();
  }
});
