/**
 * Pairing media with their JSON sidecars, folder by folder (takeout-format.md §1.5–1.7): candidate
 * sidecar names are generated from each media name and looked up in hash maps (no pairwise
 * comparison), then edited copies and live/motion parts are bound to their primary item, then a
 * JSON whose `title` fits exactly one file is used. Nothing is ever paired by prefix alone.
 */
import type { MatchedMedia } from "./matched.ts";
import type { JsonFile } from "./read_takeout.ts";
import type { TakeoutEntry } from "./part.ts";
import { classifyFolder, type FolderKind, yearOfFolder } from "./tree_rules.ts";
import type { AlbumMeta, Sidecar } from "./metadata.ts";
import { bindCompanions } from "./companions.ts";
import {
  mediaKeys,
  shortClipCandidates,
  sidecarCounter,
  splitName,
  tierCandidates,
  titleFits,
  titleKeys,
} from "./sidecar_names.ts";

export { clip46, sidecarCandidates, splitName } from "./sidecar_names.ts";

export type { MatchedMedia, MatchVia, MediaRole } from "./matched.ts";
export { entriesOf } from "./matched.ts";

/** What a folder below the Google Photos folder is. */
export type { FolderKind } from "./tree_rules.ts";

/** A folder and, for an album, its metadata. */
export interface FolderInfo {
  dir: string;
  kind: FolderKind;
  /** An album's metadata; for a folder without an album file, its name as the title. */
  album?: AlbumMeta;
  /** The year of a year folder (`Photos from 2005`): the date of last resort. */
  year?: number;
}

/** The pairing of a whole tree. */
export interface MatchResult {
  media: MatchedMedia[];
  /** Sidecars no media file took. */
  orphans: JsonFile[];
  folders: Map<string, FolderInfo>;
}

interface Folder {
  dir: string;
  /** Media by NFC name; several entries when the same path is in several parts. */
  media: Map<string, MatchedMedia>;
  /** Media by lower-case name, made on first use: most lookups are exact. */
  mediaLower: () => Map<string, MatchedMedia[]>;
  sidecars: Map<string, JsonFile>;
  sidecarsLower: () => Map<string, JsonFile[]>;
  album?: AlbumMeta;
}

/**
 * `byName` by lower-case name, made on first call: a folder of 10,000 files whose names all match
 * exactly never needs it, and 200,000 lower-case names would outlive the young generation.
 */
function lowerIndex<V>(byName: Map<string, V>): () => Map<string, V[]> {
  let lower: Map<string, V[]> | undefined;
  return () => {
    if (!lower) {
      lower = new Map();
      for (const [name, v] of byName) pushTo(lower, name.toLowerCase(), v);
    }
    return lower;
  };
}

/** One value, or several: most sidecars are wanted by one file, and 100,000 arrays add up. */
type OneOrMore<V> = V | V[];

function addTo<K, V extends object>(map: Map<K, OneOrMore<V>>, key: K, value: V): void {
  const had = map.get(key);
  if (had === undefined) map.set(key, value);
  else if (Array.isArray(had)) had.push(value);
  else map.set(key, [had, value]);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Pairs every media entry of a tree with its sidecar, folder by folder. */
export function matchTree(media: TakeoutEntry[], json: JsonFile[]): MatchResult {
  const folders = new Map<string, Folder>();
  const folderOf = (dir: string): Folder => {
    let f = folders.get(dir);
    if (!f) {
      const media = new Map<string, MatchedMedia>();
      const sidecars = new Map<string, JsonFile>();
      f = {
        dir,
        media,
        mediaLower: lowerIndex(media),
        sidecars,
        sidecarsLower: lowerIndex(sidecars),
      };
      folders.set(dir, f);
    }
    return f;
  };
  const all: MatchedMedia[] = [];
  for (const e of media) {
    const f = folderOf(e.dir);
    const known = f.media.get(e.name);
    if (known) {
      (known.copies ??= []).push(e);
      continue;
    }
    // Every field present from the start: one shape, fields kept in the object.
    const m: MatchedMedia = {
      entry: e,
      copies: undefined,
      name: e.name,
      dir: e.dir,
      sidecar: undefined,
      json: undefined,
      via: "none",
      role: "primary",
      primary: undefined,
      twin: undefined,
    };
    f.media.set(e.name, m);
    all.push(m);
  }
  for (const j of json) {
    const f = folderOf(j.entry.dir);
    if (j.info.kind === "album") {
      f.album ??= j.info.album;
    } else if (j.info.kind === "sidecar" && !f.sidecars.has(j.entry.name)) {
      // The same sidecar path in two parts is one sidecar.
      f.sidecars.set(j.entry.name, j);
    }
  }
  const orphans: JsonFile[] = [];
  const infos = new Map<string, FolderInfo>();
  for (const f of folders.values()) {
    const kind = classifyFolder(f.dir, f.album);
    const info: FolderInfo = { dir: f.dir, kind };
    if (kind === "album") {
      // No album file: the folder's name is the album's (rule 9).
      info.album = f.album ?? { title: f.dir.split("/").pop()!.normalize("NFC"), shared: false };
    }
    const year = kind === "year" ? yearOfFolder(f.dir.split("/")[0]) : undefined;
    if (year !== undefined) info.year = year;
    infos.set(f.dir, info);
    orphans.push(...matchFolder(f));
  }
  return { media: all, orphans, folders: infos };
}

function sidecarOf(j: JsonFile): Sidecar {
  return (j.info as { kind: "sidecar"; sidecar: Sidecar }).sidecar;
}

/** Pairs one folder; returns its orphan sidecars. */
function matchFolder(f: Folder): JsonFile[] {
  const claimed = new Set<JsonFile>();
  const lookup = (name: string): JsonFile | undefined => {
    const exact = f.sidecars.get(name);
    if (exact) return exact;
    // Extension case can differ between media and sidecar (GPTH#46, GPTH#59).
    const lower = f.sidecarsLower().get(name.toLowerCase());
    return lower?.length === 1 ? lower[0] : undefined;
  };
  const unmatched = () => [...f.media.values()].filter((m) => m.via === "none");
  const pair = (wants: Map<JsonFile, OneOrMore<MatchedMedia>>, strict: boolean) => {
    for (const [j, wanting] of wants) {
      const title = sidecarOf(j).title;
      let winner = Array.isArray(wanting) ? undefined : wanting;
      if (!winner || strict) {
        // Clipping made several names point at one sidecar: its title tells which file it is.
        const ms = Array.isArray(wanting) ? wanting : [wanting];
        const fitting = ms.filter((m) => titleFits(title, m.name));
        winner = fitting.length === 1 ? fitting[0] : undefined;
      }
      if (!winner) continue;
      claimed.add(j);
      winner.json = j;
      winner.via = "sidecar";
    }
  };
  const want = (names: (m: MatchedMedia) => Iterable<string>, strict: boolean) => {
    const wants = new Map<JsonFile, OneOrMore<MatchedMedia>>();
    for (const m of unmatched()) {
      for (const c of names(m)) {
        const j = lookup(c);
        if (j && !claimed.has(j)) {
          addTo(wants, j, m);
          break;
        }
      }
    }
    pair(wants, strict);
  };
  for (const tier of [0, 1, 2] as const) {
    // Asked per tier, not kept for the folder: after tier 0 few files are left to ask for, and
    // names kept for a folder of 10,000 files would outlive the young generation.
    want((m) => tierCandidates(m.name, tier), false);
    // Clips shorter than 46 units (rule 8) are less certain: the title must fit too.
    if (tier < 2) want((m) => shortClipCandidates(m.name)[tier], true);
  }

  bindCompanions(f, lookup, claimed);

  // Last resort: a sidecar whose title fits exactly one remaining file, and no other sidecar.
  const byKey = new Map<string, JsonFile[]>();
  for (const j of f.sidecars.values()) {
    if (claimed.has(j)) continue;
    const title = sidecarOf(j).title;
    if (!title) continue;
    for (const k of titleKeys(title)) pushTo(byKey, k, j);
  }
  if (byKey.size > 0) {
    const wants = new Map<JsonFile, MatchedMedia[]>();
    for (const m of unmatched()) {
      const hits = new Set<JsonFile>();
      for (const k of mediaKeys(m.name)) for (const j of byKey.get(k) ?? []) hits.add(j);
      if (hits.size !== 1) continue;
      const [j] = hits;
      // The (n) of `X.JPG(1).json` is X(1).JPG's counter: never another file's (rule 5).
      if (sidecarCounter(j.entry.name) === splitName(m.name).counter) pushTo(wants, j, m);
    }
    for (const [j, ms] of wants) {
      if (ms.length !== 1) continue;
      claimed.add(j);
      ms[0].json = j;
      ms[0].via = "title";
    }
  }

  // A variant takes its metadata from its primary, whatever tier paired the primary.
  for (const m of f.media.values()) m.sidecar = effectiveSidecar(m).sidecar;
  return [...f.sidecars.values()].filter((j) => !claimed.has(j));
}

/** The sidecar that applies to a media file: its own, its primary's, or its twin's. */
export function effectiveSidecar(m: MatchedMedia): { json?: JsonFile; sidecar?: Sidecar } {
  let cur: MatchedMedia | undefined = m;
  for (let depth = 0; cur && depth < 4; depth++) {
    if (cur.json) return { json: cur.json, sidecar: sidecarOf(cur.json) };
    cur = cur.primary ?? cur.twin;
  }
  return {};
}
