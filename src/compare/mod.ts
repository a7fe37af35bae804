/** Comparing the library with a historical backup folder: scan, match, report. */
export { compareFolder } from "./compare.ts";
export type { CompareOptions, CompareResult } from "./compare.ts";
export { countMatches, matchFiles, nameKey, STAGES } from "./match.ts";
export type {
  FileClass,
  FileMatch,
  MatchCounts,
  MatchOptions,
  MatchResult,
  MatchStage,
} from "./match.ts";
export { exifTime, mp4CreationTime, parseExifDate } from "../media/media_time.ts";
export type { FileTime, Seekable } from "../media/media_time.ts";
export {
  buildReport,
  COMPARISON_DIR,
  duplicateGroups,
  DUPLICATES_DIR,
  EXTRA_DIR,
  MISSING_DIR,
  REPORT_FILE,
  summaryLines,
  writeComparison,
} from "./report.ts";
export type {
  ComparisonReport,
  DuplicateGroup,
  ReportExtra,
  ReportFile,
  WriteOptions,
  WriteResult,
} from "./report.ts";
export { dupNumber, READ_CHUNK, READER_VERSION, scanFolder } from "./scan.ts";
export type { ScanError, ScannedFile, ScanOptions, ScanResult } from "./scan.ts";
