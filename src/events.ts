/** Events the core emits; the CLI renders them as a bar, lines or JSON. The core never prints. */

/** A named phase of a run. */
export type Phase =
  | "index"
  | "download"
  | "albums"
  | "compare"
  | "takeout"
  | "pick"
  | "verify";

/** One thing that happened during a run. */
export type RunEvent =
  | { type: "phase"; phase: Phase; total?: number; totalBytes?: number }
  | {
    type: "progress";
    phase: Phase;
    done: number;
    total?: number;
    bytes?: number;
    totalBytes?: number;
  }
  | {
    type: "item";
    phase: Phase;
    id: string;
    path?: string;
    status: "added" | "updated" | "downloaded" | "skipped" | "failed" | "removed" | "linked";
    reason?: string;
  }
  | { type: "warning"; message: string }
  | { type: "info"; message: string };

/** Receives events; a no-op by default. */
export type EventSink = (event: RunEvent) => void;

/** A sink that drops everything. */
export function silent(_event: RunEvent): void {}
