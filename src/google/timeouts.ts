/** How long a request may go without progress before it is given up and tried again. */

/** The three deadlines of a request to Google, in milliseconds. */
export interface Timeouts {
  /** No response headers this long after sending: the connection is dead (`--contimeout`). */
  connectMs: number;
  /** An API call not complete this long after sending (`--timeout`). */
  apiMs: number;
  /** A media body that delivers no byte this long has stalled (`--timeout`). */
  idleMs: number;
}

/**
 * Generous enough for a slow home line (a 200 MB video on 1 Mbit/s still delivers a byte every
 * second), short enough that a dead connection costs a minute, not the night.
 */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = {
  connectMs: 30_000,
  apiMs: 120_000,
  idleMs: 60_000,
};

/** The deadlines `--timeout` and `--contimeout` ask for (given in ms), the defaults for the rest. */
export function timeoutsFrom(given: { timeout?: number; contimeout?: number } = {}): Timeouts {
  return {
    connectMs: given.contimeout ?? DEFAULT_TIMEOUTS.connectMs,
    apiMs: given.timeout ?? DEFAULT_TIMEOUTS.apiMs,
    idleMs: given.timeout ?? DEFAULT_TIMEOUTS.idleMs,
  };
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of a duration as rclone writes them (`30s`, `2m`, `1m30s`, `1.5s`, `500ms`, `1h`) or
 * plain seconds (`90`); undefined when the text is none of these or not above zero.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(t)) {
    ms = Number(t) * 1000;
  } else {
    if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) return undefined;
    ms = 0;
    for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
  }
  ms = Math.round(ms);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** A duration for messages: `250 ms`, `30 s`, `2 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000 || ms % 60_000 !== 0) return `${Math.round(ms / 100) / 10} s`;
  return `${ms / 60_000} min`;
}
