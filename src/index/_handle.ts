/**
 * The index's connection, private to `src/index/`. `MediaIndex` has no public `db` or `stmt`: it
 * registers its connection here, and only files of this folder import `_handle.ts` (a structure
 * test holds everyone else to that), so every SQL statement of the program lives in `src/index/`
 * while callers keep holding one `MediaIndex`.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, SQLInputValue>;

/** One open database with its cached prepared statements. */
export class Sql {
  #db: DatabaseSync;
  #statements = new Map<string, StatementSync>();
  #depth = 0;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** A cached prepared statement. */
  stmt(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /**
   * Runs `fn` in one transaction; rolls back on any error. Inside another transaction it joins
   * that one, so a write that is one transaction on its own can also be part of a larger one.
   */
  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return this.#nested(fn);
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = this.#nested(fn);
      this.#db.exec("COMMIT");
      return result;
    } catch (err) {
      this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  #nested<T>(fn: () => T): T {
    this.#depth++;
    try {
      return fn();
    } finally {
      this.#depth--;
    }
  }

  /** Closes the database. */
  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}

const handles = new WeakMap<object, Sql>();

/** Ties an index object to its connection. */
export function bindSql(owner: object, sql: Sql): void {
  handles.set(owner, sql);
}

/** The connection of an index object. */
export function sqlOf(owner: object): Sql {
  const sql = handles.get(owner);
  if (!sql) throw new TypeError("Not an open MediaIndex");
  return sql;
}
