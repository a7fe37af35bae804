/**
 * Media files without a sidecar of their own that share another file's (takeout-format.md §1.6):
 * edited copies and Google's creations, live-photo videos, motion-photo parts, and forgotten
 * duplicates. Each is bound by name rules only; a bare prefix never binds.
 */
import { LIVE_PHOTO_VIDEO_EXTENSIONS } from "../../media/media_type.ts";
import type { JsonFile } from "./read_takeout.ts";
import type { MatchedMedia, MediaRole } from "./matched.ts";
import { sidecarCandidates, splitName, wasCut } from "./sidecar_names.ts";

/**
 * Suffixes Google gives edited copies, by language (takeout-format.md §1.6, and the lists of
 * immich-go and GPTH Neo). A suffix binds only to an original's sidecar, so an unconfirmed one
 * costs nothing where Google never wrote it.
 */
const EDITED_SUFFIXES = [
  "-edited",
  "-bearbeitet",
  "-modifié",
  "-modificato",
  "-bewerkt",
  "-edytowane",
  "-編集済み",
  "-编辑",
  "-已编辑",
  "-已編輯",
  "-ha editado",
  "-editado",
  "-editada",
  "-editat",
  "-redigeret",
  "-redigert",
  "-redigerad",
  "-muokattu",
  "-upraveno",
  "-upravené",
  "-szerkesztett",
  "-изменено",
  "-отредактировано",
  "-відредаговано",
  "-düzenlendi",
  "-편집됨",
  "-diedit",
  "-đã chỉnh sửa",
  "-แก้ไขแล้ว",
  "-संपादित",
  "-تم التعديل",
];

/** Suffixes of Google's creations from one photo (GPTH "extras"), any case: `-EFFECTS`. */
const CREATION_SUFFIXES = ["-effects", "-smile", "-motion", "-animation", "-collage", "-mix"];

/** Every suffix that makes a copy of one original, lower case and NFC, longest first. */
const COPY_SUFFIXES = [...EDITED_SUFFIXES, ...CREATION_SUFFIXES]
  .map((s) => s.normalize("NFC").toLowerCase())
  .sort((a, b) => b.length - a.length);

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
/** Motion-photo parts: `X.MP`, `X.MV`, and Google's numbered `X.MP~2`. */
const MOTION_PART_EXT = /^\.m[pv](?:~\d+)?$/i;
const MOTION_PRIMARY_EXTS = [".jpg", ".jpeg", ".heic"];

/** What companion binding needs of a folder. */
export interface CompanionFolder {
  /** Media by NFC name. */
  media: Map<string, MatchedMedia>;
  /** Media by lower-case name. */
  mediaLower: () => Map<string, MatchedMedia[]>;
}

/** A sidecar by exact name, else by case-insensitive name when only one fits. */
export type SidecarLookup = (name: string) => JsonFile | undefined;

/**
 * Binds the files the sidecar tiers left without one: edited copies and creations, live and
 * motion parts to their primary (or, when it is not exported, to its sidecar), forgotten
 * duplicates to their twin's sidecar.
 */
export function bindCompanions(
  f: CompanionFolder,
  lookup: SidecarLookup,
  claimed: Set<JsonFile>,
): void {
  const primaryNamed = (name: string, self: MatchedMedia): MatchedMedia | undefined => {
    const exact = f.media.get(name);
    if (exact && exact !== self) return exact;
    const lower = f.mediaLower().get(name.toLowerCase())?.filter((m) => m !== self);
    return lower?.length === 1 ? lower[0] : undefined;
  };
  const sameStem = (stem: string, exts: string[], self: MatchedMedia, preferExt?: string) => {
    const order = preferExt ? [preferExt.toLowerCase(), ...exts] : exts;
    for (const ext of order) {
      const p = primaryNamed(stem + ext, self);
      if (p && p.role === "primary" && !p.twin) return p;
    }
    return undefined;
  };
  // A variant shares its original's metadata, so a sidecar another file took still applies.
  const sidecarOf = (stem: string, exts: string[]): JsonFile | undefined => {
    for (const ext of exts) {
      const j = findSidecar(stem + ext, lookup);
      if (j) return j;
    }
    return undefined;
  };
  const bind = (m: MatchedMedia, role: MediaRole, primary?: MatchedMedia, j?: JsonFile) => {
    m.role = role;
    m.via = "variant";
    if (primary) m.primary = primary;
    if (j) {
      m.json = j;
      claimed.add(j);
    }
  };
  /** Binds `m` as a copy of `original`, trying `counters` in order; true when bound. */
  const bindCopy = (m: MatchedMedia, original: string, counters: string[], exts: string[]) => {
    for (const c of counters) {
      const p = sameStem(original + c, IMAGE_EXTS, m, exts[0]);
      if (p) {
        bind(m, "edited", p);
        return true;
      }
      const j = sidecarOf(original + c, exts);
      if (j) {
        bind(m, "edited", undefined, j);
        return true;
      }
    }
    return false;
  };

  for (const m of f.media.values()) {
    if (m.via !== "none") continue;
    const { base, counter, ext } = splitName(m.name);
    const lowerExt = ext.toLowerCase();
    const lowerBase = base.toLowerCase();
    // An edited copy's own (n) first; then the un-numbered original (rule 1).
    const counters = counter ? [counter, ""] : [""];

    // Live photo video: IMG_0170.MP4 beside IMG_0170.HEIC, or with only its sidecar.
    if (LIVE_PHOTO_VIDEO_EXTENSIONS.has(lowerExt)) {
      const p = sameStem(base + counter, IMAGE_EXTS, m);
      if (p) {
        bind(m, "live", p);
        continue;
      }
      const j = sidecarOf(base + counter, IMAGE_EXTS);
      if (j) {
        bind(m, "live", undefined, j);
        continue;
      }
    }
    // Motion photo part: X.MP (or X.MP~2) beside X.MP.jpg; MVIMG_x (no extension) beside MVIMG_x.jpg.
    if (MOTION_PART_EXT.test(ext) || ext === "") {
      const p = sameStem(m.name, MOTION_PRIMARY_EXTS, m);
      if (p) {
        bind(m, "motion", p);
        continue;
      }
      if (ext !== "") {
        const j = sidecarOf(m.name, MOTION_PRIMARY_EXTS);
        if (j) {
          bind(m, "motion", undefined, j);
          continue;
        }
      }
    }
    // Edited copy or creation, full suffix: IMG_1-edited.jpg, IMG_1-EFFECTS.jpg, IMG_1-ANIMATION.gif.
    const copyExts = [lowerExt, ...IMAGE_EXTS.filter((e) => e !== lowerExt)];
    let done = false;
    for (const suffix of COPY_SUFFIXES) {
      if (!lowerBase.endsWith(suffix) || base.length === suffix.length) continue;
      done = bindCopy(m, base.slice(0, -suffix.length), counters, copyExts);
      if (done) break;
    }
    if (done || !wasCut(base)) continue;
    // Forgotten duplicate: two titles cut to one 47-unit stem, one sidecar written (rule 4).
    if (counter) {
      const twin = primaryNamed(base + ext, m);
      if (twin && twin.json && twin.via === "sidecar") {
        m.via = "variant";
        m.twin = twin;
        continue;
      }
    }
    // Edited copy whose suffix Google's 47-unit cut shortened (Neo#29): `…_DSCN0095-ha edi.JPG`.
    for (const suffix of COPY_SUFFIXES) {
      for (let k = suffix.length - 1; k >= 1 && !done; k--) {
        if (!lowerBase.endsWith(suffix.slice(0, k))) continue;
        done = bindCopy(m, base.slice(0, -k), counters, copyExts);
      }
      if (done) break;
    }
  }
}

/**
 * The sidecar Google would have written for a file called `name`, if the export has it: every
 * tier the pairing itself tries, so `FullSizeRender(1)(1).MP4` finds the sidecar its missing
 * `FullSizeRender(1)(1).HEIC` would have paired with (the counter kept in the stem).
 */
function findSidecar(name: string, lookup: SidecarLookup): JsonFile | undefined {
  for (const tier of sidecarCandidates(name)) {
    for (const c of tier) {
      const j = lookup(c);
      if (j) return j;
    }
  }
  return undefined;
}
