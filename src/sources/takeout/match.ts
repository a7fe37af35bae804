/**
 * Pairing media with their JSON sidecars, folder by folder (takeout-format.md §1.5–1.7): candidate
 * sidecar names are generated from each media name and looked up in hash maps (no pairwise
 * comparison), then edited copies and live/motion parts are bound to their primary item, then a
 * JSON whose `title` fits exactly one file is used. Nothing is ever paired by prefix alone.
 */
import type { JsonFile } from "./read_takeout.ts";
import type { TakeoutEntry } from "./part.ts";
import { classifyFolder, type FolderKind } from "./tree_rules.ts";
import type { AlbumMeta, Sidecar } from "./metadata.ts";
import { LIVE_PHOTO_VIDEO_EXTENSIONS } from "../../media/media_type.ts";

/** What a media file is to its item. */
export type MediaRole = "primary" | "edited" | "live" | "motion";

/** How a media file got its metadata. */
export type MatchVia = "sidecar" | "title" | "variant" | "none";

/** One media file and its pairing. */
export interface MatchedMedia {
  /** Every entry with this path (the same path can occur in several parts). */
  entries: TakeoutEntry[];
  name: string;
  dir: string;
  /** The sidecar whose metadata applies: its own, or its primary's for a variant. */
  sidecar?: Sidecar;
  /** The JSON file paired with this media, or with its primary. */
  json?: JsonFile;
  via: MatchVia;
  role: MediaRole;
  /** For an edited copy or live/motion part: its primary in the same folder. */
  primary?: MatchedMedia;
}

/** What a folder below the Google Photos folder is. */
export type { FolderKind } from "./tree_rules.ts";

/** A folder and, for an album, its metadata. */
export interface FolderInfo {
  dir: string;
  kind: FolderKind;
  album?: AlbumMeta;
}

/** The pairing of a whole tree. */
export interface MatchResult {
  media: MatchedMedia[];
  /** Sidecars no media file took. */
  orphans: JsonFile[];
  folders: Map<string, FolderInfo>;
}

const SUPPLEMENTAL = ".supplemental-metadata";
/** Google clips the sidecar stem to this many UTF-16 units (ente `maxGoogleFileNameLength`). */
const CLIP = 46;
/** Google cuts a media file's stem to this many UTF-16 units. */
const STEM_CUT = 47;
const COUNTER = /\((\d+)\)$/;

/** Suffixes Google gives edited copies, by language (takeout-format.md §1.6). */
const EDITED_SUFFIXES = [
  "-edited",
  "-bearbeitet",
  "-modifié",
  "-modificato",
  "-bewerkt",
  "-edytowane",
  "-編集済み",
  "-编辑",
  "-ha editado",
  "-editado",
  "-editat",
  "-redigeret",
  "-redigert",
  "-redigerad",
  "-muokattu",
  "-upraveno",
  "-upravené",
  "-szerkesztett",
  "-изменено",
  "-düzenlendi",
  "-편집됨",
].map((s) => s.normalize("NFC"));

const IMAGE_EXTS = [
  ".heic",
  ".heif",
  ".jpg",
  ".jpeg",
  ".png",
  ".webp",
  ".avif",
  ".gif",
  ".dng",
  ".tif",
  ".tiff",
];
const MOTION_PART_EXTS = new Set([".mp", ".mv"]);

/** `name` cut at its last dot; the counter `(n)` is the last one before the extension. */
export function splitName(name: string): { base: string; counter: string; ext: string } {
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : "";
  const m = COUNTER.exec(stem);
  if (m && m.index > 0) return { base: stem.slice(0, m.index), counter: m[0], ext };
  return { base: stem, counter: "", ext };
}

/** The first 46 UTF-16 units; both ways of cutting when that splits a surrogate pair. */
export function clip46(s: string): string[] {
  if (s.length <= CLIP) return [s];
  const code = s.charCodeAt(CLIP - 1);
  if (code >= 0xd800 && code <= 0xdbff) return [s.slice(0, CLIP - 1), s.slice(0, CLIP + 1)];
  return [s.slice(0, CLIP)];
}

/** Sidecar names Google derives from title `t` with counter `c` (§1.5), clipped ones first. */
function sidecarForms(t: string, c: string, out: string[]): void {
  for (const x of clip46(t + SUPPLEMENTAL)) out.push(x + c + ".json");
  for (const x of clip46(t)) out.push(x + c + ".json");
  out.push(t + SUPPLEMENTAL + c + ".json");
  out.push(t + c + ".json");
}

/**
 * Candidate sidecar names for a media file, in three tiers: (0) the title with its extension and
 * the counter moved before `.json`; (1) the title without extension (Google added one to the
 * file); (2) the counter left inside the stem (a literal `(n)` in the title, ente PR#12691).
 */
export function sidecarCandidates(name: string): string[][] {
  const { base, counter, ext } = splitName(name);
  const withExt: string[] = [];
  sidecarForms(base + ext, counter, withExt);
  const noExt: string[] = [];
  if (ext) sidecarForms(base, counter, noExt);
  const inStem: string[] = [];
  if (counter) {
    sidecarForms(name, "", inStem);
    if (ext) sidecarForms(base + counter, "", inStem);
  }
  return [unique(withExt), unique(noExt), unique(inStem)];
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Characters Google replaces with `_` in archive names. */
// deno-lint-ignore no-control-regex -- control characters are replaced too
const ILLEGAL = /[/\\:*?"<>|\u0000-\u001f]/g;

/** Archive-name keys a title can produce: sanitised, stem cut to 47, extension-less forms. */
function titleKeys(title: string): string[] {
  const san = title.normalize("NFC").replace(ILLEGAL, "_");
  const keys = [san.toLowerCase()];
  const dot = san.lastIndexOf(".");
  const stem = dot > 0 ? san.slice(0, dot) : san;
  const ext = dot > 0 ? san.slice(dot) : "";
  if (stem.length > STEM_CUT) keys.push((cut(stem, STEM_CUT) + ext).toLowerCase());
  // A title without a real extension gets one on the file only: match on the stem.
  keys.push("stem:" + (san.length > STEM_CUT ? cut(san, STEM_CUT) : san).toLowerCase());
  return unique(keys);
}

/** Cut to `n` UTF-16 units, keeping a straddling surrogate pair whole (immich-go#35). */
function cut(s: string, n: number): string {
  if (s.length <= n) return s;
  const code = s.charCodeAt(n - 1);
  return code >= 0xd800 && code <= 0xdbff ? s.slice(0, n + 1) : s.slice(0, n);
}

function mediaKeys(name: string): string[] {
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return unique([name.toLowerCase(), "stem:" + stem.toLowerCase()]);
}

/** Whether a JSON title could have produced this archive name (counter ignored). */
function titleFits(title: string | undefined, name: string): boolean {
  if (title === undefined) return false;
  const { base, ext } = splitName(name);
  const keys = titleKeys(title);
  const plain = mediaKeys(base + ext);
  return plain.some((k) => keys.includes(k)) || mediaKeys(name).some((k) => keys.includes(k));
}

interface Folder {
  dir: string;
  /** Media by NFC name; several entries when the same path is in several parts. */
  media: Map<string, MatchedMedia>;
  mediaLower: Map<string, MatchedMedia[]>;
  sidecars: Map<string, JsonFile>;
  sidecarsLower: Map<string, JsonFile[]>;
  album?: AlbumMeta;
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
      f = {
        dir,
        media: new Map(),
        mediaLower: new Map(),
        sidecars: new Map(),
        sidecarsLower: new Map(),
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
      known.entries.push(e);
      continue;
    }
    const m: MatchedMedia = {
      entries: [e],
      name: e.name,
      dir: e.dir,
      via: "none",
      role: "primary",
    };
    f.media.set(e.name, m);
    pushTo(f.mediaLower, e.name.toLowerCase(), m);
    all.push(m);
  }
  for (const j of json) {
    const f = folderOf(j.entry.dir);
    if (j.info.kind === "album") {
      f.album ??= j.info.album;
    } else if (j.info.kind === "sidecar" && !f.sidecars.has(j.entry.name)) {
      // The same sidecar path in two parts is one sidecar.
      f.sidecars.set(j.entry.name, j);
      pushTo(f.sidecarsLower, j.entry.name.toLowerCase(), j);
    }
  }
  const orphans: JsonFile[] = [];
  const infos = new Map<string, FolderInfo>();
  for (const f of folders.values()) {
    const kind = classifyFolder(f.dir, f.album);
    const info: FolderInfo = { dir: f.dir, kind };
    if (kind === "album" && f.album) info.album = f.album;
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
    const lower = f.sidecarsLower.get(name.toLowerCase());
    return lower?.length === 1 ? lower[0] : undefined;
  };
  const unmatched = () => [...f.media.values()].filter((m) => m.via === "none");
  const candidates = new Map<MatchedMedia, string[][]>();
  for (const m of f.media.values()) candidates.set(m, sidecarCandidates(m.name));

  for (let tier = 0; tier < 3; tier++) {
    const wants = new Map<JsonFile, MatchedMedia[]>();
    for (const m of unmatched()) {
      for (const c of candidates.get(m)![tier]) {
        const j = lookup(c);
        if (j && !claimed.has(j)) {
          pushTo(wants, j, m);
          break;
        }
      }
    }
    for (const [j, ms] of wants) {
      let winner: MatchedMedia | undefined = ms.length === 1 ? ms[0] : undefined;
      if (!winner) {
        // Clipping made several names point at one sidecar: its title tells which file it is.
        const fitting = ms.filter((m) => titleFits(sidecarOf(j).title, m.name));
        if (fitting.length === 1) winner = fitting[0];
      }
      if (!winner) continue;
      claimed.add(j);
      winner.json = j;
      winner.via = "sidecar";
    }
  }

  bindVariants(f, lookup, claimed);

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
      if (hits.size === 1) pushTo(wants, [...hits][0], m);
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

/** Edited copies and live/motion parts without a sidecar of their own, bound to their primary. */
function bindVariants(
  f: Folder,
  lookup: (name: string) => JsonFile | undefined,
  claimed: Set<JsonFile>,
): void {
  const primaryNamed = (name: string, self: MatchedMedia): MatchedMedia | undefined => {
    const exact = f.media.get(name);
    if (exact && exact !== self) return exact;
    const lower = f.mediaLower.get(name.toLowerCase())?.filter((m) => m !== self);
    return lower?.length === 1 ? lower[0] : undefined;
  };
  const sameStem = (stem: string, exts: string[], self: MatchedMedia, preferExt?: string) => {
    const order = preferExt ? [preferExt.toLowerCase(), ...exts] : exts;
    for (const ext of order) {
      const p = primaryNamed(stem + ext, self);
      if (p && p.role === "primary") return p;
    }
    return undefined;
  };
  const bind = (
    m: MatchedMedia,
    role: MediaRole,
    primary: MatchedMedia | undefined,
    j?: JsonFile,
  ) => {
    m.role = role;
    m.via = "variant";
    if (primary) m.primary = primary;
    if (j) {
      m.json = j;
      claimed.add(j);
    }
  };
  for (const m of f.media.values()) {
    if (m.via !== "none") continue;
    const { base, counter, ext } = splitName(m.name);
    const lowerExt = ext.toLowerCase();

    // Live photo video: IMG_0170.MP4 beside IMG_0170.HEIC.
    if (LIVE_PHOTO_VIDEO_EXTENSIONS.has(lowerExt)) {
      const p = sameStem(base + counter, IMAGE_EXTS, m);
      if (p) {
        bind(m, "live", p);
        continue;
      }
    }
    // Motion photo part: X.MP beside X.MP.jpg; MVIMG_x (no extension) beside MVIMG_x.jpg.
    if (MOTION_PART_EXTS.has(lowerExt) || ext === "") {
      const p = sameStem(m.name, [".jpg", ".jpeg", ".heic"], m);
      if (p) {
        bind(m, "motion", p);
        continue;
      }
    }
    // Edited copy, full suffix: IMG_1-edited.jpg, IMG_1-edited(2).jpg -> IMG_1(2).jpg only.
    let done = false;
    for (const suffix of EDITED_SUFFIXES) {
      if (!base.endsWith(suffix) || base.length === suffix.length) continue;
      const original = base.slice(0, -suffix.length);
      const p = sameStem(original + counter, IMAGE_EXTS, m, ext);
      if (p) {
        bind(m, "edited", p);
        done = true;
        break;
      }
      // No primary file here (album-only copy): the original's own sidecar, if it has one.
      const j = findSidecar(original + counter + ext, lookup, claimed);
      if (j) {
        bind(m, "edited", undefined, j);
        done = true;
        break;
      }
    }
    if (done) continue;
    // Edited copy whose suffix was cut with the stem (Neo#29): needs the exact original file.
    if (!counter && base.length >= STEM_CUT) {
      for (const suffix of EDITED_SUFFIXES) {
        for (let k = suffix.length - 1; k >= 1 && !done; k--) {
          if (!base.endsWith(suffix.slice(0, k)) || base.length === k) continue;
          const p = sameStem(base.slice(0, -k), IMAGE_EXTS, m, ext);
          if (p) {
            bind(m, "edited", p);
            done = true;
          }
        }
        if (done) break;
      }
    }
  }
}

function findSidecar(
  name: string,
  lookup: (name: string) => JsonFile | undefined,
  claimed: Set<JsonFile>,
): JsonFile | undefined {
  for (const tier of sidecarCandidates(name).slice(0, 2)) {
    for (const c of tier) {
      const j = lookup(c);
      if (j && !claimed.has(j)) return j;
    }
  }
  return undefined;
}

/** The sidecar that applies to a media file: its own, or its primary's. */
export function effectiveSidecar(m: MatchedMedia): { json?: JsonFile; sidecar?: Sidecar } {
  let cur: MatchedMedia | undefined = m;
  for (let depth = 0; cur && depth < 4; depth++) {
    if (cur.json) return { json: cur.json, sidecar: sidecarOf(cur.json) };
    cur = cur.primary;
  }
  return {};
}
