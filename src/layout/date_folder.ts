/** SPEC "Dates": the folder an item lands in, from its capture time in UTC. */

/** Where items without any date go: the original tool's minimum date. */
export const UNDATED_YEAR = 1900;

/** Options of `dateFolder` and `albumFolder`. */
export interface DateFolderOptions {
  /** `--use-flat-path`: `YYYY-MM` instead of `YYYY/MM`. */
  flat?: boolean;
}

/** A year as at least four digits (`0999`), signed when before year 0. */
export function formatYear(year: number): string {
  const digits = String(Math.abs(year)).padStart(4, "0");
  return year < 0 ? `-${digits}` : digits;
}

/** The UTC year and month of `time`, or 1900-01 when there is no valid time. */
export function yearMonth(time: Date | undefined): { year: string; month: string } {
  if (time === undefined || Number.isNaN(time.getTime())) {
    return { year: formatYear(UNDATED_YEAR), month: "01" };
  }
  return {
    year: formatYear(time.getUTCFullYear()),
    month: String(time.getUTCMonth() + 1).padStart(2, "0"),
  };
}

/** `photos/YYYY/MM` (or `photos/YYYY-MM` when flat) for a capture time; undated -> 1900-01. */
export function dateFolder(time: Date | undefined, options: DateFolderOptions = {}): string {
  const { year, month } = yearMonth(time);
  return options.flat ? `photos/${year}-${month}` : `photos/${year}/${month}`;
}
