/** SPEC "Albums": the folder of an album's links. */

import { yearMonth } from "./date_folder.ts";
import { MAX_NAME_BYTES, safeName } from "./safe_name.ts";
import { truncateUtf8, utf8Length } from "./utf8.ts";

/** The folder name of an album without a title. */
export const UNTITLED = "Untitled";

/** Options of `albumFolder`. */
export interface AlbumFolderOptions {
  /** `--omit-album-date`: `albums/<Title>`. */
  omitDate?: boolean;
  /** `--use-flat-path`: `albums/YYYY-MM <Title>`. */
  flat?: boolean;
}

const TRAILING_DOTS_AND_SPACES = /[. ]+$/;

/** Cuts a folder name to 255 bytes; a folder has no extension to keep, so the end goes. */
function fitComponent(component: string): string {
  const cut = truncateUtf8(component, MAX_NAME_BYTES).replace(TRAILING_DOTS_AND_SPACES, "");
  return cut === "" ? "_" : cut;
}

/**
 * `albums/YYYY/MM <Title>`, `albums/<Title>` (omitDate) or `albums/YYYY-MM <Title>` (flat).
 * `date` is the album's newest (or oldest) item; an album with no dated item (say an empty one)
 * has no date to show and gets `albums/<Title>`. The title is made safe like a file name, so `/`
 * becomes `_`; an absent or blank title is `Untitled`. The last component is at most 255 bytes.
 */
export function albumFolder(
  title: string | undefined,
  date: Date | undefined,
  options: AlbumFolderOptions = {},
): string {
  const name = title === undefined || title.trim() === "" ? UNTITLED : safeName(title);
  const dated = date !== undefined && !Number.isNaN(date.getTime());
  if (options.omitDate || !dated) return `albums/${fitComponent(name)}`;
  const { year, month } = yearMonth(date);
  if (options.flat) return `albums/${fitComponent(`${year}-${month} ${name}`)}`;
  return `albums/${year}/${fitComponent(`${month} ${name}`)}`;
}

/** The n-th folder of clashing albums: n = 1 is `folder`, n >= 2 appends ` (n)` to its last part. */
export function withFolderDupNumber(folder: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot number a duplicate "${n}": expected an integer from 1`);
  }
  if (n === 1) return folder;
  const slash = folder.lastIndexOf("/");
  const parent = folder.slice(0, slash + 1);
  const last = folder.slice(slash + 1);
  const marker = ` (${n})`;
  return parent + truncateUtf8(last, MAX_NAME_BYTES - utf8Length(marker)) + marker;
}
