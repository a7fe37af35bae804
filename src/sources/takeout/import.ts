/**
 * A Takeout export into the same `photos/` and index as an API sync (album folders are the sync
 * layer's step after it: src/sync/takeout_run.ts). Pass one lists every part and pairs sidecars
 * (read_takeout.ts, match.ts); pass two streams each media entry into `photos/YYYY/MM/` through
 * src/files (temp file, hash, rename, mtime).
 * One item, one file: copies with the same bytes (year folder, albums, repeated parts, an earlier
 * import) become one item with album memberships, and an API or picker download of the same photo
 * (same original name and capture time) is replaced in place by the Takeout original.
 */
import { EXIT } from "../../errors.ts";
import { SNIFF_BYTES } from "../../media/media_type.ts";
import { keepingHead } from "../../files/byte_pump.ts";
import { discardStaged, hashChunks, stageChunks, streamPump } from "../../files/staging.ts";
import { clearStagingDir, STAGING_DIR } from "../../files/staging_dir.ts";
import { Importer } from "./importer.ts";
import { forgetChecks } from "../../files/inside_target.ts";
import type { Content, Streamed } from "./_record.ts";
import type { ImportTakeoutOptions } from "./import_options.ts";
import { KnownEntries } from "./known_entries.ts";
import { KnownJson } from "./known_json.ts";
import { readTakeout, type TakeoutTree } from "./read_takeout.ts";
import { emptyReport, type TakeoutReport } from "./report.ts";

export { takeoutAlbumId } from "./importer.ts";

export type { ImportTakeoutOptions } from "./import_options.ts";

/** Imports a Takeout export into TARGET; see the module comment. */
export async function importTakeout(opts: ImportTakeoutOptions): Promise<TakeoutReport> {
  const { target, index } = opts;
  const emit = opts.onEvent ?? (() => {});
  const report = emptyReport();
  report.dryRun = opts.dryRun === true;
  // Staged files check each folder once per run: this run checks afresh whatever an earlier one
  // found (a folder may be a symlink since).
  forgetChecks(target);
  // A killed run may have left staged files; they are never final names, so dropping them is safe.
  if (!opts.dryRun) await clearStagingDir(target);

  // Rule 14: every entry the index knows, in one query, before any part is read.
  const streamed: Streamed = {
    content: new Map(),
    known: new Map(),
    entries: new KnownEntries(index, target),
  };
  const knownJson = new KnownJson(index);
  emit({ type: "phase", phase: "takeout" });
  let tree: TakeoutTree;
  try {
    tree = await readTakeout(opts.paths, {
      onEvent: emit,
      signal: opts.signal,
      knownJson: (entry) => knownJson.info(entry),
      onStreamedMedia: async (entry, body) => {
        // Rule 14 for a tgz: read past what the index knows, neither hashed nor written.
        const known = await streamed.entries.item(entry);
        if (known) {
          streamed.known.set(entry, known);
          await body.cancel();
          return;
        }
        const kept = keepingHead(streamPump(body), SNIFF_BYTES);
        let content: Content;
        if (opts.dryRun) {
          content = { ...(await hashChunks(kept.pump)), head: kept.head() };
        } else {
          const file = await stageChunks(kept.pump, { target, dir: STAGING_DIR, hint: entry.name });
          content = { size: file.size, sha256: file.sha256, head: kept.head(), staged: file };
          report.bytesWritten += file.size;
        }
        streamed.content.set(entry, content);
      },
    });
  } catch (err) {
    streamed.entries.close();
    if (!opts.dryRun) await clearStagingDir(target);
    throw err;
  }
  report.unchangedJson = knownJson.answered;
  try {
    // What the JSON files said holds whatever pass two does: stored before it starts.
    if (!opts.dryRun) knownJson.record(tree.json);
    const importer = new Importer(opts, tree, streamed, report);
    await importer.run();
  } finally {
    streamed.entries.close();
    await tree.close();
    for (const c of streamed.content.values()) if (c.staged) await discardStaged(c.staged);
    if (!opts.dryRun) await clearStagingDir(target);
  }
  report.problems.unshift(...tree.problems);
  report.exitCode = report.problems.length > 0 || report.failed > 0 ? EXIT.partial : EXIT.ok;
  const would = opts.dryRun ? "would be " : "";
  emit({
    type: "info",
    message: `Takeout: ${report.imported} ${would}imported, ${report.replaced} ${would}replaced, ` +
      `${report.alreadyPresent} already in the backup, ${report.duplicates} copies merged, ` +
      `${report.redated} ${would}re-dated, ${report.failed} failed`,
  });
  return report;
}
