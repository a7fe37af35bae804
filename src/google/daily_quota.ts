/**
 * Google's per-day quotas (google-api.md §1.8): which 429 names one, and when it resets. Google's
 * quota documentation says daily quotas reset at midnight Pacific time.
 */
import { DailyQuotaError } from "../errors.ts";

/** Made on first use: loading a time zone costs every command's start some 25 ms otherwise. */
let pacific: Intl.DateTimeFormat | undefined;
function pacificFormat(): Intl.DateTimeFormat {
  return pacific ??= new Intl.DateTimeFormat("en-US", {
    timeZone: "America/Los_Angeles",
    hourCycle: "h23",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
}

const HOUR = 3_600_000;

/** Whether a 429's message or `ErrorInfo` details name a per-day limit (not a per-minute one). */
export function namesDailyQuota(message: string, details: unknown): boolean {
  const texts = [message];
  if (Array.isArray(details)) {
    for (const d of details) {
      const metadata = typeof d === "object" && d !== null
        ? (d as { metadata?: unknown }).metadata
        : undefined;
      if (typeof metadata === "object" && metadata !== null) {
        for (const v of Object.values(metadata)) if (typeof v === "string") texts.push(v);
      }
    }
  }
  // "limit 'All requests per day'", "ApiCallsPerProjectPerDay", "...-per-day".
  return texts.some((t) => /per[\s_-]?day\b|PerDay|daily/i.test(t));
}

/** The next midnight in Pacific time after `now` (epoch milliseconds), across DST changes. */
export function nextPacificMidnight(now: number): number {
  const sinceMidnight = pacificClockMs(now);
  let next = now - sinceMidnight + 24 * HOUR;
  // On a day of 23 or 25 hours the guess lands at 01:00 or 23:00: step to the real midnight.
  const off = pacificClockMs(next);
  if (off >= 12 * HOUR) next += 24 * HOUR - off;
  else next -= off;
  return next;
}

/** Milliseconds since midnight on Pacific wall clocks at `t`. */
function pacificClockMs(t: number): number {
  const parts = Object.fromEntries(
    pacificFormat().formatToParts(new Date(t)).map((p) => [p.type, p.value]),
  );
  const s = (Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second);
  return s * 1000 + (((t % 1000) + 1000) % 1000);
}

/** The error for a spent daily quota, saying when it resets in the user's local time. */
export function dailyQuotaError(
  what: string,
  google: string,
  options: { now?: number } = {},
): DailyQuotaError {
  const now = options.now ?? Date.now();
  const resetsAt = nextPacificMidnight(now);
  const minutes = Math.max(1, Math.ceil((resetsAt - now) / 60_000));
  const wait = minutes >= 60
    ? `${Math.floor(minutes / 60)} h ${minutes % 60} min`
    : `${minutes} min`;
  return new DailyQuotaError(
    `Google's daily quota of API requests for this project is used up (${what}: ${google}); ` +
      `it resets at midnight Pacific time, ${localTime(resetsAt)} local time (in ${wait}): ` +
      `run again then`,
    resetsAt,
  );
}

function localTime(t: number): string {
  const d = new Date(t);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}`;
}
