/** SPEC "Dates": the last resort, a capture date written into the file name by a camera or app. */

/**
 * A date (YYYY MM DD, one separator used twice or none) and an optional time (HH MM SS, then
 * optional milliseconds). Digits either side are refused so `IMG_0001` or a long number is no date.
 * Covers IMG_20200229_084052, PXL_20230101_123456789, 2020-02-29 08.40.52,
 * Screenshot_2020-02-29-08-40-52, VID-20200229-WA0001, WhatsApp Image 2020-02-29 at 08.40.52.
 */
const DATE_IN_NAME =
  /(?<!\d)(\d{4})([-_.]?)(\d{2})\2(\d{2})(?:(?: at |[-_ T.]?)(\d{2})([-.:_]?)(\d{2})\6(\d{2})(?:[.,]?(\d{3}))?)?(?!\d)/g;

/** Years a file name date is believed for: older or later digits are more likely a counter. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2099;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The first valid date written in a file name, as UTC; undefined when there is none. */
export function dateFromFileName(name: string): Date | undefined {
  for (const match of name.matchAll(DATE_IN_NAME)) {
    const [, y, , mo, d, h, , mi, s, ms] = match;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) continue;
    if (day < 1 || day > daysInMonth(year, month)) continue;
    let hours = 0, minutes = 0, seconds = 0, millis = 0;
    if (h !== undefined) {
      // A date with an impossible time still dates the file; the digits were something else.
      if (Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 59) {
        hours = Number(h);
        minutes = Number(mi);
        seconds = Number(s);
        millis = ms === undefined ? 0 : Number(ms);
      }
    }
    const time = new Date(0);
    // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
    time.setUTCFullYear(year, month - 1, day);
    time.setUTCHours(hours, minutes, seconds, millis);
    return time;
  }
  return undefined;
}
