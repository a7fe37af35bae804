/**
 * What `sync`, `index` and `status` say when Google listed an empty library: under the rules of
 * 2025-03-31 that is what an existing library looks like to a third-party app, so a run that backs
 * up nothing must not pass for a good one. Not an error (exit 0): the tool did what Google allows.
 */
import type { IndexCounts } from "../index/index_counts.ts";

/** Items in the index that came from the Library API listing. */
export function libraryItems(counts: IndexCounts): number {
  return counts.bySourceAndType.filter((g) => g.source === "library")
    .reduce((n, g) => n + g.items, 0);
}

/** The notice as one block for people. */
export function emptyLibraryLines(target: string, known: number): string[] {
  const t = quoteArg(target);
  return [
    "Google returned an empty library.",
    "  Since 2025-03-31 Google shows third-party apps only the photos they uploaded themselves,",
    "  so an existing library lists as empty: nothing was backed up from it by this run" +
    (known ? ` (the ${known} items already in the index are kept).` : "."),
    "  Your photos come through these two instead:",
    `    gphotos-sync takeout ${t} takeout-*.zip   every original, from a Google Takeout export`,
    "                                        (takeout.google.com: no Cloud project, no token)",
    `    gphotos-sync pick ${t}                    what you choose in Google's picker (new photos)`,
  ];
}

/** The notice as one line, for `--json` warnings and `status`. */
export function emptyLibraryMessage(): string {
  return "Google returned an empty library (since 2025-03-31 it shows third-party apps only what " +
    "they uploaded): back up your photos with `gphotos-sync takeout TARGET takeout-*.zip` and " +
    "`gphotos-sync pick TARGET`";
}

/** The notice as printed on stderr after the summary. */
export function emptyLibraryBlock(target: string, known: number): string {
  return "\n" + emptyLibraryLines(target, known).join("\n") + "\n";
}

/** The target as the user would type it again; quoted when the shell would split it. */
function quoteArg(s: string): string {
  return /^[\w@%+=:,./~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
