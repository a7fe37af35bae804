/** The `runs` table: one row per command run, for `status`. */
import { nowIso } from "./db.ts";
import type { Row, Sql } from "./_handle.ts";

/** A finished or running run. */
export interface RunRow {
  id: number;
  command: string;
  startedAt: string;
  finishedAt: string | null;
  status: string | null;
  listingComplete: boolean;
  apiCalls: number | null;
  mediaFetches: number | null;
  /** Whether the run's library listing came back empty; null when it listed nothing at all. */
  emptyLibrary: boolean | null;
}

/** The runs of one index. */
export class RunTable {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Starts a run record; returns its id. */
  startRun(command: string): number {
    const r = this.#sql.stmt("INSERT INTO runs (command, started_at) VALUES (?, ?)")
      .run(command, nowIso());
    return Number(r.lastInsertRowid);
  }

  /** Finishes a run record. */
  finishRun(
    id: number,
    fin: {
      status: string;
      listingComplete?: boolean;
      apiCalls?: number;
      mediaFetches?: number;
      summary?: unknown;
    },
  ): void {
    this.#sql.stmt(
      `UPDATE runs SET finished_at = ?, status = ?, listing_complete = ?, api_calls = ?,
        media_fetches = ?, summary = ? WHERE id = ?`,
    ).run(
      nowIso(),
      fin.status,
      fin.listingComplete ? 1 : 0,
      fin.apiCalls ?? null,
      fin.mediaFetches ?? null,
      fin.summary === undefined ? null : JSON.stringify(fin.summary),
      id,
    );
  }

  /** Marks every run without a status and an end as `interrupted`; returns how many. */
  markKilledRuns(): number {
    const r = this.#sql.stmt(
      "UPDATE runs SET status = 'interrupted' WHERE status IS NULL AND finished_at IS NULL",
    ).run();
    return Number(r.changes);
  }

  /** The last finished run of each command. */
  lastRuns(): RunRow[] {
    const rows = this.#sql.stmt(
      `SELECT *, COALESCE(json_extract(summary, '$.index.emptyListing'),
          json_extract(summary, '$.emptyListing')) AS empty_library
        FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY command) ORDER BY id`,
    ).all() as Row[];
    return rows.map((r) => ({
      id: Number(r.id),
      command: r.command as string,
      startedAt: r.started_at as string,
      finishedAt: (r.finished_at as string | null) ?? null,
      status: (r.status as string | null) ?? null,
      listingComplete: Number(r.listing_complete) === 1,
      apiCalls: r.api_calls == null ? null : Number(r.api_calls),
      mediaFetches: r.media_fetches == null ? null : Number(r.media_fetches),
      emptyLibrary: r.empty_library == null ? null : Number(r.empty_library) === 1,
    }));
  }
}
