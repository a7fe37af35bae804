/**
 * The timeline as inline SVG: one `<g class="col">` per month whose stacked bars (by source, then
 * state) are as tall as the month's count against the busiest month; gaps carry a hatched mark.
 */
import type { ItemState, Source } from "../index/mod.ts";
import { esc, num } from "./html_text.ts";
import { SOURCES, STATES, type Timeline, type TimelineColumn, UNDATED } from "./timeline.ts";

/** Height of the bars' area, in px. */
export const PLOT_HEIGHT = 220;
const TOP = 8;
const AXIS = 30;

/** Colour of each source's items on disk. */
export const SOURCE_COLOURS: Record<Source, string> = {
  library: "#3b6fd4",
  album: "#8a55d6",
  picker: "#16a085",
  takeout: "#e08a1e",
};

/** How each state is drawn over its source's colour. */
export const STATE_STYLE: Record<ItemState, { opacity: number; fill?: string }> = {
  onDisk: { opacity: 1 },
  pending: { opacity: 0.35 },
  failed: { opacity: 1, fill: "#d62728" },
  skipped: { opacity: 1, fill: "#9a9a9a" },
};

/** What a state is called on the page. */
export const STATE_NAMES: Record<ItemState, string> = {
  onDisk: "on disk",
  pending: "pending",
  failed: "failed",
  skipped: "skipped",
};

/** The timeline's SVG element. */
export function timelineSvg(timeline: Timeline): string {
  const n = timeline.columns.length;
  const width = Math.max(4, Math.min(28, Math.floor(1100 / Math.max(1, n))));
  const space = width > 6 ? 2 : 1;
  const hasUndated = timeline.columns.some((c) => c.key === UNDATED);
  const svgWidth = n * (width + space) + (hasUndated ? 3 * width : 0) + 40;
  const svgHeight = TOP + PLOT_HEIGHT + AXIS;
  const parts: string[] = [
    `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${svgWidth}" height="${svgHeight}"` +
    ` viewBox="0 0 ${svgWidth} ${svgHeight}" role="group" aria-label="Items per month">`,
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse"` +
    ` patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff3f3"/>` +
    `<line x1="0" y1="0" x2="0" y2="6" stroke="#e3a0a0" stroke-width="3"/></pattern></defs>`,
    `<line class="axis" x1="0" x2="${svgWidth}" y1="${TOP + PLOT_HEIGHT}" y2="${
      TOP + PLOT_HEIGHT
    }" stroke="#888"/>`,
  ];
  let x = 4;
  for (const col of timeline.columns) {
    if (col.key === UNDATED) x += 2 * width;
    parts.push(columnSvg(col, x, width, timeline.max));
    x += width + space;
  }
  parts.push("</svg>");
  return parts.join("\n");
}

function columnSvg(col: TimelineColumn, x: number, width: number, max: number): string {
  const base = TOP + PLOT_HEIGHT;
  const out = [
    `<g class="col${col.gap ? " gap" : ""}" data-month="${col.key}" data-total="${col.total}"` +
    ` tabindex="0" role="button" aria-label="${esc(columnSummary(col))}">`,
    `<title>${esc(columnSummary(col))}</title>`,
    `<rect class="hit" x="${x}" y="${TOP}" width="${width}" height="${PLOT_HEIGHT}" fill="transparent"/>`,
  ];
  if (col.gap) {
    out.push(
      `<rect class="gap-mark" x="${x}" y="${TOP}" width="${width}" height="${PLOT_HEIGHT}"` +
        ` fill="url(#hatch)"/>`,
      `<rect x="${x}" y="${base + 2}" width="${width}" height="4" fill="#d62728"/>`,
    );
  }
  let y = base;
  for (const source of SOURCES) {
    for (const state of STATES) {
      const count = col.breakdown[source][state];
      if (!count) continue;
      const h = round2((count / max) * PLOT_HEIGHT);
      y = round2(y - h);
      const style = STATE_STYLE[state];
      out.push(
        `<rect class="seg" data-source="${source}" data-state="${state}" data-count="${count}"` +
          ` x="${x}" y="${y}" width="${width}" height="${h}"` +
          ` fill="${style.fill ?? SOURCE_COLOURS[source]}"` +
          (style.opacity < 1 ? ` fill-opacity="${style.opacity}"` : "") + `/>`,
      );
    }
  }
  // Years under their January, and the undated column under itself.
  if (col.key === UNDATED || col.key.endsWith("-01")) {
    out.push(
      `<text x="${x}" y="${base + 20}" font-size="11" fill="#444">${
        col.key === UNDATED ? "undated" : col.key.slice(0, 4)
      }</text>`,
    );
  }
  out.push("</g>");
  return out.join("");
}

/** One line naming a column's numbers (its tooltip). */
export function columnSummary(col: TimelineColumn): string {
  const label = col.key === UNDATED ? "Undated" : col.key;
  if (col.gap) return `${label}: no items (gap)`;
  const states = STATES.filter((s) => col.states[s] > 0).map((s) =>
    `${num(col.states[s])} ${STATE_NAMES[s]}`
  );
  return `${label}: ${num(col.total)} items (${states.join(", ")})`;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
