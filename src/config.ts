/** Endpoints and locations from the environment (SPEC "Endpoints"). */

/** Where each Google service lives; tests point these at the fake. */
export interface Endpoints {
  library: string;
  picker: string;
  auth: string;
  token: string;
}

/** A read-only view of environment variables, so tests can run in-process. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The endpoints: `GPHOTOS_SYNC_*` variables first, then the `auth_uri` and `token_uri` written in
 * `client_secret.json` (when given), then Google's defaults.
 */
export function endpointsFromEnv(
  env: Env,
  secret: { authUri?: string; tokenUri?: string } = {},
): Endpoints {
  return {
    library: trimSlash(env.GPHOTOS_SYNC_LIBRARY_URL ?? "https://photoslibrary.googleapis.com"),
    picker: trimSlash(env.GPHOTOS_SYNC_PICKER_URL ?? "https://photospicker.googleapis.com"),
    auth: env.GPHOTOS_SYNC_AUTH_URL ?? secret.authUri ??
      "https://accounts.google.com/o/oauth2/v2/auth",
    token: env.GPHOTOS_SYNC_TOKEN_URL ?? secret.tokenUri ?? "https://oauth2.googleapis.com/token",
  };
}

/** Seconds to wait after a 429 without `Retry-After` (Google asks for 30 s). */
export function min429WaitSeconds(env: Env): number {
  const raw = env.GPHOTOS_SYNC_MIN_429_WAIT_S;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : 30;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Pacer timing overrides, so tests need not wait for Google's real backoff (undefined keeps a default). */
export interface PacerTiming {
  baseDelayMs?: number;
  capMs?: number;
  maxRetries?: number;
}

/**
 * `GPHOTOS_SYNC_BACKOFF_MS` (first retry delay; the cap becomes 32 times it, at most 32 s) and
 * `GPHOTOS_SYNC_MAX_RETRIES`, for tests and benchmarks against the fake; spread into `new Pacer`.
 */
export function pacerTimingFromEnv(env: Env): PacerTiming {
  const timing: PacerTiming = {};
  const base = Number(env.GPHOTOS_SYNC_BACKOFF_MS ?? NaN);
  if (Number.isFinite(base) && base >= 0) {
    timing.baseDelayMs = base;
    timing.capMs = Math.min(32_000, Math.max(base, base * 32));
  }
  const retries = Number(env.GPHOTOS_SYNC_MAX_RETRIES ?? NaN);
  if (Number.isInteger(retries) && retries >= 0) timing.maxRetries = retries;
  return timing;
}
