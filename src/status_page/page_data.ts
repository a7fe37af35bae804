/**
 * Everything the status page shows, read from the index (aggregated in SQL), the last
 * comparison's `report.json` and the last verify record. Reads only; the page is drawn from
 * this by pure functions.
 */
import { join } from "node:path";
import {
  albumSummaries,
  type AlbumSummary,
  dailyUse,
  type DayUse,
  type FailureRow,
  type IndexCounts,
  type MediaIndex,
  type MonthCount,
  monthCounts,
  type MonthItem,
  monthItems,
} from "../index/mod.ts";
import { COMPARISON_DIR, REPORT_FILE } from "../compare/report.ts";
import { readVerifyRecord, type VerifyRecord } from "../sync/verify_record.ts";

/** Items listed per month in the month view (and at most as many photos shown as images). */
export const ITEMS_PER_MONTH = 60;
/** Rows of each long list (failures, removed items) the page carries. */
export const LIST_ROWS = 200;
/** Days of runs the quota section covers. */
export const QUOTA_DAYS = 30;

/** Missing and extra files of one year (`YYYY`, or "undated") in the last comparison. */
export interface CompareYear {
  year: string;
  missing: number;
  extra: number;
}

/** The last comparison, by year. */
export interface CompareSummary {
  folder: string;
  /** ISO-8601 UTC: when `report.json` was written. */
  at: string | null;
  matched: number;
  years: CompareYear[];
}

/** Everything the page is drawn from. */
export interface PageData {
  /** ISO-8601 UTC: when the page was made. */
  generatedAt: string;
  counts: IndexCounts;
  months: MonthCount[];
  items: MonthItem[];
  albums: AlbumSummary[];
  days: DayUse[];
  /** The first day the quota section covers (YYYY-MM-DD). */
  fromDay: string;
  failures: FailureRow[];
  removed: { path: string; removedAt: string | null }[];
  compare?: CompareSummary;
  verify?: VerifyRecord;
}

/** What `status` has already read, so the page does not read it again. */
export interface KnownNumbers {
  counts: IndexCounts;
  months: MonthCount[];
  failures: FailureRow[];
}

/**
 * Reads the page's data for TARGET; `now` sets the quota window and the page's time, `known` the
 * numbers already read.
 */
export async function collectPageData(
  target: string,
  index: MediaIndex,
  opts: { now?: Date; known?: KnownNumbers } = {},
): Promise<PageData> {
  const now = opts.now ?? new Date();
  const counts = opts.known?.counts ?? index.counts();
  const months = opts.known?.months ?? monthCounts(index);
  const monthKeys = [...new Set(months.map((m) => m.month))];
  const fromDay = new Date(now.getTime() - (QUOTA_DAYS - 1) * 86_400_000).toISOString().slice(
    0,
    10,
  );
  return {
    generatedAt: now.toISOString(),
    counts,
    months,
    items: monthItems(index, monthKeys, ITEMS_PER_MONTH),
    albums: albumSummaries(index),
    days: dailyUse(index, fromDay),
    fromDay,
    failures: opts.known?.failures ?? index.failures(),
    removed: index.removedItems().map((r) => ({ path: r.path, removedAt: r.removedAt })),
    compare: await readCompareSummary(target),
    verify: await readVerifyRecord(target),
  };
}

/** The last comparison's missing and extra files per year, or undefined when none ran. */
export async function readCompareSummary(target: string): Promise<CompareSummary | undefined> {
  const path = join(target, COMPARISON_DIR, REPORT_FILE);
  let text: string;
  let at: string | null = null;
  try {
    text = await Deno.readTextFile(path);
    at = (await Deno.stat(path)).mtime?.toISOString() ?? null;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  let report: {
    folder?: unknown;
    counts?: { matched?: unknown };
    files?: { class?: unknown; captureTime?: unknown }[];
    extra?: { captureTime?: unknown }[];
  };
  try {
    report = JSON.parse(text);
  } catch {
    // A damaged report is as good as none: the next compare writes a new one.
    return undefined;
  }
  const years = new Map<string, CompareYear>();
  const year = (time: unknown) => {
    const key = typeof time === "string" && /^\d{4}/.test(time) ? time.slice(0, 4) : "undated";
    let y = years.get(key);
    if (!y) years.set(key, y = { year: key, missing: 0, extra: 0 });
    return y;
  };
  for (const f of report.files ?? []) if (f.class === "missing") year(f.captureTime).missing++;
  for (const e of report.extra ?? []) year(e.captureTime).extra++;
  return {
    folder: String(report.folder ?? ""),
    at,
    matched: Number(report.counts?.matched ?? 0),
    years: [...years.values()].sort((a, b) => a.year.localeCompare(b.year)),
  };
}
