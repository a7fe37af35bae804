/** `--do-delete`: remove the files of items gone from Google, only when every listing proved it. */
import { join } from "node:path";
import type { MediaIndex, MediaRow } from "../index/mod.ts";
import type { EventSink } from "../events.ts";
import { silent } from "../events.ts";
import { isInside } from "../layout/mod.ts";
import { hashFile } from "../files/hash.ts";
import type { FileWriter } from "../files/writer.ts";

/** What `deleteRemovedFiles` did. */
export interface DeleteSummary {
  deleted: number;
  /** Files whose content no longer matches the index: the user changed them, so they stay. */
  keptChanged: number;
}

/** The warning when `--do-delete` is refused, naming the listings that did not run completely. */
export function deleteRefusedWarning(incomplete: string[]): string {
  return "--do-delete ignored: files are deleted only when every listing ran completely (the " +
    "library listing, the archived search and every own and shared album), and " +
    incomplete.join("; ");
}

/**
 * The deletion rule: with every listing of the run complete (`incomplete` empty), the files of the
 * items none of them returned (`gone`, from `settleListings`) go; otherwise a warning event
 * naming the incomplete listings, and undefined.
 */
export async function deleteAfterListing(
  target: string,
  index: MediaIndex,
  opts: { incomplete: string[]; gone: MediaRow[]; onEvent?: EventSink; writer?: FileWriter },
): Promise<DeleteSummary | undefined> {
  if (opts.incomplete.length > 0) {
    (opts.onEvent ?? silent)({ type: "warning", message: deleteRefusedWarning(opts.incomplete) });
    return undefined;
  }
  return await deleteRemovedFiles(target, index, opts.gone, {
    onEvent: opts.onEvent,
    writer: opts.writer,
  });
}

/**
 * Deletes the files of `rows`, items proven gone from Google. Called only when the user asked
 * (`--do-delete`). A file whose bytes differ from what the tool downloaded is the user's now and
 * stays.
 */
export async function deleteRemovedFiles(
  target: string,
  index: MediaIndex,
  rows: MediaRow[],
  opts: { onEvent?: EventSink; writer?: FileWriter } = {},
): Promise<DeleteSummary> {
  const emit = opts.onEvent ?? silent;

  const summary: DeleteSummary = { deleted: 0, keptChanged: 0 };
  for (const row of rows) {
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
    // A dry-run writer plans the removal; the index it is given is then a scratch copy.
    if (opts.writer) await opts.writer.remove(path);
    else await Deno.remove(path);
    index.markNotDownloaded(row.id);
    summary.deleted++;
    emit({ type: "item", phase: "index", id: row.id, path: row.path, status: "removed" });
  }
  return summary;
}
