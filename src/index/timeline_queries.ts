/**
 * What the status page and `status --timeline` are drawn from, aggregated in SQL so a page of a
 * 100,000-item index never loads its rows: counts per month by source and state, a few items per
 * month, albums, and API use per day.
 */
import type { MediaIndex } from "./media_index.ts";
import { type Row, sqlOf } from "./_handle.ts";
import type { Source } from "./types.ts";

/** Where an item stands: its file is on disk, it is still to fetch, it failed, or Google cannot serve it. */
export type ItemState = "onDisk" | "pending" | "failed" | "skipped";

/** Items of one month (`YYYY-MM` in UTC, or null for undated ones), one source and one state. */
export interface MonthCount {
  month: string | null;
  source: Source;
  state: ItemState;
  items: number;
  bytes: number;
}

/** One item as the month view lists it. */
export interface MonthItem {
  month: string | null;
  name: string;
  /** Relative to TARGET, "/"-separated. */
  path: string;
  captureTime: string | null;
  source: Source;
  mediaType: "photo" | "video";
  size: number | null;
  state: ItemState;
}

/** One album for the page. */
export interface AlbumSummary {
  title: string | null;
  items: number;
  /** The capture time of its oldest item, if any has one. */
  firstTime: string | null;
  /** Relative to TARGET, once made. */
  folder: string | null;
  shared: boolean;
}

/** API use of one UTC day (`YYYY-MM-DD`). */
export interface DayUse {
  day: string;
  runs: number;
  apiCalls: number;
  mediaFetches: number;
}

// A failure row wins over "pending": the item is still to fetch, but the last try went wrong.
const STATE = `CASE
    WHEN m.downloaded_at IS NOT NULL THEN 'onDisk'
    WHEN m.skip_reason IS NOT NULL THEN 'skipped'
    WHEN f.media_id IS NOT NULL THEN 'failed'
    ELSE 'pending' END`;

/** Items not removed from Google, counted per month, source and state. */
export function monthCounts(index: MediaIndex): MonthCount[] {
  const rows = sqlOf(index).stmt(
    `SELECT substr(m.capture_time, 1, 7) AS month, m.source AS source, ${STATE} AS state,
       COUNT(*) AS items, COALESCE(SUM(m.size), 0) AS bytes
     FROM media_items m LEFT JOIN failures f ON f.media_id = m.id
     WHERE m.removed_at IS NULL
     GROUP BY month, source, state ORDER BY month, source, state`,
  ).all() as Row[];
  return rows.map((r) => ({
    month: (r.month as string | null) ?? null,
    source: r.source as Source,
    state: r.state as ItemState,
    items: Number(r.items),
    bytes: Number(r.bytes),
  }));
}

/**
 * The newest `perMonth` items of each of `months` (`YYYY-MM`, or null for the undated) plus its
 * newest `perMonth` photos (the page shows those as images), newest first; a month's other items
 * stay in its folder only, which keeps the page small however large the library. Each month is
 * read through the capture-time index, so a large library is never sorted as a whole.
 */
export function monthItems(
  index: MediaIndex,
  months: readonly (string | null)[],
  perMonth: number,
): MonthItem[] {
  const sql = sqlOf(index);
  const columns = `SELECT m.id AS id, m.original_name AS name, m.path AS path,
       m.capture_time AS capture_time, m.source AS source, m.media_type AS media_type,
       m.size AS size, ${STATE} AS state
     FROM media_items m LEFT JOIN failures f ON f.media_id = m.id`;
  // "~" sorts after every character of an ISO time, so [month, month~) is the whole month.
  const dated = (photos: boolean) =>
    sql.stmt(
      `${columns} WHERE m.capture_time >= ? AND m.capture_time < ? AND m.removed_at IS NULL
       ${photos ? "AND m.media_type = 'photo'" : ""}
       ORDER BY m.capture_time DESC, m.path LIMIT ?`,
    );
  const undated = (photos: boolean) =>
    sql.stmt(
      `${columns} WHERE m.capture_time IS NULL AND m.removed_at IS NULL
       ${photos ? "AND m.media_type = 'photo'" : ""} ORDER BY m.path LIMIT ?`,
    );
  const out: MonthItem[] = [];
  for (const month of months) {
    const seen = new Set<string>();
    const rows: Row[] = [];
    for (const photos of [false, true]) {
      const found = month === null
        ? undated(photos).all(perMonth) as Row[]
        : dated(photos).all(month, `${month}~`, perMonth) as Row[];
      for (const r of found) {
        if (seen.has(r.id as string)) continue;
        seen.add(r.id as string);
        rows.push(r);
      }
    }
    rows.sort((a, b) =>
      String(b.capture_time ?? "").localeCompare(String(a.capture_time ?? "")) ||
      String(a.path).localeCompare(String(b.path))
    );
    for (const r of rows) {
      out.push({
        month,
        name: r.name as string,
        path: r.path as string,
        captureTime: (r.capture_time as string | null) ?? null,
        source: r.source as Source,
        mediaType: r.media_type as "photo" | "video",
        size: r.size === null ? null : Number(r.size),
        state: r.state as ItemState,
      });
    }
  }
  return out;
}

/** Every album not removed, with its item count and the time of its oldest item, by title. */
export function albumSummaries(index: MediaIndex): AlbumSummary[] {
  const rows = sqlOf(index).stmt(
    `SELECT a.title AS title, a.folder AS folder, a.shared AS shared,
       COUNT(ai.media_id) AS items, MIN(m.capture_time) AS first_time
     FROM albums a
       LEFT JOIN album_items ai ON ai.album_id = a.id
       LEFT JOIN media_items m ON m.id = ai.media_id
     WHERE a.removed_at IS NULL
     GROUP BY a.id ORDER BY first_time IS NULL, first_time, a.title, a.id`,
  ).all() as Row[];
  return rows.map((r) => ({
    title: (r.title as string | null) ?? null,
    items: Number(r.items),
    firstTime: (r.first_time as string | null) ?? null,
    folder: (r.folder as string | null) ?? null,
    shared: Number(r.shared) === 1,
  }));
}

/** API calls and media fetches per UTC day of the runs started on `from` (YYYY-MM-DD) or later. */
export function dailyUse(index: MediaIndex, from: string): DayUse[] {
  const rows = sqlOf(index).stmt(
    `SELECT substr(started_at, 1, 10) AS day, COUNT(*) AS runs,
       COALESCE(SUM(api_calls), 0) AS api_calls, COALESCE(SUM(media_fetches), 0) AS media_fetches
     FROM runs WHERE substr(started_at, 1, 10) >= ? GROUP BY day ORDER BY day`,
  ).all(from) as Row[];
  return rows.map((r) => ({
    day: r.day as string,
    runs: Number(r.runs),
    apiCalls: Number(r.api_calls),
    mediaFetches: Number(r.media_fetches),
  }));
}
