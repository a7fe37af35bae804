/** The options of a Takeout import, shared by its two passes. */
import type { EventSink } from "../../events.ts";
import type { IndexPort } from "../../index/mod.ts";

/** Options of `importTakeout`. */
export interface ImportTakeoutOptions {
  /** The backup folder (TARGET). */
  target: string;
  /** `.zip` parts, `.tgz`/`.tar.gz` archives and extracted folders, all one export. */
  paths: string[];
  /** The open index of TARGET; the caller holds the run lock. */
  index: IndexPort;
  /** Import what Google had in the trash (flagged trashed) instead of skipping it. */
  includeTrash?: boolean;
  /** Write `<file>.xmp` beside each imported file (date, GPS, description). */
  xmp?: boolean;
  /** `photos/YYYY-MM` instead of `photos/YYYY/MM` for new items. */
  flat?: boolean;
  onEvent?: EventSink;
  signal?: AbortSignal;
  /** Entries streamed side by side (default 4). */
  concurrency?: number;
  /**
   * Decide everything, write nothing to TARGET: bytes are hashed instead of staged, no file is
   * placed, moved or removed. `index` should be a scratch copy: it records the plan.
   */
  dryRun?: boolean;
}
