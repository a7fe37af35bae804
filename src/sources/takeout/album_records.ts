/**
 * The albums of a Takeout import: members gathered in work order while items are imported, then
 * written once. An album and members the index already holds are not written again, so an
 * unchanged re-import leaves the album tables as they were.
 */
import type { IndexPort } from "../../index/mod.ts";
import { addAlbumItems, albumMemberIds } from "../../index/takeout_queries.ts";
import type { FolderInfo } from "./match.ts";
import type { TakeoutReport } from "./report.ts";

/** The index id of the album a Takeout folder holds: stable across exports of the same album. */
export function takeoutAlbumId(dir: string): string {
  return `takeout:${dir.normalize("NFC")}`;
}

/** Album members of one import, in the order their items were imported. */
export class AlbumMembers {
  #members = new Map<string, string[]>();

  /** Notes that item `id` is in `folder`, when that folder is an album. */
  add(folder: FolderInfo, id: string): void {
    if (folder.kind !== "album") return;
    const list = this.#members.get(folder.dir);
    if (list) list.push(id);
    else this.#members.set(folder.dir, [id]);
  }

  /** Records each album of `folders` and its new members, counted into `report`. */
  record(index: IndexPort, folders: Map<string, FolderInfo>, report: TakeoutReport): void {
    for (const f of folders.values()) {
      if (f.kind !== "album" || !f.album) continue;
      const id = takeoutAlbumId(f.dir);
      const title = f.album.title || undefined;
      const held = index.getAlbum(id);
      if (
        !held || held.removedAt !== null || held.title !== (title ?? null) ||
        held.shared !== f.album.shared
      ) {
        index.upsertAlbum({ id, title, shared: f.album.shared, source: "takeout" });
      }
      report.albums++;
      const have = held ? albumMemberIds(index, id) : new Set<string>();
      const added = (this.#members.get(f.dir) ?? []).filter((m) => !have.has(m));
      if (added.length > 0) {
        report.albumMemberships += addAlbumItems(index, { albumId: id, mediaIds: added });
      }
    }
  }
}
