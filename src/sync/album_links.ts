/**
 * The link half of the `albums` phase: album folders under TARGET/albums/, kept in step with the
 * index in place. Works from the index alone (Library albums and Takeout albums alike).
 *
 * Only what the index records in `album_links` and `album_folders` is ever removed; a user's own
 * file in an album folder stays, and so does its folder.
 */
import { join, posix } from "node:path";
import type { MediaIndex } from "../index/mod.ts";
import type { AlbumRow, MediaRow } from "../index/types.ts";
import {
  albumFolders,
  type AlbumLinkRow,
  albumLinks,
  allAlbumRows,
  type LinkKind,
  linkPathsUnder,
  staleAlbumIds,
} from "../index/album_queries.ts";
import { albumFolder, foldName, isInside } from "../layout/mod.ts";
import type { EventSink } from "../events.ts";
import { silent } from "../events.ts";
import { albumFilter, type AlbumFilterOptions } from "../sources/library/albums_index.ts";
import { canLink, makeLink } from "../files/links.ts";
import { type FileWriter, fileWriter } from "../files/writer.ts";
import { AlbumFolders, type FolderPlan } from "./album_folders.ts";
import {
  assertAlbumPath,
  freeName,
  isAlbumPath,
  linkError,
  nativeRelative,
  relativeTarget,
  sameFile,
  statOrUndefined,
} from "./album_paths.ts";
import { type LinkRecords, linkRecords } from "./link_records.ts";
import { forEachLimited } from "../files/pool.ts";

/** Options of `syncAlbumFolders`. */
export interface AlbumFoldersOptions extends AlbumFilterOptions {
  /** `--use-hardlinks`: hard links instead of relative symlinks. */
  hardlinks?: boolean;
  /** `--omit-album-date`: `albums/<Title>`. */
  omitDate?: boolean;
  /** `--use-flat-path`: `albums/YYYY-MM <Title>`. */
  flat?: boolean;
  /** `--album-date-by-first-photo`: date folders by the oldest item instead of the newest. */
  byFirstPhoto?: boolean;
  onEvent?: EventSink;
  /**
   * What changes TARGET: `fileWriter(target)` by default; with a dry-run writer nothing on disk or
   * in the index changes and the writer holds the plan.
   */
  writer?: FileWriter;
}

/** What `syncAlbumFolders` did. */
export interface AlbumFoldersSummary {
  /** Albums that have a folder after the run (among those worked on). */
  albums: number;
  linksMade: number;
  /** Links moved into an album's new folder one by one (the folder held a user's file). */
  linksMoved: number;
  linksKept: number;
  linksRemoved: number;
  foldersMade: number;
  foldersRenamed: number;
  foldersRemoved: number;
  /** Folders the tool made that stay because they hold files the tool did not make. */
  foldersKept: number;
  /** Album items not linked because their file is not on disk (yet). */
  notOnDisk: number;
}

/** Stats and link reads under way at once while an album is planned and checked. */
const LOOKUPS_AT_ONCE = 32;

/** What a recorded link is on disk (`#classify`). */
type LinkState = "keep" | "ours" | "missing" | "foreign";

interface Member {
  item: MediaRow;
  info: Deno.FileInfo;
}

interface Plan extends FolderPlan {
  members: Member[];
}

/**
 * Brings TARGET/albums/ in step with the index, in place: one folder per album with links to its
 * items that are on disk, folders renamed when an album's title or date moves, links and folders
 * of removed items and albums taken away. A run with nothing changed changes nothing on disk.
 * Links are made by `makeLink`'s policy: the other kind when the file system refuses the one asked
 * for; `UsageError` when it takes neither.
 */
export async function syncAlbumFolders(
  target: string,
  index: MediaIndex,
  opts: AlbumFoldersOptions = {},
): Promise<AlbumFoldersSummary> {
  const builder = new LinkBuilder(target, index, opts);
  return await builder.run();
}

class LinkBuilder {
  readonly #target: string;
  readonly #index: MediaIndex;
  readonly #opts: AlbumFoldersOptions;
  readonly #fs: FileWriter;
  /** The index writes, none in a dry run. */
  readonly #rec: LinkRecords;
  readonly #kind: LinkKind;
  readonly #emit: EventSink;
  readonly #summary: AlbumFoldersSummary = {
    albums: 0,
    linksMade: 0,
    linksMoved: 0,
    linksKept: 0,
    linksRemoved: 0,
    foldersMade: 0,
    foldersRenamed: 0,
    foldersRemoved: 0,
    foldersKept: 0,
    notOnDisk: 0,
  };
  /** Items' files, stat-ed once per run however many albums hold them (null: not on disk). */
  readonly #itemStats = new Map<string, Deno.FileInfo | null>();
  readonly #folders: AlbumFolders;
  /** Whether TARGET takes the kind of link asked for, once a link of the other kind raised it. */
  #askedWorks: Promise<boolean> | undefined;
  #warnedFallback = false;

  constructor(target: string, index: MediaIndex, opts: AlbumFoldersOptions) {
    this.#target = target;
    this.#index = index;
    this.#opts = opts;
    this.#fs = opts.writer ?? fileWriter(target);
    this.#rec = linkRecords(index, this.#fs.dryRun);
    this.#kind = opts.hardlinks ? "hardlink" : "symlink";
    this.#emit = opts.onEvent ?? silent;
    this.#folders = new AlbumFolders({
      target,
      index,
      fs: this.#fs,
      rec: this.#rec,
      summary: this.#summary,
      emit: this.#emit,
    });
  }

  async run(): Promise<AlbumFoldersSummary> {
    const wanted = albumFilter(this.#opts);
    const filtered = this.#opts.album !== undefined || this.#opts.albumRegex !== undefined;
    const rows = allAlbumRows(this.#index);
    const live = rows.filter((a) => a.removedAt === null);
    const scope = live.filter(wanted);
    this.#emit({ type: "phase", phase: "albums", total: scope.length });

    const plans: Plan[] = [];
    for (const album of scope) plans.push(await this.#plan(album));
    await this.#folders.assignFolders(plans, new Set(scope.map((a) => a.id)));

    for (const [i, plan] of plans.entries()) {
      await this.#reconcile(plan);
      this.#emit({ type: "progress", phase: "albums", done: i + 1, total: plans.length });
    }

    const byId = new Map(rows.map((a) => [a.id, a]));
    for (const id of staleAlbumIds(this.#index)) {
      const album = byId.get(id);
      if (album ? !wanted(album) : filtered) continue;
      await this.#clearAlbum(id);
      if (album) this.#rec.setAlbumFolder(id, null);
    }
    return this.#summary;
  }

  // ---- planning ----

  async #plan(album: AlbumRow): Promise<Plan> {
    const items = this.#index.albumItems(album.id);
    // Side by side: on a cold disk a stat waits for a read, and an album may hold thousands.
    const unseen = new Set(
      items.filter((i) => i.downloadedAt !== null && isInside(".", i.path))
        .map((i) => i.path).filter((path) => !this.#itemStats.has(path)),
    );
    await forEachLimited(unseen, LOOKUPS_AT_ONCE, async (path) => {
      this.#itemStats.set(path, await statOrUndefined(this.#fs, this.#abs(path), true) ?? null);
    });
    const members: Member[] = [];
    let date: string | undefined;
    for (const item of items) {
      if (item.captureTime !== null) {
        const better = date === undefined ||
          (this.#opts.byFirstPhoto ? item.captureTime < date : item.captureTime > date);
        if (better) date = item.captureTime;
      }
      // A tampered index must not make us link to anything outside TARGET.
      if (item.downloadedAt === null || !isInside(".", item.path)) {
        this.#summary.notOnDisk++;
        continue;
      }
      let info = this.#itemStats.get(item.path);
      if (info === undefined) {
        info = await statOrUndefined(this.#fs, this.#abs(item.path), true) ?? null;
        this.#itemStats.set(item.path, info);
      }
      if (info?.isFile) members.push({ item, info });
      else this.#summary.notOnDisk++;
    }
    const base = albumFolder(album.title ?? undefined, date ? new Date(date) : undefined, {
      omitDate: this.#opts.omitDate,
      flat: this.#opts.flat,
    });
    return { album, members, base };
  }

  // ---- reconciling one album ----

  async #reconcile(plan: Plan): Promise<void> {
    const { album } = plan;
    const folder = plan.folder;
    if (folder === undefined) {
      await this.#clearAlbum(album.id);
      if (album.folder !== null) this.#rec.setAlbumFolder(album.id, null);
      return;
    }
    assertAlbumPath(folder, "folder");
    this.#summary.albums++;
    if (album.folder !== null && album.folder !== folder) {
      await this.#folders.tryRenameFolder(album, album.folder, folder);
    }

    const byMedia = new Map(plan.members.map((m) => [m.item.id, m]));
    const kept = new Map<string, AlbumLinkRow>();
    /** Our links outside the album's folder (its old folder held a user's file): moved or removed. */
    const elsewhere = new Map<string, AlbumLinkRow>();
    const leftovers: AlbumLinkRow[] = [];
    /** Names of recorded links in the folder that are ours on disk. */
    const ours = new Set<string>();
    const links = albumLinks(this.#index, album.id);
    // Classifying only reads the disk: done side by side first, then acted on in order.
    const states = new Map<AlbumLinkRow, LinkState>();
    const inFolder = links.filter((l) =>
      isAlbumPath(l.path, "link") && posix.dirname(l.path) === folder
    );
    await forEachLimited(inFolder, LOOKUPS_AT_ONCE, async (link) => {
      states.set(link, await this.#classify(link, byMedia.get(link.mediaId)));
    });
    for (const link of links) {
      if (!isAlbumPath(link.path, "link")) {
        this.#forgetUnsafe(link.path);
        continue;
      }
      const member = byMedia.get(link.mediaId);
      if (posix.dirname(link.path) !== folder) {
        if (member && !elsewhere.has(link.mediaId)) elsewhere.set(link.mediaId, link);
        else leftovers.push(link);
        continue;
      }
      const state = states.get(link)!;
      if (state === "keep" && !kept.has(link.mediaId)) {
        kept.set(link.mediaId, link);
        ours.add(foldName(posix.basename(link.path)));
        this.#summary.linksKept++;
      } else if (state === "missing") {
        this.#rec.forgetLink(link.path);
      } else if (state === "foreign") {
        // The user replaced our link with a file of their own: it is theirs now.
        this.#rec.forgetLink(link.path);
      } else {
        await this.#removeLink(link);
      }
    }

    let foreign: Set<string> | undefined;
    const used = new Set(ours);
    for (const member of plan.members) {
      if (kept.has(member.item.id)) continue;
      if (foreign === undefined) {
        await this.#folders.ensureFolder(folder, album.id);
        foreign = await this.#foreignNames(folder);
      }
      const name = freeName(posix.basename(member.item.path), used, foreign);
      used.add(foldName(name));
      const path = `${folder}/${name}`;
      const old = elsewhere.get(member.item.id);
      if (old !== undefined) {
        elsewhere.delete(member.item.id);
        if (await this.#moveLink(old, path, member)) continue;
      }
      await this.#makeLink(path, album.id, member);
    }

    for (const link of [...elsewhere.values(), ...leftovers]) {
      const state = await this.#classify(link, byMedia.get(link.mediaId));
      if (state === "ours" || state === "keep") await this.#removeLink(link);
      else this.#rec.forgetLink(link.path);
    }
    for (const row of albumFolders(this.#index, album.id)) {
      if (row.path !== folder) await this.#folders.tryRemoveFolder(row);
    }
    if (album.folder !== folder) this.#rec.setAlbumFolder(album.id, folder);
  }

  /** Folded names in a folder that are not links the tool recorded: a user's files. */
  async #foreignNames(folder: string): Promise<Set<string>> {
    const recorded = new Set(
      linkPathsUnder(this.#index, folder).map((path) => foldName(posix.basename(path))),
    );
    const names = new Set<string>();
    try {
      for await (const entry of this.#fs.readDir(this.#abs(folder))) {
        const folded = foldName(entry.name);
        if (!recorded.has(folded)) names.add(folded);
      }
    } catch (err) {
      // A dry run plans the folder without making it: nothing is in it yet.
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return names;
  }

  /** Whether a recorded link is right as it is, ours but wrong, missing, or now the user's. */
  async #classify(
    link: AlbumLinkRow,
    member: Member | undefined,
  ): Promise<LinkState> {
    const abs = this.#abs(link.path);
    if (link.kind === "symlink") {
      try {
        const text = await this.#fs.readLink(abs);
        const right = member !== undefined &&
          text === nativeRelative(relativeTarget(link.path, member.item.path));
        return right && await this.#kindFits(link, member) ? "keep" : "ours";
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return "missing";
        return (await statOrUndefined(this.#fs, abs, false)) === undefined ? "missing" : "foreign";
      }
    }
    const info = await statOrUndefined(this.#fs, abs, false);
    if (info === undefined) return "missing";
    if (!info.isFile) return "foreign";
    if (member !== undefined && sameFile(info, member.info)) {
      return await this.#kindFits(link, member) ? "keep" : "ours";
    }
    // A hard link to an older copy of the file is ours while another name still holds its data;
    // a file with one name may be the only copy, or the user's: it stays.
    return (info.nlink ?? 1) > 1 ? "ours" : "foreign";
  }

  async #makeLink(path: string, albumId: string, member: Member): Promise<void> {
    assertAlbumPath(path, "link");
    this.#rec.recordLink({ path, albumId, mediaId: member.item.id, kind: this.#kind });
    let made;
    try {
      made = await makeLink(this.#abs(member.item.path), this.#abs(path), {
        kind: this.#kind,
        ops: this.#fs,
      });
    } catch (err) {
      this.#rec.forgetLink(path);
      throw linkError(err, path);
    }
    if (made.refused) {
      this.#rec.recordLink({ path, albumId, mediaId: member.item.id, kind: made.kind });
      this.#askedWorks = Promise.resolve(false);
      this.#warnFallback(made.kind, made.refused);
    }
    this.#summary.linksMade++;
    this.#emit({ type: "item", phase: "albums", id: member.item.id, path, status: "linked" });
  }

  /**
   * Whether a right link is of the right kind: the kind asked for, or the other one when TARGET
   * refuses the kind asked for (asked once per run by making and removing a probe link beside it).
   */
  async #kindFits(link: AlbumLinkRow, member: Member): Promise<boolean> {
    if (link.kind === this.#kind) return true;
    this.#askedWorks ??= canLink(
      this.#abs(member.item.path),
      this.#abs(`${posix.dirname(link.path)}/.gphotos-probe-${crypto.randomUUID().slice(0, 8)}`),
      { kind: this.#kind, ops: this.#fs, remove: (path) => this.#fs.remove(path) },
    );
    const works = await this.#askedWorks;
    if (!works) this.#warnFallback(link.kind, undefined);
    return !works;
  }

  #warnFallback(made: LinkKind, why: Error | undefined): void {
    if (this.#warnedFallback) return;
    this.#warnedFallback = true;
    const asked = this.#kind === "symlink" ? "symbolic links" : "hard links";
    const instead = made === "symlink" ? "symbolic links" : "hard links";
    this.#emit({
      type: "warning",
      message: `The file system of TARGET does not allow ${asked}` +
        (why ? ` (${why.message})` : "") + `; album folders hold ${instead} instead`,
    });
  }

  /** Moves one of our links from an album's old folder; false when it must be made anew. */
  async #moveLink(old: AlbumLinkRow, path: string, member: Member): Promise<boolean> {
    const state = await this.#classify(old, member);
    if (state === "missing" || state === "foreign") {
      this.#rec.forgetLink(old.path);
      return false;
    }
    const sameDepth = old.path.split("/").length === path.split("/").length;
    if (state !== "keep" || (old.kind === "symlink" && !sameDepth)) {
      await this.#removeLink(old);
      return false;
    }
    assertAlbumPath(path, "link");
    this.#rec.moveLinkRecord(old.path, path);
    await this.#fs.rename(this.#abs(old.path), this.#abs(path));
    this.#summary.linksMoved++;
    this.#emit({ type: "item", phase: "albums", id: member.item.id, path, status: "linked" });
    return true;
  }

  /** Removes one of our links, then its record. */
  async #removeLink(link: AlbumLinkRow): Promise<void> {
    try {
      await this.#fs.remove(this.#abs(link.path));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    this.#rec.forgetLink(link.path);
    this.#summary.linksRemoved++;
    this.#emit({
      type: "item",
      phase: "albums",
      id: link.mediaId,
      path: link.path,
      status: "removed",
    });
  }

  /** Takes away everything of an album: our links, then our folders when nothing else is left in them. */
  async #clearAlbum(albumId: string): Promise<void> {
    for (const link of albumLinks(this.#index, albumId)) {
      if (!isAlbumPath(link.path, "link")) {
        this.#forgetUnsafe(link.path);
        continue;
      }
      const state = await this.#classify(link, undefined);
      if (state === "ours") await this.#removeLink(link);
      else this.#rec.forgetLink(link.path);
    }
    for (const row of albumFolders(this.#index, albumId)) await this.#folders.tryRemoveFolder(row);
  }

  #forgetUnsafe(path: string): void {
    this.#rec.forgetLink(path);
    this.#emit({
      type: "warning",
      message: `Ignoring album link "${path}" recorded in the index: it is not inside albums/`,
    });
  }

  #abs(rel: string): string {
    return join(this.#target, ...rel.split("/"));
  }
}
