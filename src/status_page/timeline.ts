/**
 * The timeline both the page and `status --timeline` draw: one column per month from the oldest to
 * the newest dated item, months without any item marked as gaps, undated items in a last column.
 */
import type { ItemState, MonthCount, Source } from "../index/mod.ts";

/** Sources in the order they are stacked, bottom first. */
export const SOURCES: readonly Source[] = ["library", "album", "picker", "takeout"];
/** States in the order they are stacked within a source, bottom first. */
export const STATES: readonly ItemState[] = ["onDisk", "pending", "failed", "skipped"];

/** Items of one column by source and state. */
export type Breakdown = Record<Source, Record<ItemState, number>>;

/** One column of the timeline. */
export interface TimelineColumn {
  /** `YYYY-MM`, or "undated". */
  key: string;
  /** No item at all in this month, though it lies inside the range. */
  gap: boolean;
  total: number;
  bytes: number;
  /** Per state, all sources together. */
  states: Record<ItemState, number>;
  breakdown: Breakdown;
}

/** The whole timeline. */
export interface Timeline {
  columns: TimelineColumn[];
  /** Items of the busiest column (0 when the index is empty). */
  max: number;
}

/** The key of the undated column. */
export const UNDATED = "undated";

/** Builds the timeline from the per-month counts. */
export function buildTimeline(counts: readonly MonthCount[]): Timeline {
  const byKey = new Map<string, TimelineColumn>();
  for (const c of counts) {
    const key = c.month ?? UNDATED;
    let col = byKey.get(key);
    if (!col) byKey.set(key, col = emptyColumn(key, false));
    col.total += c.items;
    col.bytes += c.bytes;
    col.states[c.state] += c.items;
    col.breakdown[c.source][c.state] += c.items;
  }
  const dated = [...byKey.keys()].filter((k) => k !== UNDATED && /^\d{4}-\d{2}$/.test(k)).sort();
  const columns: TimelineColumn[] = [];
  if (dated.length) {
    for (const key of monthRange(dated[0], dated[dated.length - 1])) {
      columns.push(byKey.get(key) ?? emptyColumn(key, true));
    }
  }
  const undated = byKey.get(UNDATED);
  if (undated) columns.push(undated);
  return { columns, max: columns.reduce((m, c) => Math.max(m, c.total), 0) };
}

/** Every `YYYY-MM` from `first` to `last`, both included. */
export function monthRange(first: string, last: string): string[] {
  const out: string[] = [];
  let y = Number(first.slice(0, 4));
  let m = Number(first.slice(5, 7));
  const endY = Number(last.slice(0, 4));
  const endM = Number(last.slice(5, 7));
  while (y < endY || (y === endY && m <= endM)) {
    out.push(`${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

function emptyColumn(key: string, gap: boolean): TimelineColumn {
  const states = () => ({ onDisk: 0, pending: 0, failed: 0, skipped: 0 });
  return {
    key,
    gap,
    total: 0,
    bytes: 0,
    states: states(),
    breakdown: { library: states(), album: states(), picker: states(), takeout: states() },
  };
}
