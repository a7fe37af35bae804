/** `gphotos-sync index TARGET`: list the library into the index. */
import { EXIT } from "../errors.ts";
import type { IndexSummary } from "../sources/library/library_index.ts";
import type { DeleteSummary } from "../sync/deletions.ts";
import { runSync } from "../sync/run_sync.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { openSession } from "./session.ts";
import { emptyLibraryBlock, emptyLibraryMessage, libraryItems } from "./empty_library.ts";

/** Options of `index`. */
export interface IndexCommandOptions extends GlobalOptions {
  secret?: string;
  startDate?: string;
  endDate?: string;
  skipVideo?: boolean;
  favouritesOnly?: boolean;
  archived?: boolean;
  rescan?: boolean;
  useFlatPath?: boolean;
  /** Delete the files of items no listing returns (only when every listing ran completely). */
  doDelete?: boolean;
}

/** Runs `index`; returns the exit code. */
export async function runIndex(
  target: string,
  opts: IndexCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const session = await openSession(target, { ...opts, command: "index" }, ctx);
  let status: "ok" | "failed" = "failed";
  let summary: Record<string, unknown> | undefined;
  try {
    // The listing phase of sync alone, under the same deletion rule: deleting also needs every
    // album's items, so --do-delete lists albums into the index too (no folders are made).
    const { indexed, deleted } = await runSync({
      target: session.target,
      index: session.index,
      library: session.library,
      http: session.http,
      onEvent: (e) => session.reporter.event(e),
      signal: ctx.signal,
    }, {
      listing: indexOptionsFrom(opts),
      download: false,
      albums: opts.doDelete ? { listing: { flat: opts.useFlatPath }, links: {} } : false,
      doDelete: opts.doDelete,
    });
    const result = indexed!;
    status = "ok";
    summary = { ...indexSummaryObject(result, session.pacer.tally), deleted: deleted ?? null };
    const lines = indexSummaryLines(result, session.pacer.tally);
    if (deleted) lines.splice(1, 0, deletedLine(deleted));
    if (result.emptyListing && opts.json) session.reporter.warn(emptyLibraryMessage());
    session.reporter.summary(summary, lines);
    if (result.emptyListing && !opts.json) {
      ctx.stderr(emptyLibraryBlock(target, libraryItems(session.index.counts())));
    }
    return EXIT.ok;
  } finally {
    session.close(status, summary);
  }
}

/** The summary line of `--do-delete`. */
export function deletedLine(d: DeleteSummary): string {
  return `deleted: ${d.deleted} files of items removed from Google` +
    (d.keptChanged ? `, ${d.keptChanged} kept because they changed since download` : "");
}

/** The core's index options from the command's options. */
export function indexOptionsFrom(opts: IndexCommandOptions) {
  return {
    startDate: opts.startDate,
    endDate: opts.endDate,
    skipVideo: opts.skipVideo,
    favouritesOnly: opts.favouritesOnly,
    archived: opts.archived,
    flat: opts.useFlatPath,
  };
}

/** The index summary as a JSON object. */
export function indexSummaryObject(
  r: IndexSummary,
  tally: { apiCalls: number; mediaFetches: number },
): Record<string, unknown> {
  return {
    command: "index",
    listed: r.listed,
    added: r.added,
    updated: r.updated,
    removed: r.removed,
    complete: r.complete,
    emptyListing: r.emptyListing,
    apiCalls: tally.apiCalls,
    mediaFetches: tally.mediaFetches,
  };
}

/** The index summary for people. */
export function indexSummaryLines(
  r: IndexSummary,
  tally: { apiCalls: number; mediaFetches: number },
): string[] {
  return [
    `index: ${r.listed} listed, ${r.added} new, ${r.updated} updated, ${r.removed} marked removed` +
    (r.complete ? "" : " (partial listing: nothing marked removed)"),
    `API calls: ${tally.apiCalls} (Google allows 10,000 a day per project)`,
  ];
}
