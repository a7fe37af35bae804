/** `--do-delete`: remove the files of items gone from Google, only after a complete listing. */
import { join } from "node:path";
import type { MediaIndex } from "../index/mod.ts";
import type { EventSink } from "../events.ts";
import { silent } from "../events.ts";
import { isInside } from "../layout/mod.ts";
import { hashFile } from "../files/hash.ts";

/** What `deleteRemovedFiles` did. */
export interface DeleteSummary {
  deleted: number;
  /** Files whose content no longer matches the index: the user changed them, so they stay. */
  keptChanged: number;
}

/** What a listing must have been for `--do-delete` to act on it (an `IndexSummary`). */
export interface ListingOutcome {
  /** The whole library was listed, unfiltered, without error. */
  complete: boolean;
  /** Google returned nothing at all (most likely its 2025 policy, not an empty library). */
  emptyListing: boolean;
}

/** The warning when `--do-delete` is refused. */
export const DELETE_REFUSED_WARNING =
  "--do-delete ignored: only a complete listing of the whole library may delete files " +
  "(this one was filtered, cut short or empty)";

/**
 * The deletion rule: `deleteRemovedFiles` only after a complete, unfiltered, non-empty listing;
 * otherwise a warning event and undefined.
 */
export async function deleteAfterListing(
  target: string,
  index: MediaIndex,
  opts: { listing: ListingOutcome; onEvent?: EventSink },
): Promise<DeleteSummary | undefined> {
  if (!opts.listing.complete || opts.listing.emptyListing) {
    (opts.onEvent ?? silent)({ type: "warning", message: DELETE_REFUSED_WARNING });
    return undefined;
  }
  return await deleteRemovedFiles(target, index, { onEvent: opts.onEvent });
}

/**
 * Deletes the files of items marked removed from Google. Called only when the user asked
 * (`--do-delete`) and only after a listing that completed without error. A file whose bytes differ
 * from what the tool downloaded is the user's now and stays.
 */
export async function deleteRemovedFiles(
  target: string,
  index: MediaIndex,
  opts: { onEvent?: EventSink } = {},
): Promise<DeleteSummary> {
  const emit = opts.onEvent ?? silent;
  const summary: DeleteSummary = { deleted: 0, keptChanged: 0 };
  for (const row of index.removedItems()) {
    if (!row.downloadedAt || !isInside(target, row.path)) continue;
    const path = join(target, row.path);
    let digest;
    try {
      digest = await hashFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        index.markNotDownloaded(row.id);
        continue;
      }
      throw err;
    }
    if (digest.sha256 !== row.sha256) {
      summary.keptChanged++;
      emit({
        type: "warning",
        message: `Kept "${row.path}": removed from Google, but changed since it was downloaded`,
      });
      continue;
    }
    await Deno.remove(path);
    index.markNotDownloaded(row.id);
    summary.deleted++;
    emit({ type: "item", phase: "index", id: row.id, path: row.path, status: "removed" });
  }
  return summary;
}
