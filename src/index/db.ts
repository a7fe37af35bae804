/** Opening the index: WAL, foreign keys, forward migrations. */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { MIGRATIONS } from "./schema.ts";
import { rollbackQuietly } from "./_handle.ts";
import { EXIT, GphotosError, UsageError } from "../errors.ts";

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
  try {
    configure(db, path);
  } catch (err) {
    db.close();
    throw damaged(path, err);
  }
  return db;
}

function configure(db: DatabaseSync, path: string): void {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");
  // Item ids are random, so each page of a listing touches index pages all over the file: a larger
  // cache and rarer checkpoints (each one an fsync) keep a 100,000-item listing ahead of the network.
  // 16 MiB, not more: a large Takeout import would hold all of it in memory for no measured gain.
  db.exec("PRAGMA cache_size = -16384");
  db.exec("PRAGMA wal_autocheckpoint = 10000");
  // Reading the schema is what finds a file that is not (or no longer) a database.
  db.prepare("SELECT count(*) FROM sqlite_schema").get();
  migrate(db, path);
}

/**
 * A file SQLite cannot read as a database: say which, that the photos are safe, and how to
 * rebuild. A newer schema (a UsageError of `migrate`) is passed through as it is.
 */
function damaged(path: string, err: unknown): Error {
  if (err instanceof GphotosError) return err;
  const why = err instanceof Error ? err.message : String(err);
  if (cannotOpen(err)) {
    return new GphotosError(
      `Cannot open index "${path}" for writing (${why}): check that the disk is mounted ` +
        "writable and that TARGET's folder may be written by this user",
      EXIT.failed,
      { cause: err },
    );
  }
  return new GphotosError(
    `Index "${path}" is damaged (${why}). Your photos and videos are untouched: move the file ` +
      `aside (mv "${path}" "${path}.damaged") and run sync or takeout again to rebuild the index ` +
      "from Google and the files on disk",
    EXIT.failed,
    { cause: err },
  );
}

/** An index opened for reading, and what to do when it is closed. */
export interface ReadOnlyDatabase {
  db: DatabaseSync;
  /** Removes the private copy a read-only disk needed; nothing otherwise. */
  cleanup(): void;
}

/**
 * Opens `TARGET/gphotos.sqlite` for reading only, for commands that change nothing (`status`,
 * `download --dry-run`): it works beside a running sync and on a read-only disk. There SQLite
 * cannot make the WAL's shared-memory file (and Deno's sqlite takes no `immutable` URI), so the
 * index is read from a private copy in the temp folder. An index of an older schema is migrated
 * through a writable open first when the disk allows it.
 */
export function openDatabaseReadOnly(target: string): ReadOnlyDatabase {
  const path = join(target, INDEX_FILE);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    schemaVersion(db);
  } catch (err) {
    if (!cannotOpen(err)) throw damaged(path, err);
    return openCopy(path);
  }
  const version = schemaVersion(db);
  if (version > MIGRATIONS.length) migrate(db, path); // throws the "upgrade gphotos-sync" error
  if (version < MIGRATIONS.length) {
    db.close();
    try {
      openDatabase(target).close();
    } catch (err) {
      if (!cannotOpen(err) && !(err instanceof UsageError)) throw err;
      return openCopy(path);
    }
    return openDatabaseReadOnly(target);
  }
  return { db, cleanup: () => {} };
}

/**
 * A private, writable copy of TARGET's index, or a new empty index when TARGET has none, in the
 * temp folder and removed again by `cleanup`: a dry run records its plan there and TARGET stays
 * as it was (not even created).
 */
export function openScratchDatabase(target: string): ReadOnlyDatabase {
  const path = join(target, INDEX_FILE);
  try {
    Deno.statSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    const dir = Deno.makeTempDirSync({ prefix: "gphotos-sync-index-" });
    const cleanup = () => Deno.removeSync(dir, { recursive: true });
    try {
      return { db: openDatabase(dir), cleanup };
    } catch (err) {
      cleanup();
      throw err;
    }
  }
  return openCopy(path);
}

/** A private, migrated copy of the index (and its WAL), removed again by `cleanup`. */
function openCopy(path: string): ReadOnlyDatabase {
  const dir = Deno.makeTempDirSync({ prefix: "gphotos-sync-index-" });
  const cleanup = () => Deno.removeSync(dir, { recursive: true });
  try {
    Deno.copyFileSync(path, join(dir, INDEX_FILE));
    try {
      Deno.copyFileSync(`${path}-wal`, join(dir, `${INDEX_FILE}-wal`));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return { db: openDatabase(dir), cleanup };
  } catch (err) {
    cleanup();
    if (err instanceof GphotosError) throw err;
    throw damaged(path, err);
  }
}

function schemaVersion(db: DatabaseSync): number {
  return (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
}

/** SQLITE_CANTOPEN (14) and SQLITE_READONLY (8): what a read-only disk answers. */
function cannotOpen(err: unknown): boolean {
  const code = (err as { errcode?: number }).errcode;
  return code === 14 || code === 8;
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
      rollbackQuietly(db);
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
