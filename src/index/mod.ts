/** The SQLite index of a TARGET: schema, migrations, typed queries, the run lock. */
export { MediaIndex } from "./media_index.ts";
export type { IndexCounts, RunRow, UpsertResult } from "./media_index.ts";
export { INDEX_FILE, isoUtc, migrate, nowIso, openDatabase, parseIsoUtc } from "./db.ts";
export { acquireLock, LOCK_FILE } from "./lock.ts";
export type { HeldLock } from "./lock.ts";
export { MIGRATIONS } from "./schema.ts";
export type * from "./types.ts";
