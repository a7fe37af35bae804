/** What a Takeout import did, counted as it goes; the CLI prints it as a table or JSON. */
import { EXIT } from "../../errors.ts";
import type { EventSink } from "../../events.ts";
import type { SourceProblem } from "./part.ts";
import type { JsonFile } from "./read_takeout.ts";

const MAX_ORPHAN_WARNINGS = 20;

/** What an import did; the CLI prints it as a table or JSON. */
export interface TakeoutReport {
  /** Media files below the Google Photos folder(s), each path counted once. */
  mediaFiles: number;
  /** Media files with a sidecar of their own (by name, or by a unique title). */
  matched: number;
  /** Of `matched`, those paired only through the JSON `title`. */
  matchedByTitle: number;
  /** Edited copies and live/motion parts bound to their primary item's sidecar. */
  matchedVariant: number;
  /** Media files imported without any sidecar (dated by EXIF, file name or entry time). */
  withoutSidecar: number;
  /** Sidecars no media file took (a missing part leaves these). */
  orphanSidecars: number;
  /** Files of `Failed Videos/`, not imported. */
  failedVideos: number;
  /** Trashed files left out (see `includeTrash`). */
  skippedTrash: number;
  /** Files of the Locked Folder, imported like others. */
  lockedFolder: number;
  /** New files written to `photos/`. */
  imported: number;
  /** API or picker downloads replaced by the Takeout original. */
  replaced: number;
  /** Files already in the backup with the same content (an earlier import). */
  alreadyPresent: number;
  /** Further copies of an item of this run (album folders, repeated parts). */
  duplicates: number;
  /** Items tied to a primary item (edited copy, live-photo video, motion part). */
  companions: number;
  albums: number;
  albumMemberships: number;
  xmpWritten: number;
  bytesWritten: number;
  /** Entries that could not be imported. */
  failed: number;
  /** Entries outside Google Photos (other products, HTML) and junk. */
  ignored: number;
  /** Items given a better date by this import, their files moved to its month folder. */
  redated: number;
  /** Media entries recognised from the archive's directory (path, size, CRC-32 or time), unread. */
  unchangedEntries: number;
  /** Media entries whose data was read (streamed ones included). */
  entriesRead: number;
  /** JSON files (sidecars, album files) recognised from the index, unread. */
  unchangedJson: number;
  /** True for `--dry-run`: the counts say what would be done; nothing was written. */
  dryRun: boolean;
  /** Unreadable parts and entries, each naming the archive and the entry. */
  problems: SourceProblem[];
  /** 0, or 4 when some parts or entries failed (the rest imported). */
  exitCode: number;
}

/** A report of an import that did nothing yet. */
export function emptyReport(): TakeoutReport {
  return {
    mediaFiles: 0,
    matched: 0,
    matchedByTitle: 0,
    matchedVariant: 0,
    withoutSidecar: 0,
    orphanSidecars: 0,
    failedVideos: 0,
    skippedTrash: 0,
    lockedFolder: 0,
    imported: 0,
    replaced: 0,
    alreadyPresent: 0,
    duplicates: 0,
    companions: 0,
    albums: 0,
    albumMemberships: 0,
    xmpWritten: 0,
    bytesWritten: 0,
    failed: 0,
    ignored: 0,
    redated: 0,
    unchangedEntries: 0,
    entriesRead: 0,
    unchangedJson: 0,
    dryRun: false,
    problems: [],
    exitCode: EXIT.ok,
  };
}

/** Counts sidecars no media file took into `report`; a missing part leaves thousands: names a few. */
export function warnOrphans(orphans: JsonFile[], report: TakeoutReport, emit: EventSink): void {
  report.orphanSidecars = orphans.length;
  for (const o of orphans.slice(0, MAX_ORPHAN_WARNINGS)) {
    emit({
      type: "warning",
      message: `Sidecar "${o.entry.key}" of "${o.entry.source}" has no media file`,
    });
  }
  if (orphans.length > MAX_ORPHAN_WARNINGS) {
    emit({
      type: "warning",
      message: `${orphans.length - MAX_ORPHAN_WARNINGS} more sidecars have no media file ` +
        `(is a part of the export missing?)`,
    });
  }
}
