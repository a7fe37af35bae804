/** The status page as one self-contained HTML string, drawn from `PageData` by pure functions. */
import { formatBytes } from "../format.ts";
import { esc, num, scriptJson } from "./html_text.ts";
import { PAGE_CSS, PAGE_SCRIPT } from "./page_assets.ts";
import { LIST_ROWS, type PageData } from "./page_data.ts";
import {
  albumsSection,
  compareSection,
  healthSection,
  quotaSection,
  shortTime,
} from "./sections.ts";
import { buildTimeline, SOURCES, STATES, type Timeline, UNDATED } from "./timeline.ts";
import { SOURCE_COLOURS, STATE_NAMES, STATE_STYLE, timelineSvg } from "./timeline_svg.ts";

/** Options of `renderPage`. */
export interface PageOptions {
  /** TARGET as shown in the title. */
  target: string;
  /** Prefix that turns a path relative to TARGET into one relative to the page ("" beside it). */
  base: string;
  /** Photos listed (and shown) per month. */
  perMonth: number;
}

/** The whole page. */
export function renderPage(data: PageData, opts: PageOptions): string {
  const timeline = buildTimeline(data.months);
  const c = data.counts;
  const gaps = timeline.columns.filter((col) => col.gap).length;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gphotos-sync status: ${esc(opts.target)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<h1>Backup of <code>${esc(opts.target)}</code></h1>
<p class="muted">Made ${
    esc(shortTime(data.generatedAt))
  } by <code>gphotos-sync status --html</code>.</p>
<div id="totals">
<div><b id="total-items">${num(c.total)}</b>items</div>
<div><b id="total-ondisk">${num(c.downloaded)}</b>on disk (${esc(formatBytes(c.bytesOnDisk))})</div>
<div><b id="total-pending">${num(c.pending)}</b>pending</div>
<div><b id="total-failed" class="${c.failed ? "bad" : ""}">${num(c.failed)}</b>failed</div>
<div><b>${num(c.removed)}</b>removed from Google</div>
<div><b>${num(c.albums)}</b>albums</div>
</div>
<section id="timeline-section"><h2>Timeline</h2>
<p>One column per month, oldest to newest, stacked by source; faint parts are not downloaded yet.
${
    gaps
      ? `<span class="bad">${num(gaps)} month${gaps === 1 ? "" : "s"} without any item (hatched)` +
        `</span>.`
      : "No month without items."
  } Hover or focus a column for its numbers; click it (or press Enter) to list its items.</p>
${legend()}
<div class="scroll">${timelineSvg(timeline)}</div>
<div id="col-info" aria-live="polite"></div>
</section>
<section id="month"><h2>Month</h2>
<label>Month <select id="month-pick">${monthOptions(timeline)}</select></label>
<div id="month-view"><p class="muted">Choose a month above.</p></div>
</section>
${compareSection(data.compare)}
${healthSection(data.verify, data.failures, data.removed, { rows: LIST_ROWS, base: opts.base })}
${albumsSection(data.albums, opts.base)}
${quotaSection(data.days, data.fromDay, data.generatedAt.slice(0, 10))}
<script type="application/json" id="page-data">${
    scriptJson(pageJson(data, timeline, opts))
  }</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function legend(): string {
  const sources = SOURCES.map((s) =>
    `<span><i style="background:${SOURCE_COLOURS[s]}"></i>${
      s === "album" ? "album-only" : s
    }</span>`
  );
  const states = STATES.filter((s) => s !== "onDisk").map((s) => {
    const style = STATE_STYLE[s];
    return `<span><i style="background:${style.fill ?? "#3b6fd4"};opacity:${style.opacity}"></i>${
      STATE_NAMES[s]
    }</span>`;
  });
  return `<div class="legend">${sources.join("")}${states.join("")}` +
    `<span><i style="background:#f5c6c6"></i>gap</span></div>`;
}

function monthOptions(timeline: Timeline): string {
  return timeline.columns.filter((c) => !c.gap).reverse().map((c) =>
    `<option value="${esc(c.key)}">${c.key === UNDATED ? "undated" : esc(c.key)} (${
      num(c.total)
    })</option>`
  ).join("");
}

/** The data the script needs, in arrays rather than objects to keep a large page small. */
function pageJson(data: PageData, timeline: Timeline, opts: PageOptions): unknown {
  const items: Record<string, unknown[]> = {};
  for (const it of data.items) {
    const key = it.month ?? UNDATED;
    (items[key] ??= []).push([
      it.name,
      it.path,
      it.captureTime,
      SOURCES.indexOf(it.source),
      it.mediaType === "photo" ? 0 : 1,
      it.size,
      STATES.indexOf(it.state),
    ]);
  }
  return {
    base: opts.base,
    perMonth: opts.perMonth,
    columns: timeline.columns.map((col) => [
      col.key,
      col.gap ? 1 : 0,
      col.total,
      col.bytes,
      SOURCES.flatMap((s) => STATES.map((st) => col.breakdown[s][st])),
    ]),
    items,
  };
}
