/**
 * The index writes of the album phase behind one seam, so a dry run can make none.
 */
import type { MediaIndex } from "../index/mod.ts";
import {
  forgetFolder,
  forgetLink,
  moveLinkRecord,
  recordFolder,
  recordLink,
} from "../index/album_queries.ts";

/** The index writes of the link builder, as one seam so a dry run can make none. */
export interface LinkRecords {
  recordFolder(path: string, albumId: string): void;
  recordLink(link: Parameters<typeof recordLink>[1]): void;
  forgetLink(path: string): void;
  moveLinkRecord(from: string, to: string): void;
  forgetFolder(path: string): void;
  setAlbumFolder(albumId: string, folder: string | null): void;
  transaction(fn: () => void): void;
}

/** The index writes of album links, or none at all for a dry run. */
export function linkRecords(index: MediaIndex, dryRun: boolean): LinkRecords {
  if (dryRun) {
    const none = () => {};
    return {
      recordFolder: none,
      recordLink: none,
      forgetLink: none,
      moveLinkRecord: none,
      forgetFolder: none,
      setAlbumFolder: none,
      transaction: (fn) => fn(),
    };
  }
  return {
    recordFolder: (path, albumId) => recordFolder(index, path, albumId),
    recordLink: (link) => recordLink(index, link),
    forgetLink: (path) => forgetLink(index, path),
    moveLinkRecord: (from, to) => moveLinkRecord(index, from, to),
    forgetFolder: (path) => forgetFolder(index, path),
    setAlbumFolder: (albumId, folder) => index.setAlbumFolder(albumId, folder),
    transaction: (fn) => index.transaction(fn),
  };
}
