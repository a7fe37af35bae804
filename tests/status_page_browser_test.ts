/**
 * The status page in a real browser: Debian's headless Chromium, driven by puppeteer-core, loads a
 * page written for an index with known months (a gap, undated items) and checks what it shows.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CHROMIUM, launchChromium } from "./headless_chromium.ts";
import { MediaIndex } from "../src/index/mod.ts";
import type { MediaRecord, Source } from "../src/index/types.ts";
import { jpegWithExif } from "./fixtures/media_bytes.ts";
import { sha256Hex } from "../src/files/hash.ts";
import { runCli } from "./helpers.ts";

/**
 * Where the screenshot goes: README's picture only when asked (`GPHOTOS_SCREENSHOT`), so a test
 * run leaves the checkout as it was; otherwise a file of the test's own TARGET.
 */
const SCREENSHOT = Deno.env.get("GPHOTOS_SCREENSHOT");

/** What an element has in both HTML and SVG. */
type HTMLOrSVG = { focus(): void };

/** One planned month: how many items of each source, and how many of them are not on disk. */
interface PlannedMonth {
  month: string | null;
  items: { source: Source; onDisk: number; pending: number; failed: number }[];
}

/** Two years with a gap in 2023-08 and a half-finished last month, plus undated items. */
function plan(): PlannedMonth[] {
  const out: PlannedMonth[] = [];
  for (let i = 0; i < 24; i++) {
    const month = `${2023 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
    if (month === "2023-08") continue;
    const library = 3 + ((i * 7) % 13);
    const items: PlannedMonth["items"] = [
      {
        source: "library",
        onDisk: i === 23 ? 2 : library,
        pending: i === 23 ? library - 2 : 0,
        failed: i === 5 ? 2 : 0,
      },
    ];
    if (i < 10) items.push({ source: "takeout", onDisk: 2 + (i % 3), pending: 0, failed: 0 });
    if (i % 5 === 1) items.push({ source: "picker", onDisk: 1, pending: 0, failed: 0 });
    if (i % 6 === 2) items.push({ source: "album", onDisk: 2, pending: 1, failed: 0 });
    out.push({ month, items });
  }
  out.push({ month: null, items: [{ source: "takeout", onDisk: 3, pending: 0, failed: 0 }] });
  return out;
}

function total(m: PlannedMonth): number {
  return m.items.reduce((n, s) => n + s.onDisk + s.pending + s.failed, 0);
}

/** Writes the planned items into a new TARGET, with a real small JPEG for each item on disk. */
async function buildTarget(months: PlannedMonth[]): Promise<string> {
  const target = await Deno.makeTempDir({ prefix: "status-page-" });
  const index = MediaIndex.open(target);
  try {
    let seed = 0;
    for (const m of months) {
      for (const s of m.items) {
        const count = s.onDisk + s.pending + s.failed;
        const records: MediaRecord[] = [];
        for (let k = 0; k < count; k++) {
          seed++;
          const day = String(1 + (k % 28)).padStart(2, "0");
          records.push({
            id: `item-${seed}`,
            source: s.source,
            originalName: `IMG_${String(seed).padStart(4, "0")}.jpg`,
            mimeType: "image/jpeg",
            mediaType: "photo",
            captureTime: m.month
              ? `${m.month}-${day}T10:${String(k % 60).padStart(2, "0")}:00Z`
              : undefined,
            dateSource: m.month ? "api" : "none",
          });
        }
        index.upsertItems(records);
        for (const [k, r] of records.entries()) {
          if (k < s.onDisk) {
            const row = index.getItem(r.id)!;
            const bytes = jpegWithExif({ seed: Number(r.id.slice(5)) });
            await Deno.mkdir(join(target, row.folder), { recursive: true });
            await Deno.writeFile(join(target, row.path), bytes);
            index.markDownloaded(r.id, { size: bytes.length, sha256: sha256Hex(bytes) });
          } else if (k >= s.onDisk + s.pending) {
            index.recordFailure(r.id, "download", 'Media "x" failed: 500 INTERNAL');
          }
        }
      }
    }
    index.upsertAlbum({ id: "al1", title: "Summer 2023", shared: false });
    index.setAlbumItems("al1", ["item-1", "item-2"], { count: 2, title: "Summer 2023" });
    index.setAlbumFolder("al1", "albums/2023/01 Summer 2023");
    const run = index.startRun("sync");
    index.finishRun(run, { status: "ok", apiCalls: 240, mediaFetches: 180 });
  } finally {
    index.close();
  }
  return target;
}

Deno.test("status --html: the page in headless Chromium shows the index's months, gap and items", async () => {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `Chromium not found at "${CHROMIUM}": install it with "apt-get install -y chromium" (.ci/run does)`,
    );
  }
  const months = plan();
  const target = await buildTarget(months);
  const { browser, close } = await launchChromium();
  try {
    const res = await runCli(["status", target, "--html"], {});
    // Failed items make status exit 4; the page is written all the same.
    assert.equal(res.code, 4, res.stderr);
    const file = join(target, "status.html");
    const html = await Deno.readTextFile(file);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)="https?:/i);

    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(`file://${file}`, { waitUntil: "load" });

    // One column per month from the first to the last, then the undated column.
    const expectedKeys = [...months.filter((m) => m.month).map((m) => m.month!), "2023-08"].sort();
    expectedKeys.push("undated");
    const cols = await page.$$eval("#timeline .col", (gs) =>
      gs.map((g) => ({
        key: g.getAttribute("data-month"),
        gap: g.classList.contains("gap"),
        marked: g.querySelector(".gap-mark") !== null,
        total: Number(g.getAttribute("data-total")),
        height: [...g.querySelectorAll(".seg")].reduce(
          (h, r) => h + r.getBoundingClientRect().height,
          0,
        ),
        plot: g.querySelector(".hit")!.getBoundingClientRect().height,
      })));
    assert.deepEqual(cols.map((c) => c.key), expectedKeys);
    const byMonth = new Map(months.map((m) => [m.month ?? "undated", total(m)]));
    const max = Math.max(...byMonth.values());
    for (const c of cols) {
      const want = byMonth.get(c.key!) ?? 0;
      assert.equal(c.total, want, `items of ${c.key}`);
      assert.equal(c.gap, want === 0, `gap of ${c.key}`);
      assert.equal(c.marked, want === 0, `gap mark of ${c.key}`);
      // Heights from the rendered geometry, proportional to the counts.
      assert.ok(
        Math.abs(c.height - (want / max) * c.plot) < 0.5,
        `height of ${c.key}: ${c.height}`,
      );
    }

    // The totals and a focused column's numbers equal the index's.
    const all = months.reduce((n, m) => n + total(m), 0);
    assert.equal(
      await page.$eval("#total-items", (e) => e.textContent),
      String(all).replace(/\B(?=(\d{3})+(?!\d))/g, ","),
    );
    const failed = months.flatMap((m) => m.items).reduce((n, s) => n + s.failed, 0);
    assert.equal(await page.$eval("#total-failed", (e) => e.textContent), String(failed));
    // An SVG group is focusable (tabindex) but not an HTMLElement, which page.focus() wants.
    const focus = (month: string) =>
      page.$eval(
        `#timeline .col[data-month="${month}"]`,
        (e) => (e as unknown as HTMLOrSVG).focus(),
      );
    await focus("2023-06");
    assert.equal(
      await page.$eval("#col-info-total", (e) => e.textContent),
      String(byMonth.get("2023-06")),
    );
    const failedRow = await page.$eval(
      '#col-info tr[data-source="library"]',
      (e) => [...e.querySelectorAll("td")].map((td) => td.textContent),
    );
    assert.deepEqual(failedRow, [String(months[5].items[0].onDisk), "0", "2", "0"]);
    await focus("2023-08");
    assert.match(await page.$eval("#col-info", (e) => e.textContent ?? ""), /gap/);

    // The month view lists the month's items; its images load from photos/.
    await page.click('#timeline .col[data-month="2024-03"]');
    const listed = await page.$$eval(
      "#month-items tr",
      (rows) => rows.slice(1).map((r) => r.querySelector("td")!.textContent),
    );
    const march = months.find((m) => m.month === "2024-03")!;
    assert.equal(listed.length, total(march));
    assert.ok(listed.every((name) => /^IMG_\d{4}\.jpg$/.test(name ?? "")));
    const onDisk = march.items.reduce((n, s) => n + s.onDisk, 0);
    await page.$$eval(".gallery img", (imgs) => imgs.forEach((i) => i.scrollIntoView()));
    await page.waitForFunction(
      '[...document.querySelectorAll(".gallery img")].every((i) => i.complete)',
      { timeout: 5000 },
    );
    const widths = await page.$$eval(
      ".gallery img",
      (imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
    );
    assert.equal(widths.length, onDisk);
    assert.ok(widths.every((w) => w > 0), `natural widths ${widths}`);
    assert.equal(await page.$eval("#albums", (e) => e.textContent?.includes("Summer 2023")), true);

    await page.evaluate("scrollTo(0, 0)");
    const shot = SCREENSHOT ?? join(target, "status.png");
    await page.screenshot({ path: shot, fullPage: true });
    // A PNG, and of a page, not of an empty window.
    const png = await Deno.readFile(shot);
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.ok(png.length > 10_000, `screenshot of ${png.length} bytes`);
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await Deno.remove(target, { recursive: true });
  }
});
