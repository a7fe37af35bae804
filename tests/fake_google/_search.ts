/** `mediaItems:search` request validation and filter matching (google-api.md §1.3, §8.2). */
import type { FakeItem } from "../fixtures/account_types.ts";

/** A validated search request. */
export interface SearchQuery {
  albumId?: string;
  pageSize: number;
  pageToken?: string;
  filters?: NormalFilters;
  /** `asc` or `desc`; only with a date filter. */
  order: "asc" | "desc";
}

/** Filters after validation, in a canonical form (also used as the listing key). */
export interface NormalFilters {
  dates: DateSpec[];
  ranges: [DateSpec, DateSpec][];
  hasDateFilter: boolean;
  included: string[];
  excluded: string[];
  mediaType: "ALL_MEDIA" | "VIDEO" | "PHOTO";
  favouritesOnly: boolean;
  includeArchived: boolean;
  excludeNonAppCreated: boolean;
}

type DateSpec = [number, number, number];

/** Content categories of the discovery document. */
export const CATEGORIES: ReadonlySet<string> = new Set([
  "NONE",
  "LANDSCAPES",
  "RECEIPTS",
  "CITYSCAPES",
  "LANDMARKS",
  "SELFIES",
  "PEOPLE",
  "PETS",
  "WEDDINGS",
  "BIRTHDAYS",
  "DOCUMENTS",
  "TRAVEL",
  "ANIMALS",
  "FOOD",
  "SPORT",
  "NIGHT",
  "PERFORMANCES",
  "WHITEBOARDS",
  "SCREENSHOTS",
  "UTILITY",
  "ARTS",
  "CRAFTS",
  "FASHION",
  "HOUSES",
  "GARDENS",
  "FLOWERS",
  "HOLIDAYS",
]);

const ORDER_ASC = "MediaMetadata.creation_time";
const ORDER_DESC = "MediaMetadata.creation_time desc";

class Invalid extends Error {}

function fail(message: string): never {
  throw new Invalid(message);
}

/** Parses a search body; returns the query or the 400 message Google would give. */
export function parseSearch(body: unknown): SearchQuery | { error: string } {
  try {
    return parseSearchOrThrow(body);
  } catch (e) {
    if (e instanceof Invalid) return { error: e.message };
    throw e;
  }
}

function parseSearchOrThrow(body: unknown): SearchQuery {
  const obj = asObject(body, "");
  known(obj, ["albumId", "pageSize", "pageToken", "filters", "orderBy"], "");
  const albumId = optString(obj.albumId, "album_id");
  const pageSize = parsePageSize(obj.pageSize, 25, 100);
  if (typeof pageSize === "string") fail(pageSize);
  const pageToken = optString(obj.pageToken, "page_token");
  const orderByRaw = optString(obj.orderBy, "order_by");
  const filters = obj.filters === undefined || obj.filters === null
    ? undefined
    : parseFilters(obj.filters);
  const hasFilters = filters !== undefined && Object.keys(obj.filters as object).length > 0;
  if (albumId !== undefined && albumId !== "" && hasFilters) {
    fail("Album id and filters cannot both be set in the request.");
  }
  let order: "asc" | "desc" = "desc";
  if (orderByRaw !== undefined && orderByRaw !== "") {
    const ob = orderByRaw.trim().replace(/\s+/g, " ");
    if (ob === ORDER_ASC) order = "asc";
    else if (ob === ORDER_DESC) order = "desc";
    else fail(`Invalid order by: "${orderByRaw}".`);
    if (!filters?.hasDateFilter) fail("Order by is only supported with a date filter.");
    const f = obj.filters as Record<string, unknown>;
    if (f.contentFilter || f.mediaTypeFilter || f.featureFilter) {
      fail("Order by can only be combined with a date filter and archive or app-created filters.");
    }
  }
  const q: SearchQuery = { pageSize, order };
  if (albumId) q.albumId = albumId;
  if (pageToken) q.pageToken = pageToken;
  if (filters) q.filters = filters;
  return q;
}

/** Validates `pageSize`: absent or 0 gives the default; above `max` is coerced; negative fails. */
export function parsePageSize(raw: unknown, def: number, max: number): number | string {
  if (raw === undefined || raw === null || raw === "") return def;
  const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
  if (!Number.isInteger(n) || Math.abs(n) > 2 ** 31) {
    return `Invalid value at 'page_size' (TYPE_INT32), ${JSON.stringify(raw)}`;
  }
  if (n < 0) return "Page size must be non-negative.";
  return n === 0 ? def : Math.min(n, max);
}

function parseFilters(raw: unknown): NormalFilters {
  const f = asObject(raw, "filters");
  known(f, [
    "dateFilter",
    "contentFilter",
    "mediaTypeFilter",
    "featureFilter",
    "includeArchivedMedia",
    "excludeNonAppCreatedData",
  ], "filters");
  const out: NormalFilters = {
    dates: [],
    ranges: [],
    hasDateFilter: false,
    included: [],
    excluded: [],
    mediaType: "ALL_MEDIA",
    favouritesOnly: false,
    includeArchived: optBool(f.includeArchivedMedia, "filters.include_archived_media") ?? false,
    excludeNonAppCreated:
      optBool(f.excludeNonAppCreatedData, "filters.exclude_non_app_created_data") ??
        false,
  };
  if (f.dateFilter !== undefined && f.dateFilter !== null) {
    const d = asObject(f.dateFilter, "filters.date_filter");
    known(d, ["dates", "ranges"], "filters.date_filter");
    const dates = optArray(d.dates, "filters.date_filter.dates");
    const ranges = optArray(d.ranges, "filters.date_filter.ranges");
    if (dates.length > 5) fail("A date filter can have at most 5 dates.");
    if (ranges.length > 5) fail("A date filter can have at most 5 date ranges.");
    out.dates = dates.map((x, i) => parseDate(x, `filters.date_filter.dates[${i}]`));
    out.ranges = ranges.map((x, i) => {
      const where = `filters.date_filter.ranges[${i}]`;
      const r = asObject(x, where);
      known(r, ["startDate", "endDate"], where);
      if (r.startDate === undefined || r.endDate === undefined) {
        fail("A date range needs both a start date and an end date.");
      }
      const s = parseDate(r.startDate, `${where}.start_date`);
      const e = parseDate(r.endDate, `${where}.end_date`);
      if (format(s) !== format(e)) fail("Both ends of a date range must use the same format.");
      if (compareDates(s, e) > 0) fail("The start date of a range must not be after its end date.");
      return [s, e] as [DateSpec, DateSpec];
    });
    out.hasDateFilter = true;
  }
  if (f.contentFilter !== undefined && f.contentFilter !== null) {
    const where = "filters.content_filter";
    const c = asObject(f.contentFilter, where);
    known(c, ["includedContentCategories", "excludedContentCategories"], where);
    out.included = enumList(
      c.includedContentCategories,
      CATEGORIES,
      `${where}.included_content_categories`,
    );
    out.excluded = enumList(
      c.excludedContentCategories,
      CATEGORIES,
      `${where}.excluded_content_categories`,
    );
    if (out.included.length > 10) fail("At most 10 content categories can be included.");
    if (out.excluded.length > 10) fail("At most 10 content categories can be excluded.");
    for (const cat of out.included) {
      if (out.excluded.includes(cat)) {
        fail(`Content category "${cat}" cannot be both included and excluded.`);
      }
    }
    out.included.sort();
    out.excluded.sort();
  }
  if (f.mediaTypeFilter !== undefined && f.mediaTypeFilter !== null) {
    const where = "filters.media_type_filter";
    const m = asObject(f.mediaTypeFilter, where);
    known(m, ["mediaTypes"], where);
    const types = enumList(
      m.mediaTypes,
      new Set(["ALL_MEDIA", "VIDEO", "PHOTO"]),
      `${where}.media_types`,
    );
    if (types.length > 1) fail("A media type filter can have only one media type.");
    out.mediaType = (types[0] ?? "ALL_MEDIA") as NormalFilters["mediaType"];
  }
  if (f.featureFilter !== undefined && f.featureFilter !== null) {
    const where = "filters.feature_filter";
    const ff = asObject(f.featureFilter, where);
    known(ff, ["includedFeatures"], where);
    const feats = enumList(
      ff.includedFeatures,
      new Set(["NONE", "FAVORITES"]),
      `${where}.included_features`,
    );
    // Features are ORed, and NONE means "no feature restriction".
    out.favouritesOnly = feats.includes("FAVORITES") && !feats.includes("NONE");
  }
  return out;
}

function parseDate(raw: unknown, where: string): DateSpec {
  const d = asObject(raw, where);
  known(d, ["year", "month", "day"], where);
  const y = intField(d.year, `${where}.year`);
  const m = intField(d.month, `${where}.month`);
  const day = intField(d.day, `${where}.day`);
  if (y < 0 || y > 9999) fail(`Invalid year ${y} in a date filter.`);
  if (m < 0 || m > 12) fail(`Invalid month ${m} in a date filter.`);
  if (day < 0 || day > 31) fail(`Invalid day ${day} in a date filter.`);
  const ok = (y > 0 && m === 0 && day === 0) || (y > 0 && m > 0) || (y === 0 && m > 0 && day > 0);
  if (!ok) fail(`Unsupported date ${y}-${m}-${day} in a date filter.`);
  if (m > 0 && day > 0 && day > daysInMonth(y === 0 ? 2000 : y, m)) {
    fail(`Invalid date ${y}-${m}-${day} in a date filter.`);
  }
  return [y, m, day];
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Which parts a date gives: "ymd", "ym", "y" or "md". */
function format(d: DateSpec): string {
  if (d[0] === 0) return "md";
  if (d[1] === 0) return "y";
  return d[2] === 0 ? "ym" : "ymd";
}

function compareDates(a: DateSpec, b: DateSpec): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Compares an item's UTC day with a date of the same format as `d`. */
function compareDay(day: DateSpec, d: DateSpec): number {
  switch (format(d)) {
    case "y":
      return day[0] - d[0];
    case "ym":
      return day[0] - d[0] || day[1] - d[1];
    case "md":
      return day[1] - d[1] || day[2] - d[2];
    default:
      return compareDates(day, d);
  }
}

/** Whether an item passes the filters; `now` excludes future-dated items from date filters. */
export function matchesFilters(item: FakeItem, f: NormalFilters, now: number): boolean {
  if (item.archived && !f.includeArchived) return false;
  if (f.favouritesOnly && !item.favourite) return false;
  const video = item.mimeType.startsWith("video/");
  if (f.mediaType === "VIDEO" && !video) return false;
  if (f.mediaType === "PHOTO" && video) return false;
  // The fake has no content categories: only NONE can be matched.
  if (f.included.some((c) => c !== "NONE")) return false;
  if (f.hasDateFilter && (f.dates.length > 0 || f.ranges.length > 0)) {
    if (!item.creationTime) return false;
    const t = Date.parse(item.creationTime);
    if (!Number.isFinite(t) || t > now) return false;
    const dt = new Date(t);
    const day: DateSpec = [dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()];
    const hit = f.dates.some((d) => compareDay(day, d) === 0) ||
      f.ranges.some(([s, e]) => compareDay(day, s) >= 0 && compareDay(day, e) <= 0);
    if (!hit) return false;
  }
  return true;
}

// ---- JSON shape helpers ------------------------------------------------------------------------

function asObject(raw: unknown, where: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    fail(`Invalid JSON payload received. Expected an object${where ? ` at '${where}'` : ""}.`);
  }
  return raw as Record<string, unknown>;
}

function known(obj: Record<string, unknown>, names: string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!names.includes(key)) {
      fail(
        `Invalid JSON payload received. Unknown name "${key}"${
          where ? ` at '${where}'` : ""
        }: Cannot find field.`,
      );
    }
  }
}

function optString(raw: unknown, where: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "string") {
    fail(`Invalid value at '${where}' (TYPE_STRING), ${JSON.stringify(raw)}`);
  }
  return raw;
}

function optBool(raw: unknown, where: string): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "boolean") {
    fail(`Invalid value at '${where}' (TYPE_BOOL), ${JSON.stringify(raw)}`);
  }
  return raw;
}

function optArray(raw: unknown, where: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail(`Invalid value at '${where}': expected a list.`);
  return raw;
}

function intField(raw: unknown, where: string): number {
  if (raw === undefined || raw === null) return 0;
  const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
  if (!Number.isInteger(n)) {
    fail(`Invalid value at '${where}' (TYPE_INT32), ${JSON.stringify(raw)}`);
  }
  return n;
}

function enumList(raw: unknown, values: ReadonlySet<string>, where: string): string[] {
  const list = optArray(raw, where);
  return list.map((v, i) => {
    if (typeof v !== "string" || !values.has(v)) {
      fail(`Invalid value at '${where}[${i}]' (TYPE_ENUM), ${JSON.stringify(v)}`);
    }
    return v;
  });
}
