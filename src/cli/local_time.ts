/**
 * Times for people: the index stores ISO-8601 UTC, but a user reading `status` at 9 pm wants to
 * see "21:00" in their own zone, to the second, with the offset so a copied line stays exact.
 */

/** `2026-03-01T13:04:05.123Z` → `2026-03-01 14:04:05 +01:00` in `timeZone` (default: the user's). */
export function formatLocalTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "longOffset",
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? "";
  // "GMT+05:30", or plain "GMT" at offset zero.
  const offset = part("timeZoneName").replace(/^GMT/, "") || "+00:00";
  return `${part("year")}-${part("month")}-${part("day")} ` +
    `${part("hour")}:${part("minute")}:${part("second")} ${offset}`;
}

/** The zone a command shows times in: `TZ` of its environment when valid, else the runtime's. */
export function zoneFrom(env: Record<string, string | undefined>): string | undefined {
  const tz = env.TZ?.replace(/^:/, "");
  if (!tz) return undefined;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz;
  } catch {
    // A TZ that ICU does not know (a POSIX rule string): the runtime's own reading of it.
    return undefined;
  }
}
