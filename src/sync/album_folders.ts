/**
 * The folder half of the album links: which folder each album gets (its own kept, else the lowest
 * free ` (n)`), and making, renaming and removing the folders the tool recorded as its own.
 */
import { join, posix } from "node:path";
import type { MediaIndex } from "../index/mod.ts";
import type { AlbumRow } from "../index/types.ts";
import {
  type AlbumFolderRow,
  albumFolders,
  albumLinks,
  allAlbumFolders,
  allAlbumRows,
} from "../index/album_queries.ts";
import { foldName, withFolderDupNumber } from "../layout/mod.ts";
import type { EventSink } from "../events.ts";
import type { FileWriter } from "../files/writer.ts";
import { folderNumber, isAlbumPath, statOrUndefined } from "./album_paths.ts";
import type { LinkRecords } from "./link_records.ts";

/** What folder assignment needs of an album's plan. */
export interface FolderPlan {
  album: AlbumRow;
  /** Items to link; an album without any gets no folder. */
  members: readonly unknown[];
  /** The folder name before any ` (n)`. */
  base: string;
  /** The folder assigned this run; undefined when the album has nothing on disk to link. */
  folder?: string;
}

/** The folder counts of the albums summary, updated in place. */
export interface FolderCounts {
  foldersMade: number;
  foldersRenamed: number;
  foldersRemoved: number;
  foldersKept: number;
}

/** What the album folders share with the link builder. */
export interface AlbumFoldersContext {
  target: string;
  index: MediaIndex;
  fs: FileWriter;
  rec: LinkRecords;
  summary: FolderCounts;
  emit: EventSink;
}

/** Assigns, makes, renames and removes album folders for one run. */
export class AlbumFolders {
  readonly #target: string;
  readonly #index: MediaIndex;
  readonly #fs: FileWriter;
  readonly #rec: LinkRecords;
  readonly #summary: FolderCounts;
  readonly #emit: EventSink;
  /** Folded names in a parent folder (`albums`, `albums/YYYY`), read once per run. */
  readonly #dirCache = new Map<string, Set<string>>();

  constructor(context: AlbumFoldersContext) {
    this.#target = context.target;
    this.#index = context.index;
    this.#fs = context.fs;
    this.#rec = context.rec;
    this.#summary = context.summary;
    this.#emit = context.emit;
  }

  /**
   * Gives each album with something to link a folder. An album keeps its folder, number included,
   * while its base name is unchanged; others take the lowest ` (n)` that no other album holds and
   * nothing else on disk occupies (compared case- and normalisation-insensitively).
   */
  async assignFolders(plans: FolderPlan[], inScope: Set<string>): Promise<void> {
    const claimed = new Map<string, string>();
    const claim = (path: string, albumId: string) => claimed.set(foldName(path), albumId);
    const free = (path: string, albumId: string) => {
      const owner = claimed.get(foldName(path));
      return owner === undefined || owner === albumId;
    };
    for (const row of allAlbumFolders(this.#index)) claim(row.path, row.albumId);
    for (const album of allAlbumRows(this.#index)) {
      if (album.folder !== null && !inScope.has(album.id)) claim(album.folder, album.id);
    }
    const linkable = plans.filter((p) => p.members.length > 0);
    // Pass 1: albums whose current folder still fits their base keep it.
    for (const plan of linkable) {
      const current = plan.album.folder;
      if (current === null || !free(current, plan.album.id)) continue;
      if (folderNumber(plan.base, current) !== undefined) {
        plan.folder = current;
        claim(current, plan.album.id);
      }
    }
    // Pass 2: the rest, in index order.
    for (const plan of linkable) {
      if (plan.folder !== undefined) continue;
      const own = new Set(albumFolders(this.#index, plan.album.id).map((f) => foldName(f.path)));
      if (plan.album.folder !== null) own.add(foldName(plan.album.folder));
      for (let n = 1;; n++) {
        const candidate = withFolderDupNumber(plan.base, n);
        if (!free(candidate, plan.album.id)) continue;
        if (
          !own.has(foldName(candidate)) && await this.#occupied(candidate) &&
          !await this.#adoptFolder(candidate, plan.album.id)
        ) continue;
        plan.folder = candidate;
        claim(candidate, plan.album.id);
        break;
      }
    }
  }

  /**
   * Records as the album's own a folder that is exactly its planned folder and holds nothing but
   * symlinks of our relative form into `photos/`: one the tool made before the index was lost.
   * Its links are recorded too, so the album's reconcile keeps the right ones and replaces the
   * rest, instead of making `Title (2)` beside it. Anything else in it makes it a user's folder.
   */
  async #adoptFolder(folder: string, albumId: string): Promise<boolean> {
    const info = await statOrUndefined(this.#fs, this.#abs(folder), false);
    if (!info?.isDirectory) return false;
    const links: { path: string; mediaId: string }[] = [];
    try {
      for await (const entry of this.#fs.readDir(this.#abs(folder))) {
        if (!entry.isSymlink) return false;
        const path = `${folder}/${entry.name}`;
        const text = (await this.#fs.readLink(this.#abs(path))).replaceAll("\\", "/");
        if (posix.isAbsolute(text)) return false;
        const to = posix.normalize(posix.join(folder, text));
        if (!to.startsWith("photos/")) return false;
        // A link to a path no item holds now is recorded all the same: ours, so it may go.
        links.push({ path, mediaId: this.#index.getItemByPath(to)?.id ?? "" });
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw err;
    }
    if (links.length === 0) return false;
    this.#rec.transaction(() => {
      this.#rec.recordFolder(folder, albumId);
      for (const l of links) this.#rec.recordLink({ ...l, albumId, kind: "symlink" });
    });
    this.#emit({
      type: "info",
      message: `Album folder "${folder}" made by an earlier run is reused`,
    });
    return true;
  }

  /** Whether something the tool did not record sits at (a case variant of) a folder path. */
  async #occupied(folder: string): Promise<boolean> {
    const parent = posix.dirname(folder);
    let names = this.#dirCache.get(parent);
    if (names === undefined) {
      names = new Set();
      try {
        for await (const entry of this.#fs.readDir(this.#abs(parent))) {
          names.add(foldName(entry.name));
        }
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
      this.#dirCache.set(parent, names);
    }
    return names.has(foldName(posix.basename(folder)));
  }

  /**
   * Renames an album's folder in one step when it holds only our links and (for symlinks) the new
   * folder is as deep as the old, so the relative links inside stay valid. Otherwise the links
   * move one by one later, and a user's file keeps the old folder.
   */
  async tryRenameFolder(album: AlbumRow, from: string, to: string): Promise<void> {
    if (!isAlbumPath(from, "folder")) return;
    const record = albumFolders(this.#index, album.id).find((f) => f.path === from);
    if (record === undefined) return;
    const caseOnly = foldName(from) === foldName(to);
    if (!caseOnly && (await statOrUndefined(this.#fs, this.#abs(to), false)) !== undefined) return;
    const info = await statOrUndefined(this.#fs, this.#abs(from), false);
    if (!info?.isDirectory) return;
    const links = albumLinks(this.#index, album.id).filter((l) => posix.dirname(l.path) === from);
    const recorded = new Set(links.map((l) => posix.basename(l.path)));
    for await (const entry of this.#fs.readDir(this.#abs(from))) {
      if (!recorded.has(entry.name)) return;
    }
    const sameDepth = from.split("/").length === to.split("/").length;
    if (!sameDepth && links.some((l) => l.kind === "symlink")) return;

    await this.#fs.mkdir(this.#abs(posix.dirname(to)));
    // The index first: a crash after this leaves missing links the next run makes again.
    this.#rec.transaction(() => {
      this.#rec.recordFolder(to, album.id);
      for (const l of links) this.#rec.moveLinkRecord(l.path, `${to}/${posix.basename(l.path)}`);
      this.#rec.setAlbumFolder(album.id, to);
    });
    await this.#fs.rename(this.#abs(from), this.#abs(to));
    this.#rec.forgetFolder(from);
    this.#summary.foldersRenamed++;
    this.#emit({ type: "item", phase: "albums", id: album.id, path: to, status: "updated" });
    await this.#removeEmptyParent(from);
  }

  /** Makes sure the album's folder exists and is recorded as ours. */
  async ensureFolder(folder: string, albumId: string): Promise<void> {
    const info = await statOrUndefined(this.#fs, this.#abs(folder), false);
    if (info?.isDirectory) {
      this.#rec.recordFolder(folder, albumId);
      return;
    }
    if (info !== undefined) {
      throw new Error(`Cannot make album folder "${folder}": something else is in the way`);
    }
    this.#rec.recordFolder(folder, albumId);
    await this.#fs.mkdir(this.#abs(folder));
    this.#summary.foldersMade++;
  }

  /** Removes a folder the tool made if it is empty; one holding a user's file stays (and stays recorded). */
  async tryRemoveFolder(row: AlbumFolderRow): Promise<void> {
    if (!isAlbumPath(row.path, "folder")) {
      this.#rec.forgetFolder(row.path);
      return;
    }
    const info = await statOrUndefined(this.#fs, this.#abs(row.path), false);
    if (info === undefined || !info.isDirectory) {
      // Gone already, or replaced by something that is not ours.
      this.#rec.forgetFolder(row.path);
      if (info === undefined) await this.#removeEmptyParent(row.path);
      return;
    }
    try {
      await this.#fs.remove(this.#abs(row.path));
    } catch {
      this.#summary.foldersKept++;
      return;
    }
    this.#rec.forgetFolder(row.path);
    this.#summary.foldersRemoved++;
    this.#emit({
      type: "item",
      phase: "albums",
      id: row.albumId,
      path: row.path,
      status: "removed",
    });
    await this.#removeEmptyParent(row.path);
  }

  /** `albums/YYYY` goes with its last album folder; a non-empty one stays. */
  async #removeEmptyParent(folder: string): Promise<void> {
    const parent = posix.dirname(folder);
    if (parent === "albums" || !isAlbumPath(parent, "parent")) return;
    try {
      await this.#fs.remove(this.#abs(parent));
      this.#dirCache.delete("albums");
    } catch {
      // Not empty (other albums or a user's files): it stays.
    }
  }

  #abs(rel: string): string {
    return join(this.#target, ...rel.split("/"));
  }
}
