/**
 * The naming and path rules of TARGET (SPEC "What TARGET holds"), as pure functions: no I/O.
 *
 * To name an item: `base = dupBaseName(filename)`, group by `clashKey(base)` within its
 * `dateFolder(...)`, and give the n-th of a group (index order) `withDupNumber(base, n)`.
 */

export { albumFolder, UNTITLED, withFolderDupNumber } from "./album_folder.ts";
export type { AlbumFolderOptions } from "./album_folder.ts";
export {
  clashKey,
  dupBaseName,
  foldName,
  itemFileName,
  stripDupSuffix,
  withDupNumber,
} from "./clash.ts";
export { dateFolder, formatYear, UNDATED_YEAR, yearMonth } from "./date_folder.ts";
export type { DateFolderOptions } from "./date_folder.ts";
export { MAX_EXTENSION_BYTES, splitExtension } from "./extension.ts";
export type { NameParts } from "./extension.ts";
export { dateFromFileName } from "./file_name_date.ts";
export { isInside, isPlainRelative } from "./paths.ts";
export { isDeviceName, MAX_NAME_BYTES, safeName, truncateName } from "./safe_name.ts";
export { truncateUtf8, utf8Length } from "./utf8.ts";
