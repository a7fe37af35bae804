/** How `--dry-run` shows the changes a dry-run writer recorded: a few lines and counts. */
import type { WriteOp } from "../files/writer.ts";

/** Planned changes shown by name before "... and N more". */
const SHOWN = 30;

/** The plan for people: one line per change (the first few), then how many more. */
export function planLines(planned: readonly WriteOp[]): string[] {
  const lines = planned.slice(0, SHOWN).map(opLine);
  if (planned.length > SHOWN) lines.push(`  ... and ${planned.length - SHOWN} more changes`);
  return lines;
}

/** The plan as counts per kind of change, for the `--json` summary. */
export function planCounts(planned: readonly WriteOp[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of planned) counts[op.op] = (counts[op.op] ?? 0) + 1;
  return counts;
}

function opLine(op: WriteOp): string {
  switch (op.op) {
    case "mkdir":
      return `  would make folder ${op.path}`;
    case "symlink":
      return `  would link ${op.path} -> ${op.target}`;
    case "link":
      return `  would hard-link ${op.path}`;
    case "rename":
      return `  would rename ${op.path} -> ${op.to}`;
    case "remove":
      return `  would remove ${op.path}`;
    case "write":
      return `  would write ${op.path} (${op.size} bytes)`;
  }
}
