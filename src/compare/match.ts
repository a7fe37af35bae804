/**
 * Matching backup files to library items in stages, strongest first; each file records the stage
 * that matched it. An item is held by one file; another file that is certainly the same picture
 * (same bytes, or same name and capture time) becomes a duplicate of it, and anything weaker
 * leaves the file missing. Every lookup is a hash map or a binary search, so 50,000 files take
 * well under a second.
 */
import type { MediaRow } from "../index/mod.ts";
import { dupBaseName, foldName } from "../layout/mod.ts";
import type { ScannedFile } from "./scan.ts";

/** How a file was matched, strongest first. */
export type MatchStage = "hash" | "name-time" | "name-size" | "name";

/** Every stage in order. */
export const STAGES: readonly MatchStage[] = ["hash", "name-time", "name-size", "name"];

/** What a backup file is to the library. */
export type FileClass = "matched" | "missing" | "duplicate";

/** The verdict on one backup file. */
export interface FileMatch {
  file: ScannedFile;
  class: FileClass;
  /** Null for a missing file. */
  stage: MatchStage | null;
  /** The library item it matched (or duplicates); null for a missing file. */
  item: MediaRow | null;
  /** For a duplicate: the backup file that holds the item. */
  duplicateOf: string | null;
  /**
   * For `name-time`: minutes by which the file's clock differed from the item's, when a time
   * zone explains the difference (EXIF without an offset holds local time); else 0.
   */
  shiftMinutes: number;
}

/** All verdicts. */
export interface MatchResult {
  /** In the order of the input files. */
  files: FileMatch[];
  /** Library items no backup file matched, in index order. */
  extra: MediaRow[];
}

/** Options of `matchFiles`. */
export interface MatchOptions {
  /** Capture times this close match (default 2000 ms). */
  toleranceMs?: number;
}

const QUARTER_HOUR_MS = 15 * 60_000;
/** Time zones run from UTC-12 to UTC+14. */
const MAX_ZONE_MS = 14 * 3_600_000;

/** The key names are compared on: safe, Google's ` (n)` stripped, NFC and case-folded. */
export function nameKey(name: string): string {
  return foldName(dupBaseName(name));
}

interface Timed {
  ms: number;
  item: MediaRow;
}

/** Matches scanned backup files to the index's items (see the module comment). */
export function matchFiles(
  files: readonly ScannedFile[],
  items: readonly MediaRow[],
  opts: MatchOptions = {},
): MatchResult {
  const tolerance = opts.toleranceMs ?? 2000;
  const verdicts: (FileMatch | undefined)[] = new Array(files.length);
  const holder = new Map<string, number>(); // item id -> index of the file holding it
  const itemKeys = new Map<string, string>();
  const byHash = new Map<string, MediaRow[]>();
  const byName = new Map<string, MediaRow[]>();
  const byNameSize = new Map<string, MediaRow[]>();
  const byNameTime = new Map<string, Timed[]>();
  for (const item of items) {
    const key = nameKey(item.originalName);
    itemKeys.set(item.id, key);
    push(byName, key, item);
    if (item.downloadedAt !== null && item.sha256) push(byHash, item.sha256, item);
    if (item.size !== null) push(byNameSize, `${key}\0${item.size}`, item);
    const ms = item.captureTime ? Date.parse(item.captureTime) : NaN;
    if (!Number.isNaN(ms)) push(byNameTime, key, { ms, item });
  }
  for (const list of byNameTime.values()) list.sort((a, b) => a.ms - b.ms);
  const fileKeys = files.map((f) => nameKey(f.name));

  const hold = (i: number, item: MediaRow, stage: MatchStage, shiftMinutes = 0) => {
    holder.set(item.id, i);
    verdicts[i] = {
      file: files[i],
      class: "matched",
      stage,
      item,
      duplicateOf: null,
      shiftMinutes,
    };
  };
  const duplicate = (i: number, item: MediaRow, stage: MatchStage, shiftMinutes = 0) => {
    verdicts[i] = {
      file: files[i],
      class: "duplicate",
      stage,
      item,
      duplicateOf: files[holder.get(item.id)!].path,
      shiftMinutes,
    };
  };
  // Among equals, the item whose " (n)" agrees with the file's is the likelier one.
  const dupRank = (i: number, item: MediaRow) => item.dupNo === (files[i].dupNo ?? 1) ? 0 : 1;

  // Stage 1: same bytes. Files sharing content go together; the one named like the item holds it.
  const fileGroups = new Map<string, number[]>();
  for (let i = 0; i < files.length; i++) push(fileGroups, files[i].sha256, i);
  for (const [sha, group] of fileGroups) {
    const candidates = byHash.get(sha);
    if (!candidates) continue;
    const keys = new Set(candidates.map((c) => itemKeys.get(c.id)!));
    const ordered = [...group].sort((a, b) =>
      (keys.has(fileKeys[a]) ? 0 : 1) - (keys.has(fileKeys[b]) ? 0 : 1) || a - b
    );
    for (const i of ordered) {
      const rank = (c: MediaRow) => (itemKeys.get(c.id) === fileKeys[i] ? 0 : 2) + dupRank(i, c);
      const free = best(candidates.filter((c) => !holder.has(c.id)), rank);
      if (free) hold(i, free, "hash");
      else duplicate(i, best(candidates, rank)!, "hash");
    }
  }

  // Stage 2: same name and capture time, which survives Google's re-encoding.
  for (let i = 0; i < files.length; i++) {
    if (verdicts[i] || files[i].captureTime === null) continue;
    const list = byNameTime.get(fileKeys[i]);
    if (!list) continue;
    const t = Date.parse(files[i].captureTime!);
    if (Number.isNaN(t)) continue;
    const window = files[i].timeZoned ? tolerance : MAX_ZONE_MS + tolerance;
    let found: { item: MediaRow; shift: number; score: number } | undefined;
    let foundHeld: typeof found;
    for (let j = lowerBound(list, t - window); j < list.length && list[j].ms <= t + window; j++) {
      const diff = t - list[j].ms;
      const shift = Math.round(diff / QUARTER_HOUR_MS);
      if (Math.abs(diff - shift * QUARTER_HOUR_MS) > tolerance) continue;
      const item = list[j].item;
      // Exact times first, then the smallest zone shift, then the closer clock, then " (n)".
      const score = Math.abs(shift) * 1e9 + Math.abs(diff - shift * QUARTER_HOUR_MS) * 10 +
        dupRank(i, item);
      const cand = { item, shift, score };
      if (!holder.has(item.id)) {
        if (!found || score < found.score) found = cand;
      } else if (!foundHeld || score < foundHeld.score) {
        foundHeld = cand;
      }
    }
    if (found) hold(i, found.item, "name-time", found.shift * 15);
    else if (foundHeld) duplicate(i, foundHeld.item, "name-time", foundHeld.shift * 15);
  }

  // Stage 3: same name and size (an item not hashed, or bytes changed in place).
  for (let i = 0; i < files.length; i++) {
    if (verdicts[i]) continue;
    const list = byNameSize.get(`${fileKeys[i]}\0${files[i].size}`);
    const free = list && best(list.filter((c) => !holder.has(c.id)), (c) => dupRank(i, c));
    if (free) hold(i, free, "name-size");
  }

  // Stage 4: the name alone, only when a single item in the whole library carries it.
  for (let i = 0; i < files.length; i++) {
    if (verdicts[i]) continue;
    const list = byName.get(fileKeys[i]);
    if (list && list.length === 1 && !holder.has(list[0].id)) hold(i, list[0], "name");
  }

  // A byte-for-byte copy of a file that holds an item is a duplicate of that item too.
  const holderBySha = new Map<string, FileMatch>();
  for (const v of verdicts) {
    if (v?.class === "matched" && !holderBySha.has(v.file.sha256)) {
      holderBySha.set(v.file.sha256, v);
    }
  }
  const out: FileMatch[] = [];
  for (let i = 0; i < files.length; i++) {
    let v = verdicts[i];
    if (!v) {
      const twin = holderBySha.get(files[i].sha256);
      v = twin
        ? {
          file: files[i],
          class: "duplicate",
          stage: twin.stage,
          item: twin.item,
          duplicateOf: twin.file.path,
          shiftMinutes: twin.shiftMinutes,
        }
        : {
          file: files[i],
          class: "missing",
          stage: null,
          item: null,
          duplicateOf: null,
          shiftMinutes: 0,
        };
    }
    out.push(v);
  }
  return { files: out, extra: items.filter((item) => !holder.has(item.id)) };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The element with the lowest rank; the first of equals, so index order breaks ties. */
function best<T>(list: readonly T[], rank: (x: T) => number): T | undefined {
  let found: T | undefined;
  let foundRank = Infinity;
  for (const x of list) {
    const r = rank(x);
    if (r < foundRank) {
      found = x;
      foundRank = r;
    }
  }
  return found;
}

/** The first index whose time is at least `ms`. */
function lowerBound(list: readonly Timed[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].ms < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts per class and stage, for the summary. */
export interface MatchCounts {
  files: number;
  matched: number;
  duplicate: number;
  missing: number;
  extra: number;
  /** Extra items with no file on disk (not downloaded yet). */
  extraNotDownloaded: number;
  matchedByStage: Record<MatchStage, number>;
  duplicateByStage: Record<MatchStage, number>;
}

/** Counts a match result by class and stage. */
export function countMatches(result: MatchResult): MatchCounts {
  const zero = () => ({ hash: 0, "name-time": 0, "name-size": 0, name: 0 });
  const counts: MatchCounts = {
    files: result.files.length,
    matched: 0,
    duplicate: 0,
    missing: 0,
    extra: result.extra.length,
    extraNotDownloaded: result.extra.filter((i) => i.downloadedAt === null).length,
    matchedByStage: zero(),
    duplicateByStage: zero(),
  };
  for (const f of result.files) {
    counts[f.class]++;
    if (f.class === "matched") counts.matchedByStage[f.stage!]++;
    if (f.class === "duplicate") counts.duplicateByStage[f.stage!]++;
  }
  return counts;
}
