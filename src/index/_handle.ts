/**
 * The index's connection, private to `src/index/`. `MediaIndex` has no public `db` or `stmt`: it
 * registers its connection here, and only files of this folder import `_handle.ts` (a structure
 * test holds everyone else to that), so every SQL statement of the program lives in `src/index/`
 * while callers keep holding one `MediaIndex`.
 */
import type {
  DatabaseSync,
  SQLInputValue,
  SQLOutputValue,
  StatementResultingChanges,
  StatementSync,
} from "node:sqlite";
import { isDiskFull } from "../errors.ts";
import { bindableAll } from "./_text.ts";

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, SQLInputValue>;

/** What the connection does with an error of SQLite (e.g. turn SQLITE_FULL into a domain error). */
export type ErrorMapper = (err: unknown) => unknown;

/**
 * A prepared statement whose bound text never holds a NUL (see `_text.ts`) and whose errors go
 * through the connection's mapper.
 */
export class Statement {
  #stmt: StatementSync;
  #map: ErrorMapper;

  constructor(stmt: StatementSync, map: ErrorMapper) {
    this.#stmt = stmt;
    this.#map = map;
  }

  /** Runs a write. */
  run(...params: SQLInputValue[]): StatementResultingChanges {
    try {
      return this.#stmt.run(...bindableAll(params));
    } catch (err) {
      throw this.#map(err);
    }
  }

  /** The first row, if any. */
  get(...params: SQLInputValue[]): Record<string, SQLOutputValue> | undefined {
    try {
      return this.#stmt.get(...bindableAll(params));
    } catch (err) {
      throw this.#map(err);
    }
  }

  /** Every row. */
  all(...params: SQLInputValue[]): Record<string, SQLOutputValue>[] {
    try {
      return this.#stmt.all(...bindableAll(params));
    } catch (err) {
      throw this.#map(err);
    }
  }

  /** The first row as an array of its values, if any (see `Sql.arrayStmt`). */
  array(...params: SQLInputValue[]): SQLOutputValue[] | undefined {
    const row = this.get(...params) as unknown;
    if (row === undefined || Array.isArray(row)) return row as SQLOutputValue[] | undefined;
    return Object.values(row as Record<string, SQLOutputValue>);
  }

  /** Every row as an array of its values, in select-list order (see `Sql.arrayStmt`). */
  arrays(...params: SQLInputValue[]): SQLOutputValue[][] {
    const rows = this.all(...params) as unknown[];
    if (rows.length === 0 || Array.isArray(rows[0])) return rows as SQLOutputValue[][];
    // A runtime without `setReturnArrays` gives objects, whose keys keep select-list order.
    return rows.map((r) => Object.values(r as Record<string, SQLOutputValue>));
  }
}

/** One open database with its cached prepared statements. */
export class Sql {
  #db: DatabaseSync;
  #statements = new Map<string, Statement>();
  #depth = 0;
  /** A batch is open (`beginBatch`). */
  #batch = false;
  #map: ErrorMapper;
  #mapping = false;

  constructor(db: DatabaseSync, opts: { mapError?: ErrorMapper } = {}) {
    this.#db = db;
    this.#map = opts.mapError ?? ((err) => err);
  }

  /** A cached prepared statement. */
  stmt(sql: string): Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      s = new Statement(this.#db.prepare(sql), (err) => this.#mapped(err));
      this.#statements.set(sql, s);
    }
    return s;
  }

  /**
   * A cached prepared statement whose rows are arrays (`Statement.arrays`): for queries of
   * thousands of rows, which V8 builds and reads faster as arrays than as objects.
   */
  arrayStmt(sql: string): Statement {
    const key = `arrays\0${sql}`;
    let s = this.#statements.get(key);
    if (!s) {
      const prepared: StatementSync & { setReturnArrays?: (on: boolean) => void } = this.#db
        .prepare(sql);
      // Node 24's API; Deno's types do not list it yet.
      prepared.setReturnArrays?.(true);
      s = new Statement(prepared, (err) => this.#mapped(err));
      this.#statements.set(key, s);
    }
    return s;
  }

  /**
   * Runs `fn` in one transaction; rolls back on any error. Inside another transaction it joins
   * that one, so a write that is one transaction on its own can also be part of a larger one.
   * The error that stopped it is the one thrown, never a failed COMMIT's or ROLLBACK's after it.
   */
  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return this.#nested(fn);
    if (this.#batch) return this.#savepoint(fn);
    this.#exec("BEGIN IMMEDIATE");
    let result: T;
    try {
      result = this.#nested(fn);
      this.#exec("COMMIT");
    } catch (err) {
      rollbackQuietly(this.#db);
      throw this.#mapped(err);
    }
    return result;
  }

  /**
   * Opens a batch: one transaction that later `transaction` calls join, each under a savepoint of
   * its own (a failed one undoes only its own writes), until `commitBatch`. Thousands of small
   * writes then cost one commit, not one each; what a batch holds is lost together if the process
   * dies before its commit, so a caller only batches writes the next run makes again.
   */
  beginBatch(): void {
    if (this.#batch || this.#depth > 0) throw new TypeError("a transaction is already open");
    this.#exec("BEGIN IMMEDIATE");
    this.#batch = true;
  }

  /** Commits the open batch, if any. */
  commitBatch(): void {
    if (!this.#batch) return;
    this.#batch = false;
    // A failed write may have made SQLite roll the whole transaction back already.
    if (!this.#db.isTransaction) return;
    try {
      this.#db.exec("COMMIT");
    } catch (err) {
      rollbackQuietly(this.#db);
      throw this.#mapped(err);
    }
  }

  #savepoint<T>(fn: () => T): T {
    this.#exec("SAVEPOINT batched");
    try {
      const result = this.#nested(fn);
      this.#exec("RELEASE batched");
      return result;
    } catch (err) {
      if (this.#db.isTransaction) {
        try {
          this.#db.exec("ROLLBACK TO batched");
          this.#db.exec("RELEASE batched");
        } catch {
          // The error that stopped it is the one to report.
        }
      } else {
        // SQLite rolled the batch back (a full disk): what follows runs in transactions of its own.
        this.#batch = false;
      }
      throw this.#mapped(err);
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

  #exec(sql: string): void {
    try {
      this.#db.exec(sql);
    } catch (err) {
      throw this.#mapped(err);
    }
  }

  /** A disk-full error is mapped once; everything else passes unchanged. */
  #mapped(err: unknown): unknown {
    // The mapper may query this connection; a failure in there is reported as it is.
    if (!isDiskFull(err) || this.#mapping) return err;
    this.#mapping = true;
    try {
      return this.#map(err);
    } catch {
      // Describing the full disk must not hide it.
      return err;
    } finally {
      this.#mapping = false;
    }
  }

  /** Closes the database. */
  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}

/**
 * Rolls back what is still open. SQLite already rolled back by itself after some errors
 * (SQLITE_FULL among them), and a ROLLBACK then fails with "no transaction is active": that
 * error would replace the one that matters.
 */
export function rollbackQuietly(db: DatabaseSync): void {
  if (!db.isTransaction) return;
  try {
    db.exec("ROLLBACK");
  } catch {
    // The error that stopped the transaction is the one to report.
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
