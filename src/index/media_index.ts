/**
 * The index of one TARGET: the one object callers hold. Each table's queries live in their own
 * file (items, albums, runs, failures); `MediaIndex` hands calls to them and implements the
 * `IndexPort` the sources use. Its connection is private (see `_handle.ts`).
 */
import type { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { INDEX_FILE, openDatabase, openDatabaseReadOnly, openScratchDatabase } from "./db.ts";
import { bindSql, Sql } from "./_handle.ts";
import { AlbumTable } from "./album_table.ts";
import { FailureTable } from "./failure_table.ts";
import { type IndexCounts, indexCounts } from "./index_counts.ts";
import { type ItemPlace, ItemTable, type UpsertResult } from "./item_table.ts";
import type { IndexPort } from "./port.ts";
import { SameItemLookup, type SameItemQuery, type SameItemRule } from "./same_item.ts";
import { type RunRow, RunTable } from "./run_table.ts";
import { diskFullError } from "./space_queries.ts";
import { type TakeoutEntryKey, TakeoutEntryTable } from "./takeout_entry_table.ts";
import type {
  AlbumRow,
  FailureRow,
  LayoutOptions,
  MediaRecord,
  MediaRow,
  SkippedRow,
} from "./types.ts";

/** The index of one TARGET. Open with `MediaIndex.open(target)`; close when done. */
export class MediaIndex implements IndexPort {
  #sql: Sql;
  #items: ItemTable;
  #same: SameItemLookup;
  #albums: AlbumTable;
  #runs: RunTable;
  #failures: FailureTable;
  #takeoutEntries: TakeoutEntryTable;

  #onClose: () => void;

  /** `target`: the folder whose disk a full-disk error names (none for a private copy). */
  constructor(db: DatabaseSync, opts: { onClose?: () => void; target?: string } = {}) {
    this.#onClose = opts.onClose ?? (() => {});
    const target = opts.target;
    this.#sql = new Sql(db, {
      mapError: (err) => target === undefined ? err : diskFullError(this, target, err),
    });
    bindSql(this, this.#sql);
    this.#items = new ItemTable(this.#sql);
    this.#same = new SameItemLookup(this.#sql);
    this.#albums = new AlbumTable(this.#sql);
    this.#runs = new RunTable(this.#sql);
    this.#failures = new FailureTable(this.#sql);
    this.#takeoutEntries = new TakeoutEntryTable(this.#sql);
  }

  /** Opens (creating and migrating) the index of TARGET. */
  static open(target: string): MediaIndex {
    return new MediaIndex(openDatabase(target), { target });
  }

  /**
   * Marks the runs a killed process left open as `interrupted` in TARGET's index, if it has one
   * (creating none); for a command that holds the lock but opens no index (`auth`).
   */
  static markKilledRunsIn(target: string): number {
    try {
      Deno.statSync(join(target, INDEX_FILE));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return 0;
      throw err;
    }
    const index = MediaIndex.open(target);
    try {
      return index.markKilledRuns();
    } finally {
      index.close();
    }
  }

  /** Opens the index of TARGET for reading only (also on a read-only disk). */
  static openReadOnly(target: string): MediaIndex {
    const { db, cleanup } = openDatabaseReadOnly(target);
    return new MediaIndex(db, { onClose: cleanup });
  }

  /** A private copy of TARGET's index (or a new one), for a dry run; TARGET is not touched. */
  static openScratch(target: string): MediaIndex {
    const { db, cleanup } = openScratchDatabase(target);
    return new MediaIndex(db, { onClose: cleanup });
  }

  /** Closes the database. */
  close(): void {
    try {
      this.#sql.close();
    } finally {
      this.#onClose();
    }
  }

  /** Runs `fn` in one transaction (joining one already open). */
  transaction<T>(fn: () => T): T {
    return this.#sql.transaction(fn);
  }

  /** Opens a batch of writes committed together (see `Sql.beginBatch`). */
  beginBatch(): void {
    this.#sql.beginBatch();
  }

  /** Commits the open batch, if any. */
  commitBatch(): void {
    this.#sql.commitBatch();
  }

  // ---- media items (item_table.ts) ----

  /** One item by id. */
  getItem(id: string): MediaRow | undefined {
    return this.#items.getItem(id);
  }

  /** One item by its relative path. */
  getItemByPath(path: string): MediaRow | undefined {
    return this.#items.getItemByPath(path);
  }

  /** Whether an item is in the index. */
  hasItem(id: string): boolean {
    return this.#items.hasItem(id);
  }

  /** Adds new items (with their final paths) and refreshes known ones, in one transaction. */
  upsertItems(records: MediaRecord[], layout: LayoutOptions = {}): UpsertResult {
    return this.#items.upsertItems(records, layout);
  }

  /** The relative path a new item would get, without writing it. */
  plannedPath(rec: Pick<MediaRecord, "originalName" | "captureTime">, layout: LayoutOptions = {}): {
    folder: string;
    name: string;
    key: string;
  } {
    return this.#items.plannedPath(rec, layout);
  }

  /** Notes that known items were seen by a listing, without changing them. */
  touchItems(ids: Iterable<string>): void {
    this.#items.touchItems(ids);
  }

  /** Sets or clears a flag on the given items (e.g. favourite from a FAVORITES search). */
  setFlag(ids: Iterable<string>, flag: "favourite" | "archived", value: boolean): void {
    this.#items.setFlag(ids, flag, value);
  }

  /** All items, in index order. */
  allItems(): MediaRow[] {
    return this.#items.allItems();
  }

  /** Items not yet on disk (and neither removed nor skipped), in index order. */
  pendingItems(opts: { skipVideo?: boolean } = {}): MediaRow[] {
    return this.#items.pendingItems(opts);
  }

  /** Records that Google cannot serve an item: skipped until its metadata changes. */
  markSkipped(id: string, reason: string): void {
    this.#items.markSkipped(id, reason);
  }

  /** Items skipped because Google cannot serve them, with why. */
  skippedItems(): SkippedRow[] {
    return this.#items.skippedItems();
  }

  /** Gives an item whose path is taken on disk by other bytes the next free ` (n)`. */
  movePastTakenPath(id: string): MediaRow {
    return this.#items.movePastTakenPath(id);
  }

  /** Paths of an item's name below its number, free or held by an item not yet downloaded. */
  pathsBelow(id: string): { dupNo: number; path: string; pendingHolder?: string }[] {
    return this.#items.pathsBelow(id);
  }

  /** Gives an item a free lower number (its file was found there). */
  moveToNumber(id: string, dupNo: number): MediaRow {
    return this.#items.moveToNumber(id, dupNo);
  }

  /** Items recorded as downloaded. */
  downloadedItems(): MediaRow[] {
    return this.#items.downloadedItems();
  }

  /** Items marked removed from Google (their files stay on disk). */
  removedItems(): MediaRow[] {
    return this.#items.removedItems();
  }

  /** Records a completed download (or import) and clears any failure. */
  markDownloaded(
    id: string,
    file: { size: number; sha256: string; fidelity?: "api" | "picker" | "original" },
  ): void {
    this.#items.markDownloaded(id, file);
  }

  /** Forgets a download (the file went missing or changed), so the next run fetches it again. */
  markNotDownloaded(id: string): void {
    this.#items.markNotDownloaded(id);
  }

  /** The item another source indexed that is the same as this one (see `ItemTable`). */
  findSameItem(item: SameItemQuery, rule: SameItemRule): MediaRow | undefined {
    return this.#same.findSameItem(item, rule);
  }

  /** The item whose file on disk has this size and SHA-256, if any. */
  findItemByContent(content: { size: number; sha256: string }): MediaRow | undefined {
    return this.#same.findItemByContent(content);
  }

  /** Where an item would live with another capture time; writes nothing. */
  plannedMove(id: string, captureTime: string, layout: LayoutOptions = {}): ItemPlace {
    return this.#items.plannedMove(id, captureTime, layout);
  }

  /** Gives an item a better capture time and a new place, in one transaction. */
  moveItem(
    id: string,
    date: { captureTime: string; dateSource: MediaRecord["dateSource"] },
    place: ItemPlace,
  ): void {
    this.#items.moveItem(id, date, place);
  }

  // ---- imported Takeout entries (takeout_entry_table.ts) ----

  /** Every Takeout entry whose item has a file on disk, by `takeoutEntryId`, in one query. */
  downloadedTakeoutEntries(): Map<string, MediaRow> {
    return this.#takeoutEntries.downloadedEntries();
  }

  /** Remembers which items Takeout entries became, in one transaction. */
  recordTakeoutEntries(
    entries: Iterable<{ entry: TakeoutEntryKey; mediaId: string }>,
  ): void {
    this.#takeoutEntries.recordEntries(entries);
  }

  /** What the Takeout JSON files stored by reader version `reader` said, in one query. */
  knownTakeoutJson(reader: number): Map<string, string> {
    return this.#takeoutEntries.knownJson(reader);
  }

  /** Stores what Takeout JSON files said, in one transaction. */
  recordTakeoutJson(
    files: Iterable<{ entry: TakeoutEntryKey; info: string }>,
    reader: number,
  ): void {
    this.#takeoutEntries.recordJson(files, reader);
  }

  // ---- failures (failure_table.ts) and counts ----

  /** Records a failed attempt: last error and attempt count. */
  recordFailure(id: string, phase: string, error: string): void {
    this.#failures.recordFailure(id, phase, error);
  }

  /** Clears a failure record. */
  clearFailure(id: string): void {
    this.#failures.clearFailure(id);
  }

  /** Failed items with their reasons. */
  failures(): FailureRow[] {
    return this.#failures.failures();
  }

  /** Numbers for `status`. */
  counts(): IndexCounts {
    return indexCounts(this.#sql);
  }

  // ---- albums and membership (album_table.ts) ----

  /** One album by id. */
  getAlbum(id: string): AlbumRow | undefined {
    return this.#albums.getAlbum(id);
  }

  /** All albums that are not removed. */
  albums(): AlbumRow[] {
    return this.#albums.albums();
  }

  /** Every album row, removed ones included. */
  allAlbumRows(): AlbumRow[] {
    return this.#albums.allAlbumRows();
  }

  /** Adds or refreshes an album's listing data (title, shared); false when its id is refused. */
  upsertAlbum(
    album: { id: string; title?: string; shared: boolean; source?: string; productUrl?: string },
  ): boolean {
    return this.#albums.upsertAlbum(album);
  }

  /** Replaces an album's membership (in order) and records the count and title it was listed at. */
  setAlbumItems(
    albumId: string,
    mediaIds: string[],
    listed: { count: number; title: string | null },
  ): void {
    this.#albums.setAlbumItems(albumId, mediaIds, listed);
  }

  /** Appends items to an album after its current members; returns how many were new. */
  addAlbumItems(albumId: string, mediaIds: string[]): number {
    return this.#albums.addAlbumItems(albumId, mediaIds);
  }

  /** The ids of an album's members. */
  albumMemberIds(albumId: string): Set<string> {
    return this.#albums.albumMemberIds(albumId);
  }

  /** An album's items in album order. */
  albumItems(albumId: string): MediaRow[] {
    return this.#albums.albumItems(albumId);
  }

  /** Marks albums of a kind not seen since `listingStart` as removed (after a complete listing). */
  markUnseenAlbumsRemoved(shared: boolean, listingStart: string): AlbumRow[] {
    return this.#albums.markUnseenAlbumsRemoved(shared, listingStart);
  }

  /** Items of live albums that are not on disk yet. */
  pendingAlbumItemCount(): number {
    return this.#albums.pendingAlbumItemCount();
  }

  /** Records the folder an album lives in (or NULL). */
  setAlbumFolder(albumId: string, folder: string | null): void {
    this.#albums.setAlbumFolder(albumId, folder);
  }

  // ---- runs (run_table.ts) ----

  /** Starts a run record; returns its id. */
  startRun(command: string): number {
    return this.#runs.startRun(command);
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
    this.#runs.finishRun(id, fin);
  }

  /** The last finished run of each command. */
  lastRuns(): RunRow[] {
    return this.#runs.lastRuns();
  }

  /**
   * Marks runs that never finished (killed, or their disk was full) as `interrupted`; returns
   * how many. Call only while holding `gphotos.lock`: then no run is alive.
   */
  markKilledRuns(): number {
    return this.#runs.markKilledRuns();
  }
}
