/** Opening the index: WAL, foreign keys, forward migrations. */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { MIGRATIONS } from "./schema.ts";
import { UsageError } from "../errors.ts";

/** File name of the index inside TARGET. */
export const INDEX_FILE = "gphotos.sqlite";

/** Opens (creating if needed) `TARGET/gphotos.sqlite` and migrates it to the current schema. */
export function openDatabase(target: string): DatabaseSync {
  const path = join(target, INDEX_FILE);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (err) {
    throw new UsageError(`Cannot open index "${path}": ${(err as Error).message}`, { cause: err });
  }
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");
  // Item ids are random, so each page of a listing touches index pages all over the file: a larger
  // cache and rarer checkpoints (each one an fsync) keep a 100,000-item listing ahead of the network.
  db.exec("PRAGMA cache_size = -65536");
  db.exec("PRAGMA wal_autocheckpoint = 10000");
  migrate(db, path);
  return db;
}

/** Applies every migration past the stored `user_version`, each in its own transaction. */
export function migrate(db: DatabaseSync, label = "index"): void {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  const current = row.user_version;
  if (current > MIGRATIONS.length) {
    throw new UsageError(
      `Index "${label}" has schema version ${current}, newer than this program's ${MIGRATIONS.length}: upgrade gphotos-sync`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  }
}

/** The current time as ISO-8601 UTC text, the index's time format. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** A date as the index's ISO-8601 UTC text, without milliseconds when they are zero. */
export function isoUtc(date: Date): string {
  const s = date.toISOString();
  return s.endsWith(".000Z") ? s.slice(0, -5) + "Z" : s;
}

/** Parses an RFC 3339 time from a source into index text; undefined when absent or invalid. */
export function parseIsoUtc(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : isoUtc(d);
}
