/**
 * The one port through which a source (Library listing, album listing, Picker, Takeout) puts its
 * records into the index. `MediaIndex` implements it; a source that holds only an `IndexPort`
 * cannot reach downloads, album links, runs or SQL, and a test can hand it a fake.
 */
import type { IndexCounts } from "./index_counts.ts";
import type { ItemPlace, UpsertResult } from "./item_table.ts";
import type { SameItemQuery, SameItemRule } from "./same_item.ts";
import type { TakeoutEntryKey } from "./takeout_entry_table.ts";
import type { AlbumRow, LayoutOptions, MediaRecord, MediaRow } from "./types.ts";

/** What a source may do to the index. */
export interface IndexPort {
  // ---- items ----
  /** One item by id. */
  getItem(id: string): MediaRow | undefined;
  /** Whether an item is in the index. */
  hasItem(id: string): boolean;
  /** The relative path a new item would get, without writing it. */
  plannedPath(
    rec: Pick<MediaRecord, "originalName" | "captureTime">,
    layout?: LayoutOptions,
  ): { folder: string; name: string; key: string };
  /** Adds new items and refreshes known ones, in one transaction. */
  upsertItems(records: MediaRecord[], layout?: LayoutOptions): UpsertResult;
  /** Notes that known items were seen by a listing, without changing them. */
  touchItems(ids: Iterable<string>): void;
  /** Sets or clears a flag on the given items. */
  setFlag(ids: Iterable<string>, flag: "favourite" | "archived", value: boolean): void;
  /** Numbers of the index (a source checks what it already holds). */
  counts(): IndexCounts;
  /**
   * Opens a batch: the writes until `commitBatch` are committed together, each still atomic on its
   * own. Only for writes the next run makes again should the process die before the commit.
   */
  beginBatch(): void;
  /** Commits the open batch, if any. */
  commitBatch(): void;

  // ---- recognising an item another source (or an earlier run) indexed ----
  /** The item another source indexed that is the same as this one, by the one same-item rule. */
  findSameItem(item: SameItemQuery, rule: SameItemRule): MediaRow | undefined;
  /** The item whose file on disk has this size and SHA-256, if any. */
  findItemByContent(content: { size: number; sha256: string }): MediaRow | undefined;

  // ---- files a source brings itself (Takeout) ----
  /** Records a file placed in TARGET for an item and clears any failure. */
  markDownloaded(
    id: string,
    file: { size: number; sha256: string; fidelity?: "api" | "picker" | "original" },
  ): void;
  /** Records a failed attempt. */
  recordFailure(id: string, phase: string, error: string): void;

  /** Where an item would live with another capture time; writes nothing. */
  plannedMove(id: string, captureTime: string, layout?: LayoutOptions): ItemPlace;
  /** Gives an item a better capture time and the place `plannedMove` chose, in one transaction. */
  moveItem(
    id: string,
    date: { captureTime: string; dateSource: MediaRecord["dateSource"] },
    place: ItemPlace,
  ): void;
  /**
   * Every Takeout entry whose item has a file on disk, keyed by `takeoutEntryId`, with the item's
   * row (one object per item), in one query.
   */
  downloadedTakeoutEntries(): Map<string, MediaRow>;
  /** Remembers which items Takeout entries became, in one transaction. */
  recordTakeoutEntries(entries: Iterable<{ entry: TakeoutEntryKey; mediaId: string }>): void;
  /**
   * What the Takeout JSON files stored by reader version `reader` said (JSON text), keyed by
   * `takeoutEntryId`, in one query.
   */
  knownTakeoutJson(reader: number): Map<string, string>;
  /** Stores what Takeout JSON files said, in one transaction. */
  recordTakeoutJson(
    files: Iterable<{ entry: TakeoutEntryKey; info: string }>,
    reader: number,
  ): void;

  // ---- albums and membership ----
  /** One album by id. */
  getAlbum(id: string): AlbumRow | undefined;
  /** Adds or refreshes an album's listing data; false when its id is refused (holds a NUL). */
  upsertAlbum(
    album: { id: string; title?: string; shared: boolean; source?: string; productUrl?: string },
  ): boolean;
  /** Replaces an album's membership after a complete listing of its items. */
  setAlbumItems(
    albumId: string,
    mediaIds: string[],
    listed: { count: number; title: string | null },
  ): void;
  /** The ids of an album's members. */
  albumMemberIds(albumId: string): Set<string>;
  /** Appends members, keeping those already there; returns how many were new. */
  addAlbumItems(albumId: string, mediaIds: string[]): number;
  /** After a complete listing, marks albums of a kind not seen since `listingStart` as removed. */
  markUnseenAlbumsRemoved(shared: boolean, listingStart: string): AlbumRow[];
}
