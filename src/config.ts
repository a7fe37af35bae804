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

/** The endpoints, from `GPHOTOS_SYNC_*` variables or Google's defaults. */
export function endpointsFromEnv(env: Env): Endpoints {
  return {
    library: trimSlash(env.GPHOTOS_SYNC_LIBRARY_URL ?? "https://photoslibrary.googleapis.com"),
    picker: trimSlash(env.GPHOTOS_SYNC_PICKER_URL ?? "https://photospicker.googleapis.com"),
    auth: env.GPHOTOS_SYNC_AUTH_URL ?? "https://accounts.google.com/o/oauth2/v2/auth",
    token: env.GPHOTOS_SYNC_TOKEN_URL ?? "https://oauth2.googleapis.com/token",
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
