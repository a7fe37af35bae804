/**
 * What the Takeout import asks of the index, through the port: finding an item by content, the
 * lower-fidelity API/picker twin of a Takeout original, and adding album members without dropping
 * those an earlier (partial) import recorded.
 */
import type { IndexPort } from "./port.ts";
import type { MediaRow } from "./types.ts";

/** The item whose file on disk has this size and SHA-256, if any. */
export function findItemByContent(
  index: IndexPort,
  content: { size: number; sha256: string },
): MediaRow | undefined {
  return index.findItemByContent(content);
}

/**
 * An item from the Library API or the Picker that is the same as a Takeout original (the one
 * same-item rule, `IndexPort.findSameItem`) and whose file is not already an original: the item
 * the Takeout original should replace.
 */
export function findLowerFidelityTwin(
  index: IndexPort,
  photo: { originalName: string; captureTime: Date },
): MediaRow | undefined {
  return index.findSameItem(photo, { otherThan: "takeout", belowOriginal: true });
}

/** The ids of an album's members. */
export function albumMemberIds(index: IndexPort, albumId: string): Set<string> {
  return index.albumMemberIds(albumId);
}

/** Appends items to an album after its current members, keeping those already there. */
export function addAlbumItems(
  index: IndexPort,
  members: { albumId: string; mediaIds: string[] },
): number {
  return index.addAlbumItems(members.albumId, members.mediaIds);
}
