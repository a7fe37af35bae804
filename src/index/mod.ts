/** The SQLite index of a TARGET: schema, migrations, typed queries, the run lock. */
export { MediaIndex } from "./media_index.ts";
export type { IndexPort } from "./port.ts";
export { refreshChanges } from "./item_table.ts";
export type { ItemPlace, UpsertResult } from "./item_table.ts";
export type { SameItemQuery, SameItemRule } from "./same_item.ts";
export { takeoutEntryId } from "./takeout_entry_table.ts";
export type { TakeoutEntryKey } from "./takeout_entry_table.ts";
export type { IndexCounts } from "./index_counts.ts";
export type { RunRow } from "./run_table.ts";
export { INDEX_FILE, isoUtc, migrate, nowIso, openDatabase, parseIsoUtc } from "./db.ts";
export { acquireLock, LOCK_FILE } from "./lock.ts";
export type { HeldLock } from "./lock.ts";
export { MIGRATIONS } from "./schema.ts";
export type * from "./types.ts";
export { keptItems, settleListings } from "./presence.ts";
export type { KeptItem, ListingCoverage, Settled } from "./presence.ts";
export { albumSummaries, dailyUse, monthCounts, monthItems } from "./timeline_queries.ts";
export type { AlbumSummary, DayUse, ItemState, MonthCount, MonthItem } from "./timeline_queries.ts";
