/**
 * Which paths of an export are Google Photos (takeout-format.md §0.1, §1.1, §1.2): the localised
 * Google Photos folder, year folders, root files that are no sidecars, and junk. Pure functions.
 */

/** Localised names of the Google Photos folder (takeout-format.md §1.2, immich-go#357). */
const PHOTOS_FOLDER_NAMES = new Set(
  [
    "Google Photos",
    "Google Fotos",
    "Google Foto",
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

/** `Photos from 2019`, and the localised forms some exports use (GPTH Neo 5.1.0). */
export const YEAR_FOLDER =
  /^(?:Photos from|Fotos von|Fotos del|Fotos de|Photos de|Foto dal|Foto del|Foto's uit|Zdjęcia z|Fotky z roku|Фото за) (?:1[89]|20)\d\d$/i;

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
