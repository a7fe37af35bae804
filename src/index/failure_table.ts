/** The `failures` table: the last error and attempt count of items that failed. */
import { nowIso } from "./db.ts";
import type { Row, Sql } from "./_handle.ts";
import type { FailureRow } from "./types.ts";

/** The failures of one index. */
export class FailureTable {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Records a failed attempt: last error and attempt count. */
  recordFailure(id: string, phase: string, error: string): void {
    this.#sql.stmt(
      `INSERT INTO failures (media_id, phase, last_error, attempts, last_attempt_at)
       VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (media_id) DO UPDATE SET phase = excluded.phase, last_error = excluded.last_error,
         attempts = attempts + 1, last_attempt_at = excluded.last_attempt_at`,
    ).run(id, phase, error, nowIso());
  }

  /** Clears a failure record. */
  clearFailure(id: string): void {
    this.#sql.stmt("DELETE FROM failures WHERE media_id = ?").run(id);
  }

  /** Failed items with their reasons. */
  failures(): FailureRow[] {
    const rows = this.#sql.stmt(
      `SELECT f.*, m.path AS path, m.original_name AS original_name FROM failures f
       LEFT JOIN media_items m ON m.id = f.media_id ORDER BY f.last_attempt_at`,
    ).all() as Row[];
    return rows.map((r) => ({
      mediaId: r.media_id as string,
      phase: r.phase as string,
      lastError: r.last_error as string,
      attempts: Number(r.attempts),
      lastAttemptAt: r.last_attempt_at as string,
      path: (r.path as string | null) ?? null,
      originalName: (r.original_name as string | null) ?? null,
    }));
  }
}
