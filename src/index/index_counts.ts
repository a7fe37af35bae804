/** The numbers `status` shows, across items, failures and albums. */
import type { Row, Sql } from "./_handle.ts";

/** Counts for `status`. */
export interface IndexCounts {
  bySourceAndType: { source: string; mediaType: string; items: number; downloaded: number }[];
  total: number;
  downloaded: number;
  pending: number;
  /** Items Google says it cannot serve (not pending, not failed). */
  skipped: number;
  removed: number;
  failed: number;
  bytesOnDisk: number;
  albums: number;
}

/** Counts the index for `status`. */
export function indexCounts(sql: Sql): IndexCounts {
  const groups = sql.stmt(
    `SELECT source, media_type, COUNT(*) AS items, COUNT(downloaded_at) AS downloaded
     FROM media_items WHERE removed_at IS NULL GROUP BY source, media_type ORDER BY source, media_type`,
  ).all() as Row[];
  const one = (text: string) => Number((sql.stmt(text).get() as { n: number | null }).n ?? 0);
  return {
    bySourceAndType: groups.map((g) => ({
      source: g.source as string,
      mediaType: g.media_type as string,
      items: Number(g.items),
      downloaded: Number(g.downloaded),
    })),
    total: one("SELECT COUNT(*) AS n FROM media_items WHERE removed_at IS NULL"),
    downloaded: one(
      "SELECT COUNT(*) AS n FROM media_items WHERE removed_at IS NULL AND downloaded_at IS NOT NULL",
    ),
    pending: one(
      `SELECT COUNT(*) AS n FROM media_items
       WHERE removed_at IS NULL AND downloaded_at IS NULL AND skip_reason IS NULL`,
    ),
    skipped: one(
      "SELECT COUNT(*) AS n FROM media_items WHERE removed_at IS NULL AND skip_reason IS NOT NULL",
    ),
    removed: one("SELECT COUNT(*) AS n FROM media_items WHERE removed_at IS NOT NULL"),
    failed: one("SELECT COUNT(*) AS n FROM failures"),
    bytesOnDisk: one("SELECT SUM(size) AS n FROM media_items WHERE downloaded_at IS NOT NULL"),
    albums: one("SELECT COUNT(*) AS n FROM albums WHERE removed_at IS NULL"),
  };
}
