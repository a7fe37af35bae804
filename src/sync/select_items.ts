/**
 * Which indexed items a download fetches: one choice, made here, for the engine (`addFromIndex`)
 * and for `download --dry-run`, so the plan shown is the plan run. Reads the disk, changes nothing.
 */
import type { MediaIndex } from "../index/media_index.ts";
import type { MediaRow, Source } from "../index/types.ts";
import { resolveInside } from "../files/atomic_file.ts";
import { hashFile } from "../files/hash.ts";
import { isVideo } from "../media/media_type.ts";

/** Which items `selectDownloads` picks. */
export interface SelectOptions {
  /** Sources whose items can be fetched (default library and album). */
  sources?: readonly Source[];
  /** Leave videos out. */
  skipVideo?: boolean;
  /** Also items marked downloaded whose file is missing or of another size. */
  retryDownload?: boolean;
  /** With `retryDownload`: hash each file too, so one whose SHA-256 differs is fetched again. */
  checksum?: boolean;
}

/** An item to fetch; `recheck` says why an item marked downloaded is fetched again. */
export interface SelectedItem {
  row: MediaRow;
  recheck?: "missing" | "changed";
}

/**
 * The items to fetch, in the order the engine queues them: with `retryDownload` first the items
 * marked downloaded whose file is missing or changed, then the pending items.
 */
export async function selectDownloads(
  target: string,
  index: MediaIndex,
  opts: SelectOptions = {},
): Promise<SelectedItem[]> {
  const sources = new Set<string>(opts.sources ?? ["library", "album"]);
  const wanted = (row: MediaRow) => sources.has(row.source) && !(opts.skipVideo && isVideo(row));
  const out: SelectedItem[] = [];
  if (opts.retryDownload) {
    for (const row of index.downloadedItems()) {
      if (row.removedAt !== null || !wanted(row)) continue;
      const state = await fileState(target, row, opts.checksum === true);
      if (state !== "ok") out.push({ row, recheck: state });
    }
  }
  for (const row of index.pendingItems({ skipVideo: opts.skipVideo })) {
    if (wanted(row)) out.push({ row });
  }
  return out;
}

/** Whether a downloaded item's file is there with the recorded size (and, asked, SHA-256). */
async function fileState(
  target: string,
  row: MediaRow,
  checksum: boolean,
): Promise<"ok" | "missing" | "changed"> {
  let path: string;
  try {
    path = resolveInside(target, row.path);
  } catch {
    return "missing";
  }
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "missing";
    throw err;
  }
  if (!info.isFile) return "missing";
  if (row.size !== null && info.size !== row.size) return "changed";
  // Same size, other bytes (a bit flip, an editor saving in place): only the hash tells.
  if (checksum && row.sha256 !== null && (await hashFile(path)).sha256 !== row.sha256) {
    return "changed";
  }
  return "ok";
}
