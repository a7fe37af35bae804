/**
 * Queries of the album phase: the `album_links` and `album_folders` tables (what the tool made on
 * disk). The albums and their members live in `album_table.ts`; the last two functions here
 * hand over to it for the callers that import them from this file.
 */
import type { MediaIndex } from "./media_index.ts";
import { nowIso } from "./db.ts";
import { type Row, sqlOf } from "./_handle.ts";
import type { AlbumRow } from "./types.ts";
import type { LinkKind } from "../files/links.ts";

export type { LinkKind } from "../files/links.ts";

/** A link the tool made in an album folder. */
export interface AlbumLinkRow {
  /** Relative to TARGET, "/"-separated. */
  path: string;
  albumId: string;
  mediaId: string;
  kind: LinkKind;
  madeAt: string;
}

/** A folder the tool made for an album. */
export interface AlbumFolderRow {
  /** Relative to TARGET, "/"-separated. */
  path: string;
  albumId: string;
  madeAt: string;
}

function toLink(r: Row): AlbumLinkRow {
  return {
    path: r.path as string,
    albumId: r.album_id as string,
    mediaId: r.media_id as string,
    kind: r.kind as LinkKind,
    madeAt: r.made_at as string,
  };
}

function toFolder(r: Row): AlbumFolderRow {
  return { path: r.path as string, albumId: r.album_id as string, madeAt: r.made_at as string };
}

/** The links recorded for an album, in path order. */
export function albumLinks(index: MediaIndex, albumId: string): AlbumLinkRow[] {
  return (sqlOf(index).stmt("SELECT * FROM album_links WHERE album_id = ? ORDER BY path").all(
    albumId,
  ) as Row[]).map(toLink);
}

/** Every recorded link. */
export function allAlbumLinks(index: MediaIndex): AlbumLinkRow[] {
  return (sqlOf(index).stmt("SELECT * FROM album_links ORDER BY path").all() as Row[]).map(toLink);
}

/** Records a link, before it is made (a crash then leaves a row whose link is missing, never the reverse). */
export function recordLink(
  index: MediaIndex,
  link: { path: string; albumId: string; mediaId: string; kind: LinkKind },
): void {
  sqlOf(index).stmt(
    `INSERT INTO album_links (path, album_id, media_id, kind, made_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (path) DO UPDATE SET album_id = excluded.album_id, media_id = excluded.media_id,
       kind = excluded.kind, made_at = excluded.made_at`,
  ).run(link.path, link.albumId, link.mediaId, link.kind, nowIso());
}

/**
 * The recorded links directly or deeper inside `folder`, by path. A range over the primary key
 * ("0" follows "/"), so this stays an index lookup.
 */
export function linkPathsUnder(index: MediaIndex, folder: string): string[] {
  return (sqlOf(index).stmt("SELECT path FROM album_links WHERE path > ? AND path < ?")
    .all(`${folder}/`, `${folder}0`) as Row[]).map((r) => r.path as string);
}

/** Forgets a link. */
export function forgetLink(index: MediaIndex, path: string): void {
  sqlOf(index).stmt("DELETE FROM album_links WHERE path = ?").run(path);
}

/** Moves a recorded link to a new path. */
export function moveLinkRecord(index: MediaIndex, from: string, to: string): void {
  sqlOf(index).stmt("UPDATE album_links SET path = ? WHERE path = ?").run(to, from);
}

/** The folders recorded for an album. */
export function albumFolders(index: MediaIndex, albumId: string): AlbumFolderRow[] {
  return (sqlOf(index).stmt("SELECT * FROM album_folders WHERE album_id = ? ORDER BY path").all(
    albumId,
  ) as Row[]).map(toFolder);
}

/** Every recorded folder. */
export function allAlbumFolders(index: MediaIndex): AlbumFolderRow[] {
  return (sqlOf(index).stmt("SELECT * FROM album_folders ORDER BY path").all() as Row[]).map(
    toFolder,
  );
}

/** The recorded folder at a path, whichever album it belongs to. */
export function folderRecord(index: MediaIndex, path: string): AlbumFolderRow | undefined {
  const row = sqlOf(index).stmt("SELECT * FROM album_folders WHERE path = ?").get(path) as
    | Row
    | undefined;
  return row ? toFolder(row) : undefined;
}

/** Records a folder the tool made (or took over) for an album. */
export function recordFolder(index: MediaIndex, path: string, albumId: string): void {
  sqlOf(index).stmt(
    `INSERT INTO album_folders (path, album_id, made_at) VALUES (?, ?, ?)
     ON CONFLICT (path) DO UPDATE SET album_id = excluded.album_id`,
  ).run(path, albumId, nowIso());
}

/** Forgets a folder. */
export function forgetFolder(index: MediaIndex, path: string): void {
  sqlOf(index).stmt("DELETE FROM album_folders WHERE path = ?").run(path);
}

/**
 * Albums the link builder must still clean up: removed ones, and ids that have links or folders
 * but no album row at all.
 */
export function staleAlbumIds(index: MediaIndex): string[] {
  const rows = sqlOf(index).stmt(
    `SELECT album_id AS id FROM album_links
     UNION SELECT album_id AS id FROM album_folders
     EXCEPT SELECT id FROM albums WHERE removed_at IS NULL
     ORDER BY id`,
  ).all() as Row[];
  return rows.map((r) => r.id as string);
}

/** Every album row, removed ones included. */
export function allAlbumRows(index: MediaIndex): AlbumRow[] {
  return index.allAlbumRows();
}

/** Items of live albums that are not on disk yet (a `download` or `sync` fetches them). */
export function pendingAlbumItemCount(index: MediaIndex): number {
  return index.pendingAlbumItemCount();
}
