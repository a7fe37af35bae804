/** What the index still lacks on disk: the need a full disk's message states. */
import { DiskFullError, type SpaceNeeded } from "../errors.ts";
import type { IndexPort } from "./port.ts";
import { sqlOf } from "./_handle.ts";

/**
 * The items not yet on disk and the bytes they need: a transfer's declared length where one was
 * recorded, else the average size of the files already on disk ("about"); with nothing on disk to
 * average, only the known lengths count ("at least"). Reads only, so it works on a full disk.
 */
export function spaceNeeded(index: IndexPort): SpaceNeeded {
  const sql = sqlOf(index);
  const pending = sql.stmt(
    `SELECT COUNT(*) AS items, COUNT(t.total) AS known, COALESCE(SUM(t.total), 0) AS bytes
     FROM media_items m LEFT JOIN transfers t ON t.media_id = m.id
     WHERE m.downloaded_at IS NULL AND m.removed_at IS NULL`,
  ).get() as { items: number; known: number; bytes: number };
  const average = sql.stmt(
    "SELECT AVG(size) AS avg FROM media_items WHERE size IS NOT NULL",
  ).get() as { avg: number | null };
  const items = Number(pending.items);
  const unknown = items - Number(pending.known);
  const known = Number(pending.bytes);
  if (unknown > 0 && average.avg === null) {
    return { items, bytes: known, precision: "at least" };
  }
  return {
    items,
    bytes: Math.round(known + unknown * Number(average.avg ?? 0)),
    precision: "about",
  };
}

/**
 * The one error of a full disk under `target`, with what the run still needs; an error that is
 * already one is returned as it is.
 */
export function diskFullError(index: IndexPort, target: string, cause: unknown): DiskFullError {
  if (cause instanceof DiskFullError) return cause;
  let needed: SpaceNeeded | undefined;
  try {
    needed = spaceNeeded(index);
  } catch {
    // The need is a courtesy; the full disk is what the user must hear about.
  }
  return new DiskFullError(target, needed, { cause });
}
