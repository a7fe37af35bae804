import assert from "node:assert/strict";
import { join } from "node:path";
import { MediaIndex, monthCounts, monthItems } from "../src/index/mod.ts";
import type { MediaRecord } from "../src/index/types.ts";
import { buildTimeline, isUtf8Locale, timelineLines } from "../src/status_page/mod.ts";
import { monthRange } from "../src/status_page/timeline.ts";
import { readCompareSummary } from "../src/status_page/page_data.ts";
import { sha256Hex } from "../src/files/hash.ts";
import { runCli } from "./helpers.ts";

function photo(
  id: string,
  captureTime: string | undefined,
  over: Partial<MediaRecord> = {},
): MediaRecord {
  return {
    id,
    source: "library",
    originalName: `${id}.jpg`,
    mimeType: "image/jpeg",
    mediaType: "photo",
    captureTime,
    dateSource: captureTime ? "api" : "none",
    ...over,
  };
}

/** 2023-11: 4 items (one failed), 2023-12: none, 2024-01: 1 pending, 2024-02: 8, 2 undated. */
async function buildTarget(): Promise<string> {
  const target = await Deno.makeTempDir();
  const index = MediaIndex.open(target);
  try {
    const records = [
      ...[1, 2, 3, 4].map((d) => photo(`nov${d}`, `2023-11-0${d}T12:00:00Z`)),
      photo("jan1", "2024-01-15T12:00:00Z", { source: "picker" }),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((d) =>
        photo(`feb${d}`, `2024-02-0${d}T12:00:00Z`, { source: d > 6 ? "takeout" : "library" })
      ),
      photo("u1", undefined, { source: "takeout" }),
      photo("u2", undefined, { source: "takeout" }),
    ];
    index.upsertItems(records);
    for (const r of records) {
      if (r.id === "jan1" || r.id === "nov4") continue;
      const row = index.getItem(r.id)!;
      const bytes = new TextEncoder().encode(`bytes of ${r.id}`);
      await Deno.mkdir(join(target, row.folder), { recursive: true });
      await Deno.writeFile(join(target, row.path), bytes);
      index.markDownloaded(r.id, { size: bytes.length, sha256: sha256Hex(bytes) });
    }
    index.recordFailure("nov4", "download", "boom");
  } finally {
    index.close();
  }
  return target;
}

Deno.test("monthRange() and buildTimeline() mark the months without items as gaps", () => {
  assert.deepEqual(monthRange("2023-11", "2024-02"), ["2023-11", "2023-12", "2024-01", "2024-02"]);
  const t = buildTimeline([
    { month: "2023-11", source: "library", state: "onDisk", items: 3, bytes: 30 },
    { month: "2023-11", source: "library", state: "failed", items: 1, bytes: 0 },
    { month: "2024-02", source: "takeout", state: "pending", items: 8, bytes: 0 },
    { month: null, source: "takeout", state: "onDisk", items: 2, bytes: 5 },
  ]);
  assert.deepEqual(
    t.columns.map((c) => [c.key, c.gap, c.total]),
    [
      ["2023-11", false, 4],
      ["2023-12", true, 0],
      ["2024-01", true, 0],
      ["2024-02", false, 8],
      ["undated", false, 2],
    ],
  );
  assert.equal(t.max, 8);
  assert.equal(t.columns[0].breakdown.library.failed, 1);
  assert.deepEqual(buildTimeline([]), { columns: [], max: 0 });
});

Deno.test("isUtf8Locale() takes LC_ALL over LC_CTYPE over LANG", () => {
  assert.equal(isUtf8Locale({ LANG: "en_US.UTF-8" }), true);
  assert.equal(isUtf8Locale({ LANG: "de_DE.utf8" }), true);
  assert.equal(isUtf8Locale({ LC_ALL: "C", LANG: "en_US.UTF-8" }), false);
  assert.equal(isUtf8Locale({ LC_CTYPE: "C.UTF-8", LANG: "C" }), true);
  assert.equal(isUtf8Locale({ LC_ALL: "", LC_CTYPE: "POSIX", LANG: "en_US.UTF-8" }), false);
  assert.equal(isUtf8Locale({}), false);
});

Deno.test("timelineLines() draws a year a line, scaled to the busiest month", () => {
  const t = buildTimeline([
    { month: "2023-11", source: "library", state: "onDisk", items: 4, bytes: 0 },
    { month: "2024-01", source: "picker", state: "pending", items: 1, bytes: 0 },
    { month: "2024-02", source: "library", state: "onDisk", items: 8, bytes: 0 },
    { month: null, source: "takeout", state: "onDisk", items: 2, bytes: 0 },
  ]);
  assert.deepEqual(timelineLines(t, { utf8: true }), [
    "timeline (█ = 8 items in a month):",
    "       JFMAMJJASOND",
    "  2023           ▄·  4",
    "  2024 ▁█            9",
    "  undated: 2",
  ]);
  assert.deepEqual(timelineLines(t, { utf8: false }).slice(2, 4), [
    "  2023           =_  4",
    "  2024 .@            9",
  ]);
  assert.deepEqual(timelineLines(buildTimeline([]), { utf8: true }), ["timeline: no items"]);
});

Deno.test("monthCounts() and monthItems() aggregate in SQL, the newest items of a month first", async () => {
  const target = await buildTarget();
  const index = MediaIndex.openReadOnly(target);
  try {
    const counts = monthCounts(index);
    const nov = counts.filter((c) => c.month === "2023-11");
    assert.deepEqual(nov.map((c) => [c.state, c.items]), [["failed", 1], ["onDisk", 3]]);
    assert.equal(counts.find((c) => c.month === null)?.items, 2);
    const items = monthItems(index, ["2024-02"], 3).filter((i) => i.month === "2024-02");
    // The newest 3 items, and the newest 3 photos (the same ones here).
    assert.deepEqual(items.map((i) => i.name), ["feb8.jpg", "feb7.jpg", "feb6.jpg"]);
    assert.equal(items[0].state, "onDisk");
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("status --timeline and --json carry the per-month counts", async () => {
  const target = await buildTarget();
  try {
    const utf = await runCli(["status", target, "--timeline"], { LANG: "en_US.UTF-8" });
    assert.equal(utf.code, 4, utf.stderr);
    assert.match(utf.stdout, /^ {2}2023 {11}▄· {2}4$/m);
    assert.match(utf.stdout, /^ {2}2024 ▁█ {12}9$/m);
    assert.match(utf.stdout, /undated: 2/);
    const ascii = await runCli(["status", target, "--timeline"], { LANG: "C" });
    assert.match(ascii.stdout, /^ {2}2023 {11}=_ {2}4$/m);
    assert.doesNotMatch(ascii.stdout, /[█·]/);
    const json = await runCli(["status", target, "--json"], {});
    const summary = JSON.parse(json.stdout.trim().split("\n").at(-1)!);
    const feb = summary.months.filter((m: { month: string }) => m.month === "2024-02");
    assert.deepEqual(
      feb.map((
        m: { source: string; state: string; items: number },
      ) => [m.source, m.state, m.items]),
      [["library", "onDisk", 6], ["takeout", "onDisk", 2]],
    );
  } finally {
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("status --html writes one self-contained page; --verify's result shows on it", async (t) => {
  const target = await buildTarget();
  try {
    await t.step("the default page in TARGET, with paths relative to it", async () => {
      const res = await runCli(["status", target, "--html"], {});
      assert.equal(res.code, 4, res.stderr);
      const html = await Deno.readTextFile(join(target, "status.html"));
      assert.doesNotMatch(html, /\b(src|href)="https?:/);
      assert.doesNotMatch(html, /@import|url\(http/);
      assert.match(html, /"base":""/);
      assert.match(html, /"photos\/2024\/02\/feb8.jpg"/);
      assert.match(html, /Files never verified/);
      assert.match(res.stdout, /page: .*status\.html/);
    });
    await t.step("a verify is remembered and shown", async () => {
      await Deno.remove(join(target, "photos/2024/02/feb1.jpg"));
      const res = await runCli(["status", target, "--verify", "--html"], {});
      assert.equal(res.code, 4, res.stderr);
      const html = await Deno.readTextFile(join(target, "status.html"));
      assert.match(html, /13 files checked, 1 missing, 0 changed/);
      assert.match(html, /missing <a href="photos\/2024\/02\/feb1.jpg">/);
    });
    await t.step("--html FILE elsewhere points back into TARGET", async () => {
      const out = await Deno.makeTempDir();
      try {
        const file = join(out, "page.html");
        const res = await runCli(["status", target, "--html", file], {});
        assert.equal(res.code, 4, res.stderr);
        const html = await Deno.readTextFile(file);
        const up = (await import("node:path")).relative(out, target);
        assert.ok(html.includes(`"base":"${up}/"`), "base of the image paths");
        // Nothing but the page is left there: no temporary file, no .gphotos-tmp/.
        const names = [];
        for await (const e of Deno.readDir(out)) names.push(e.name);
        assert.deepEqual(names, ["page.html"]);
      } finally {
        await Deno.remove(out, { recursive: true });
      }
    });
    await t.step("a FILE in a missing folder, or a folder, is a usage error", async () => {
      const missing = join(target, "no-such-folder", "page.html");
      const res = await runCli(["status", target, "--html", missing], {});
      assert.equal(res.code, 2);
      assert.match(
        res.stderr,
        /Cannot write the status page ".*page\.html": folder ".*no-such-folder" does not exist/,
      );
      assert.doesNotMatch(res.stderr, /\n\s+at /);
      await assert.rejects(Deno.stat(join(target, "no-such-folder")));
      const folder = await runCli(["status", target, "--html", join(target, "photos")], {});
      assert.equal(folder.code, 2);
      assert.match(folder.stderr, /it is a folder/);
    });
  } finally {
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("readCompareSummary() counts the last comparison's missing and extra files per year", async () => {
  const target = await Deno.makeTempDir();
  try {
    assert.equal(await readCompareSummary(target), undefined);
    await Deno.mkdir(join(target, "comparison"));
    await Deno.writeTextFile(
      join(target, "comparison", "report.json"),
      JSON.stringify({
        folder: "/old/backup",
        counts: { matched: 7 },
        files: [
          { class: "missing", captureTime: "2019-05-01T00:00:00Z" },
          { class: "missing", captureTime: null },
          { class: "matched", captureTime: "2019-05-01T00:00:00Z" },
          { class: "missing", captureTime: "2019-06-01T00:00:00Z" },
        ],
        extra: [{ captureTime: "2021-01-01T00:00:00Z" }],
      }),
    );
    const summary = await readCompareSummary(target);
    assert.equal(summary?.matched, 7);
    assert.deepEqual(summary?.years, [
      { year: "2019", missing: 2, extra: 0 },
      { year: "2021", missing: 0, extra: 1 },
      { year: "undated", missing: 1, extra: 0 },
    ]);
  } finally {
    await Deno.remove(target, { recursive: true });
  }
});
