/**
 * A Takeout import followed by the album-folder step, the way `takeout` runs it: the Takeout
 * source only records albums in the index; bringing `albums/` in step is the sync layer's job.
 */
import { importTakeout, type ImportTakeoutOptions } from "../sources/takeout/import.ts";
import type { TakeoutReport } from "../sources/takeout/report.ts";
import type { MediaIndex } from "../index/mod.ts";
import { type AlbumFoldersSummary, syncAlbumFolders } from "./album_links.ts";

/** Options of `importTakeoutAndLink`. */
export interface TakeoutRunOptions extends Omit<ImportTakeoutOptions, "index"> {
  /** The open index of TARGET (the import itself sees it only through the sources' port). */
  index: MediaIndex;
  /**
   * How album folders are brought up to date after the import (`albums/...` links, as the
   * `albums` command makes them); `false` records albums in the index only.
   */
  albumFolders?: false | { hardlinks?: boolean; omitDate?: boolean; byFirstPhoto?: boolean };
}

/** What an import and its album-folder step did. */
export interface TakeoutRunReport extends TakeoutReport {
  /** What bringing `albums/` up to date did, unless `albumFolders: false`. */
  albumFolders?: AlbumFoldersSummary;
}

/** Imports a Takeout export, then brings `albums/` in step unless `albumFolders` is false. */
export async function importTakeoutAndLink(opts: TakeoutRunOptions): Promise<TakeoutRunReport> {
  const { albumFolders, ...importOpts } = opts;
  const report: TakeoutRunReport = await importTakeout(importOpts);
  if (albumFolders !== false) {
    const links = albumFolders ?? {};
    report.albumFolders = await syncAlbumFolders(opts.target, opts.index, {
      hardlinks: links.hardlinks,
      omitDate: links.omitDate,
      byFirstPhoto: links.byFirstPhoto,
      flat: opts.flat,
      onEvent: opts.onEvent,
    });
  }
  return report;
}
