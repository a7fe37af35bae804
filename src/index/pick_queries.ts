/** Queries of the `pick` command over the index: recognising a picked item another source indexed. */
import type { MediaIndex } from "./media_index.ts";
import type { MediaRow } from "./types.ts";

/**
 * The item another source (Library, album, Takeout) indexed that is the same as a picked one: same
 * original name, same media type and the same capture time to the second (Takeout's
 * `photoTakenTime` has no milliseconds). Picker rows are left out: Picker ids are stable, so a picker
 * row with another id is another item (e.g. a burst frame with the same name and second).
 */
export function findSameItemElsewhere(
  index: MediaIndex,
  item: { originalName: string; captureTime?: string; mediaType: "photo" | "video" },
): MediaRow | undefined {
  if (item.captureTime === undefined) return undefined;
  const row = index.stmt(
    `SELECT id FROM media_items
     WHERE original_name = ? AND media_type = ? AND source <> 'picker'
       AND substr(capture_time, 1, 19) = ?
     ORDER BY downloaded_at IS NULL, rowid LIMIT 1`,
  ).get(item.originalName, item.mediaType, item.captureTime.slice(0, 19)) as
    | { id: string }
    | undefined;
  return row === undefined ? undefined : index.getItem(row.id);
}
