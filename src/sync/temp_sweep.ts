/**
 * Sweeps temporary files a finished run no longer needs: every one under `TARGET/photos` except
 * those of items still pending, which a later run resumes with a Range request.
 */
import { dirname, join } from "node:path";
import type { MediaIndex } from "../index/media_index.ts";
import { cleanTempFiles, isTempName } from "../files/atomic_file.ts";
import { forgetFinishedTransfers } from "../index/transfer_queries.ts";

/**
 * Removes temporary files under `TARGET/photos` except those of items still pending (which a later
 * run resumes); returns how many went.
 */
export async function sweepTempFiles(target: string, index: MediaIndex): Promise<number> {
  forgetFinishedTransfers(index);
  const keep = new Map<string, Set<string>>();
  for (const row of index.pendingItems()) {
    const dir = dirname(row.path);
    let names = keep.get(dir);
    if (!names) keep.set(dir, names = new Set());
    names.add(row.path.slice(dir.length + 1));
  }
  let removed = 0;
  const walk = async (rel: string): Promise<void> => {
    let hasTemp = false;
    const subdirs: string[] = [];
    try {
      for await (const entry of Deno.readDir(join(target, rel))) {
        if (entry.isDirectory) subdirs.push(`${rel}/${entry.name}`);
        else if (entry.isFile && isTempName(entry.name)) hasTemp = true;
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    if (hasTemp) {
      removed += (await cleanTempFiles(join(target, rel), { keep: keep.get(rel) })).length;
    }
    for (const sub of subdirs) await walk(sub);
  };
  await walk("photos");
  return removed;
}
