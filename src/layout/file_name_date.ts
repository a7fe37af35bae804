/** SPEC "Dates": the last resort, a capture date written into the file name by a camera or app. */

/** YYYY MM DD, one separator used twice or none. */
const DATE = String.raw`(?<y>\d{4})(?<ds>[-_.]?)(?<mo>\d{2})\k<ds>(?<d>\d{2})`;
/**
 * Between date and time: nothing, one of `-_ T.`, ` - `, or the word a screenshot tool or
 * WhatsApp writes in its language (`at`, `à`, `um`, `a la(s)`, `alle`, `om`, `kl.`).
 */
const JOIN = String.raw`(?: (?:at|à|um|a las?|a la\(s\)|alle|om|kl\.?) | - |[-_ T.]?)`;
/** HH MM SS (one separator used twice, or none), `11h47m52s`, or a one-digit hour `1.15.53`. */
const TIME = String.raw`(?:(?<h>\d{2})(?:(?<ts>[-.:_]?)(?<mi>\d{2})\k<ts>(?<s>\d{2})` +
  String.raw`|h(?<mi2>\d{2})m(?<s2>\d{2})s?)` +
  String.raw`|(?<h1>\d)(?<ts1>[.:])(?<mi1>\d{2})\k<ts1>(?<s1>\d{2}))`;
/**
 * Milliseconds: 3 digits after `-`, `.`, `,` or none, or 4 in the 18-digit stamps some phones
 * write (`201801261147521000`); after `_` Samsung writes a burst number, no millisecond.
 */
const MILLIS = String.raw`(?:[-.,]?(?<ms>\d{3})\d?)?`;
/** AM/PM as English, Spanish (`p. m.`) and German (`nachm.`) write it, after any space. */
const HALF = String.raw`(?:[ \u00a0\u202f]?` +
  String.raw`(?:(?<ap>[AaPp])\.? ?[Mm]\.?(?![A-Za-z])|(?<de>nachm|vorm)\.))?`;

/**
 * A date and an optional time; digits either side are refused so `IMG_0001` or a long number is
 * no date. Covers IMG_20200229_084052, PXL_20230101_123456789, 2020-02-29 08.40.52,
 * Screenshot_2020-02-29-08-40-52-647, VID-20200229-WA0001, WhatsApp Image 2020-02-29 at 8.40.52
 * PM, Bildschirmfoto 2020-02-29 um 08.40.52, Snapchat-2020-02-29_08h40m52s.
 */
const DATE_IN_NAME = new RegExp(
  String.raw`(?<!\d)${DATE}(?:${JOIN}${TIME}${MILLIS}${HALF})?(?!\d)`,
  "g",
);

/** Years a file name date is believed for: scanned prints go back to the 1800s. */
const MIN_YEAR = 1800;
const MAX_YEAR = 2099;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The first valid date written in a file name, as UTC; undefined when there is none. */
export function dateFromFileName(name: string): Date | undefined {
  for (const match of name.matchAll(DATE_IN_NAME)) {
    const g = match.groups!;
    const { y, mo, d, ms } = g;
    const h = g.h ?? g.h1;
    const mi = g.mi ?? g.mi2 ?? g.mi1;
    const s = g.s ?? g.s2 ?? g.s1;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) continue;
    if (day < 1 || day > daysInMonth(year, month)) continue;
    let hours = 0, minutes = 0, seconds = 0, millis = 0;
    if (h !== undefined) {
      // A date with an impossible time still dates the file; the digits were something else.
      const half = g.ap?.toLowerCase() ?? (g.de === "nachm" ? "p" : g.de === "vorm" ? "a" : "");
      // 12 AM is midnight, 12 PM noon; a 24-hour time followed by PM keeps its hour.
      const hour = half === "p" && Number(h) < 12
        ? Number(h) + 12
        : half === "a" && Number(h) === 12
        ? 0
        : Number(h);
      if (hour <= 23 && Number(mi) <= 59 && Number(s) <= 59) {
        hours = hour;
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
