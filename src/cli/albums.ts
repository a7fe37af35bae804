/** `gphotos-sync albums TARGET`: index albums and bring album folders up to date. */
import { EXIT } from "../errors.ts";
import { pendingAlbumItemCount } from "../index/album_queries.ts";
import type { EventSink } from "../events.ts";
import {
  indexAlbums,
  type IndexAlbumsOptions,
  type IndexAlbumsSummary,
} from "../sources/library/albums_index.ts";
import {
  type AlbumFoldersOptions,
  type AlbumFoldersSummary,
  syncAlbumFolders,
} from "../sync/album_links.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { openSession } from "./session.ts";
import { dryRunWriter } from "../files/writer.ts";
import { planCounts, planLines } from "./dry_run_plan.ts";

/** Options of `albums` (and the album options of `sync`), as commander names them. */
export interface AlbumsCommandOptions extends GlobalOptions {
  secret?: string;
  rescan?: boolean;
  album?: string;
  albumRegex?: string;
  skipSharedAlbums?: boolean;
  albumDateByFirstPhoto?: boolean;
  omitAlbumDate?: boolean;
  useFlatPath?: boolean;
  useHardlinks?: boolean;
  /** List albums into a scratch index and report the folder changes; change nothing. */
  dryRun?: boolean;
}

/**
 * Runs `albums`: lists albums and their items into the index, then brings TARGET/albums/ up to
 * date. Items found only in albums are indexed but not fetched here (`sync` downloads them
 * between the two steps); only files already on disk are linked.
 */
export async function runAlbums(
  target: string,
  opts: AlbumsCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const dry = opts.dryRun === true;
  const session = await openSession(target, { ...opts, command: "albums", dryRun: dry }, ctx);
  let status: "ok" | "partial" | "failed" = "failed";
  let summary: Record<string, unknown> | undefined;
  try {
    const onEvent: EventSink = (e) => session.reporter.event(e);
    const indexed = await indexAlbums(session.library, session.index, {
      ...albumIndexOptionsFrom(opts),
      onEvent,
    });
    // A dry run lists into a scratch index (openSession) and plans the folders with this writer.
    const writer = dry ? dryRunWriter(session.target) : undefined;
    const linked = await syncAlbumFolders(session.target, session.index, {
      ...albumLinkOptionsFrom(opts),
      onEvent,
      writer,
    });
    const pending = pendingAlbumItemCount(session.index);
    const tally = session.pacer.tally;
    summary = albumsSummaryObject(indexed, linked, tally, pending);
    const lines = albumsSummaryLines(indexed, linked, tally, pending);
    if (writer) {
      summary = { ...summary, dryRun: true, planned: planCounts(writer.planned) };
      lines.push(
        ...planLines(writer.planned),
        `albums --dry-run: ${writer.planned.length} changes to album folders; nothing was changed`,
      );
    }
    session.reporter.summary(summary, lines);
    status = indexed.failed > 0 ? "partial" : "ok";
    return indexed.failed > 0 ? EXIT.partial : EXIT.ok;
  } finally {
    session.close(status, summary);
  }
}

/** The options of `indexAlbums` from the command's (or `sync`'s) options. */
export function albumIndexOptionsFrom(opts: AlbumsCommandOptions): IndexAlbumsOptions {
  return {
    rescan: opts.rescan,
    skipShared: opts.skipSharedAlbums,
    album: opts.album,
    albumRegex: opts.albumRegex,
    flat: opts.useFlatPath,
  };
}

/** The options of `syncAlbumFolders` from the command's (or `sync`'s) options. */
export function albumLinkOptionsFrom(opts: AlbumsCommandOptions): AlbumFoldersOptions {
  return {
    hardlinks: opts.useHardlinks,
    omitDate: opts.omitAlbumDate,
    flat: opts.useFlatPath,
    byFirstPhoto: opts.albumDateByFirstPhoto,
    skipShared: opts.skipSharedAlbums,
    album: opts.album,
    albumRegex: opts.albumRegex,
  };
}

/** The albums summary as a JSON object (the last `--json` line). */
export function albumsSummaryObject(
  indexed: IndexAlbumsSummary,
  linked: AlbumFoldersSummary,
  tally: { apiCalls: number; mediaFetches: number },
  pending = 0,
): Record<string, unknown> {
  return {
    command: "albums",
    albums: indexed.albums,
    sharedAlbums: indexed.shared,
    sharedDenied: indexed.sharedDenied,
    albumsListed: indexed.listed,
    albumsUnchanged: indexed.unchanged,
    albumsRemoved: indexed.removed,
    albumsFailed: indexed.failed,
    itemsAdded: indexed.itemsAdded,
    itemsPending: pending,
    folders: linked.albums,
    linksMade: linked.linksMade,
    linksMoved: linked.linksMoved,
    linksKept: linked.linksKept,
    linksRemoved: linked.linksRemoved,
    foldersMade: linked.foldersMade,
    foldersRenamed: linked.foldersRenamed,
    foldersRemoved: linked.foldersRemoved,
    foldersKept: linked.foldersKept,
    apiCalls: tally.apiCalls,
    mediaFetches: tally.mediaFetches,
  };
}

/** The albums summary for people. */
export function albumsSummaryLines(
  indexed: IndexAlbumsSummary,
  linked: AlbumFoldersSummary,
  tally: { apiCalls: number; mediaFetches: number },
  pending = 0,
): string[] {
  const lines = [
    `albums: ${indexed.albums} (${indexed.shared} shared${
      indexed.sharedDenied ? ", shared albums refused by Google" : ""
    }), ${indexed.listed} listed, ${indexed.unchanged} unchanged, ${indexed.removed} removed` +
    (indexed.failed ? `, ${indexed.failed} failed (listed again next run)` : ""),
    `album items: ${indexed.itemsAdded} new (only in albums)` +
    (pending ? `, ${pending} not downloaded yet (run "gphotos-sync sync" or "download")` : ""),
    `album folders: ${linked.albums}; links ${linked.linksMade} made, ${linked.linksRemoved} removed, ` +
    `${linked.linksKept + linked.linksMoved} kept; folders ${linked.foldersMade} made, ` +
    `${linked.foldersRenamed} renamed, ${linked.foldersRemoved} removed` +
    (linked.foldersKept ? `, ${linked.foldersKept} kept for files that are not ours` : ""),
    `API calls: ${tally.apiCalls} (Google allows 10,000 a day per project)`,
  ];
  return lines;
}
