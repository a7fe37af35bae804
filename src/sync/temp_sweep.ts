/**
 * Sweeps temporary files a finished run no longer needs. Every temporary file lives in
 * `TARGET/.gphotos-tmp/`, so only that folder is swept: files in `photos/` are never deleted here,
 * whatever their name (an item may be called `.x.gphotos-tmp`). An older version kept them beside
 * the final files; those are handled only for items the index's transfers table names.
 */
import type { MediaIndex } from "../index/media_index.ts";
import type { MediaRow } from "../index/types.ts";
import {
  adoptLegacyTemp,
  cleanTempFiles,
  legacyTempPathOf,
  removeLegacyTemp,
} from "../files/temp_names.ts";
import {
  forgetFinishedTransfers,
  startedTransfers,
  transferOf,
} from "../index/transfer_queries.ts";

/**
 * Removes temporary files except those of items still pending (which a later run resumes), and the
 * old-scheme temporary files of items the transfers table names that are no longer pending; returns
 * how many went.
 */
export async function sweepTempFiles(target: string, index: MediaIndex): Promise<number> {
  let removed = 0;
  for (const started of startedTransfers(index)) {
    if (started.pending || !ownsLegacyName(index, started.path)) continue;
    if (await removeLegacyTemp(target, started.path)) removed++;
  }
  forgetFinishedTransfers(index);
  const keep = new Set(index.pendingItems().map((row) => row.path));
  removed += (await cleanTempFiles(target, { keep })).length;
  return removed;
}

/**
 * Moves the old-scheme temporary file of a pending item into `.gphotos-tmp/` so its transfer
 * resumes; only when the transfers table names the item. Returns whether one moved.
 */
export async function adoptLegacyTempOf(
  target: string,
  index: MediaIndex,
  row: MediaRow,
): Promise<boolean> {
  if (!transferOf(index, row.id) || !ownsLegacyName(index, row.path)) return false;
  return await adoptLegacyTemp(target, row.path);
}

/** Whether the old temporary name of `path` is free of items: an item may be called anything. */
function ownsLegacyName(index: MediaIndex, path: string): boolean {
  return index.getItemByPath(legacyTempPathOf(path)) === undefined;
}
