/**
 * Which paths of an export are Google Photos (takeout-format.md §0.1, §1.1, §1.2): the localised
 * Google Photos folder, year folders, special folders, root files that are no sidecars, and junk.
 * Pure functions.
 */
import type { AlbumMeta } from "./metadata.ts";

/** Localised names of the Google Photos folder (takeout-format.md §1.2, immich-go#357). */
const PHOTOS_FOLDER_NAMES = new Set(
  [
    "Google Photos",
    "Google Fotos",
    "Google Foto",
    // Dutch: Google writes the apostrophe of "Foto's" as "_" (GPTH Neo#106).
    "Google Foto_s",
    "Google Foto's",
    "Google Fotó",
    "Google Fotók",
    "Fotky Google",
    "Google Фото",
    "Google Снимки",
    "Google Zdjęcia",
    "Zdjęcia Google",
    "Google Kuvat",
    "Google Billeder",
    "Google Bilder",
    "Google Foton",
    "Google Φωτογραφίες",
    "Google Fotoğraflar",
    "Google 相册",
    "Google 相簿",
    "Google フォト",
    "Google 포토",
    "Google תמונות",
    "صور Google",
  ].map((n) => n.normalize("NFC").toLowerCase()),
);

/**
 * `Photos from 2019`, any case, and the localised forms exports use (GPTH Neo 5.1.0; Italian
 * `Foto da` in Neo#100, Dutch `Foto_s van` in Neo#106: Google writes the apostrophe as `_`).
 */
export const YEAR_FOLDER =
  /^(?:Photos from|Fotos von|Fotos del|Fotos de|Photos de|Foto da|Foto dal|Foto del|Foto[_'’]s (?:van|uit)|Zdjęcia z|Fotky z roku|Фото за) ((?:1[89]|20)\d\d)$/i;

/** The year a year folder (`Photos from 2005`) is named after; undefined for other folders. */
export function yearOfFolder(name: string): number | undefined {
  const m = YEAR_FOLDER.exec(name.normalize("NFC"));
  return m ? Number(m[1]) : undefined;
}

/** Root files that are not sidecars (takeout-format.md §1.2). */
const ROOT_NON_SIDECARS = new Set([
  "print-subscriptions.json",
  "shared_album_comments.json",
  "user-generated-memory-titles.json",
]);

const TAKEOUT_FOLDER = /^Takeout(?: \d+)?$/;

/** True for files that file managers and NAS boxes leave behind, anywhere in the path. */
export function isJunk(segments: string[]): boolean {
  return segments.some((s) =>
    s === "__MACOSX" || s === ".DS_Store" || s.startsWith("._") || s === "@eaDir" ||
    s === "Thumbs.db" || s === "desktop.ini" || s === ".@__thumb" || s.startsWith("SYNOFILE_THUMB")
  );
}

/** Where a path sits: its Google Photos folder and the rest of the path below it. */
export interface Placed {
  root: string;
  rest: string[];
  /** Whether the root name alone says it is Google Photos. */
  known: boolean;
  /**
   * `root`, and `rest` but its last part `/`-joined, both NFC: set by `FolderPlacer`, which works
   * them out once per folder.
   */
  folder?: { root: string; dir: string };
}

/**
 * Finds the Google Photos folder in a path: the folder right below `Takeout/` (or `Takeout 2/`…),
 * else a folder with a known localised name, else (`bare`) the first folder of a folder source.
 */
export function place(segments: string[], bare: boolean): Placed | undefined {
  for (let i = 0; i + 2 < segments.length; i++) {
    if (TAKEOUT_FOLDER.test(segments[i])) {
      const root = segments[i + 1];
      return { root, rest: segments.slice(i + 2), known: isPhotosFolderName(root) };
    }
  }
  for (let i = 0; i + 1 < segments.length; i++) {
    if (isPhotosFolderName(segments[i])) {
      return { root: segments[i], rest: segments.slice(i + 1), known: true };
    }
  }
  if (bare && segments.length >= 2) {
    return { root: segments[0], rest: segments.slice(1), known: false };
  }
  if (segments.length >= 1) return { root: "", rest: segments, known: false };
  return undefined;
}

/**
 * `isJunk` and `place` of the files of one part, worked out once per folder: where a file sits
 * depends on its folder's path alone (and the file's own name on whether it is junk), and an
 * export has 100,000 files in a few hundred folders.
 */
export class FolderPlacer {
  /** Folder path -> where its files sit (`rest` without the file name); null for none. */
  #folders = new Map<string, Placed | null>();

  /**
   * `place(segments, false)` of the file `name` in the folder `dir` (`/`-separated, "" at the
   * top; empty parts ignored), or undefined for a junk path or an empty name.
   */
  place(dir: string, name: string): Placed | undefined {
    let folder = this.#folders.get(dir);
    if (folder === undefined) {
      folder = FolderPlacer.#placeFolder(dir.split("/").filter((s) => s !== ""));
      this.#folders.set(dir, folder);
    }
    if (!folder || name === "" || isJunk([name])) return undefined;
    return { ...folder, rest: [...folder.rest, name] };
  }

  static #placeFolder(segments: string[]): Placed | null {
    if (isJunk(segments)) return null;
    // Any file name would do: `place` reads only the folders before it.
    const { root, rest, known } = place([...segments, "file"], false)!;
    const dirs = rest.slice(0, -1);
    const folder = {
      root: root.normalize("NFC"),
      dir: dirs.map((s) => s.normalize("NFC")).join("/"),
    };
    return { root, rest: dirs, known, folder };
  }
}

/** True for a localised name of the Google Photos folder. */
export function isPhotosFolderName(name: string): boolean {
  return PHOTOS_FOLDER_NAMES.has(name.normalize("NFC").toLowerCase());
}

/** True for a `.json` file name. */
export function isJsonName(name: string): boolean {
  return name.toLowerCase().endsWith(".json");
}

/** True for a root file of the Google Photos folder that is known to be no sidecar. */
export function isRootNonSidecar(dir: string, name: string): boolean {
  return dir === "" && ROOT_NON_SIDECARS.has(name.toLowerCase());
}

/** The kind of a folder of the Google Photos tree, as matching and import treat it. */
export type FolderKind = "year" | "album" | "archive" | "trash" | "locked" | "failed" | "other";

const SPECIAL_FOLDERS: [FolderKind, string[]][] = [
  ["archive", [
    "archive",
    "archiv",
    "archivio",
    "archivo",
    "archives",
    "archief",
    "archiwum",
    "архив",
    "arquivo",
    "arkiv",
    "arkisto",
    "アーカイブ",
    // Chinese (immich-go#537), and Google's German and Dutch verbs for it (GPTH Neo's list).
    "归档文件",
    "archivieren",
    "archiveren",
  ]],
  ["trash", [
    "trash",
    "bin",
    "papierkorb",
    "corbeille",
    "cestino",
    "papelera",
    "prullenbak",
    "kosz",
    "корзина",
    "lixeira",
    "lixo",
    "papirkurv",
    "papperskorgen",
    "roskakori",
    "koš",
    "ゴミ箱",
  ]],
  ["locked", [
    "locked folder",
    "gesperrter ordner",
    "dossier verrouillé",
    "cartella bloccata",
    "carpeta bloqueada",
    "vergrendelde map",
    "zablokowany folder",
    "заблокированная папка",
    "pasta trancada",
  ]],
  ["failed", ["failed videos"]],
];
const SPECIAL = new Map<string, FolderKind>(
  SPECIAL_FOLDERS.flatMap(([kind, names]) => names.map((n) => [n.normalize("NFC"), kind])),
);
/** Day folders of very old exports (`2020-09-01`), which hold a `metadata.json` too. */
const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}(?: #\d+)?$/;

/**
 * What a folder is: a year (or day) folder, a special one, else an album. Album metadata makes
 * an album even of a special name (a user album called "Trash"); without it, any other folder is
 * an album named after the folder (memories such as `1 anno fa`, exports without album files).
 */
export function classifyFolder(dir: string, album: AlbumMeta | undefined): FolderKind {
  const first = dir.split("/")[0];
  if (dir === "") return "other";
  if (YEAR_FOLDER.test(first) || DAY_FOLDER.test(first)) return "year";
  if (album) return "album";
  return SPECIAL.get(first.normalize("NFC").toLowerCase()) ?? "album";
}
