/**
 * The order pass two imports media files in. It decides which copy of an item sets its metadata
 * (rule 12: the year folder's, in every run), so it is a rule and never the order the parts were
 * given or streamed in.
 */
import type { Work } from "./_record.ts";
import type { MatchResult } from "./match.ts";
import type { TakeoutReport } from "./report.ts";

/**
 * The works of a match, counted into `report`: primaries and plain files first, variants (edited,
 * live, motion) after their primaries. Failed videos and (unless `includeTrash`) trash are left out.
 */
export function workOrder(
  result: MatchResult,
  report: TakeoutReport,
  includeTrash: boolean,
): { first: Work[]; second: Work[] } {
  const first: Work[] = [];
  const second: Work[] = [];
  for (const m of result.media) {
    report.mediaFiles++;
    const folder = result.folders.get(m.dir) ?? { dir: m.dir, kind: "other" as const };
    if (folder.kind === "failed") {
      report.failedVideos++;
      continue;
    }
    const trashed = folder.kind === "trash" || m.sidecar?.trashed === true;
    if (trashed && !includeTrash) {
      report.skippedTrash++;
      continue;
    }
    if (m.via === "sidecar" || m.via === "title") report.matched++;
    if (m.via === "title") report.matchedByTitle++;
    if (m.via === "variant") report.matchedVariant++;
    if (!m.sidecar) report.withoutSidecar++;
    if (folder.kind === "locked") report.lockedFolder++;
    // Every field present from the start: one shape, fields kept in the object.
    const w: Work = { m, folder, sidecar: m.sidecar, trashed, turn: undefined };
    (m.primary ? second : first).push(w);
  }
  // Year folders first; then capture time, as " (n)" numbers and album positions follow upload
  // order in the Library; then the path.
  return { first: sorted(first, true), second: sorted(second, false) };
}

/**
 * `works` by folder rank, then (`byTime`) capture time, then path. Rank and time are worked out
 * once per work, not once per comparison: a sort of 100,000 works compares some 1.7 million
 * times, and each capture time is a new `Date`.
 */
function sorted(works: Work[], byTime: boolean): Work[] {
  const n = works.length;
  const ranks = new Uint8Array(n);
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = works[i];
    ranks[i] = w.folder.kind === "year" ? 0 : w.folder.kind === "album" ? 2 : 1;
    times[i] = byTime ? w.sidecar?.takenTime?.getTime() ?? Number.MAX_VALUE : 0;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) =>
    ranks[a] - ranks[b] || times[a] - times[b] ||
    compareKeys(works[a].m.entry.key, works[b].m.entry.key)
  );
  return Array.from(order, (i) => works[i]);
}

/** Code-unit order, the same in every locale and run. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
