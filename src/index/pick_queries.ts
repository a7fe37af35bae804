/** Queries of the `pick` command over the index: recognising a picked item another source indexed. */
import type { IndexPort } from "./port.ts";
import type { MediaRow } from "./types.ts";

/**
 * The item another source (Library, album, Takeout) indexed that is the same as a picked one: the
 * one same-item rule (`IndexPort.findSameItem`) with the media type checked and Picker rows left
 * out (Picker ids are stable, so a picker row with another id is another item).
 */
export function findSameItemElsewhere(
  index: IndexPort,
  item: { originalName: string; captureTime?: string; mediaType: "photo" | "video" },
): MediaRow | undefined {
  return index.findSameItem(item, { otherThan: "picker" });
}
