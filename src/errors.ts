/** Exit codes of the SPEC: what a script can rely on. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unauthorised: 3,
  partial: 4,
  /** Stopped by Ctrl-C (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

/** An error a user causes or must act on; carries the process exit code. */
export class GphotosError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "GphotosError";
    this.exitCode = exitCode;
  }
}

/** Bad arguments or bad input files: exit 2. */
export class UsageError extends GphotosError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.usage, options);
    this.name = "UsageError";
  }
}

/** Not logged in, token revoked or expired, scopes missing: exit 3. */
export class AuthError extends GphotosError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.unauthorised, options);
    this.name = "AuthError";
  }
}

/** Another run holds `gphotos.lock`: exit 1. */
export class LockError extends GphotosError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.failed, options);
    this.name = "LockError";
  }
}

/** A Google API call failed for good (after retries). */
export class ApiError extends GphotosError {
  /** HTTP status, or 0 for a network error. */
  readonly status: number;
  /** Google's canonical status string, e.g. `PERMISSION_DENIED`. */
  readonly code: string;
  constructor(
    message: string,
    status: number,
    code: string,
    options?: ErrorOptions & { exitCode?: number },
  ) {
    super(message, options?.exitCode ?? EXIT.failed, options);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/**
 * Google's per-day quota is spent (429 RESOURCE_EXHAUSTED naming a daily limit): no wait within a
 * run helps, so it is never retried and stops the run; the message says when the quota resets.
 */
export class DailyQuotaError extends ApiError {
  /** When the quota resets: midnight Pacific time, epoch milliseconds. */
  readonly resetsAt: number;
  constructor(message: string, resetsAt: number, options?: ErrorOptions) {
    super(message, 429, "RESOURCE_EXHAUSTED", options);
    this.name = "DailyQuotaError";
    this.resetsAt = resetsAt;
  }
}

/** What a run still had to write when the disk filled up. */
export interface SpaceNeeded {
  /** Items not yet on disk. */
  items: number;
  /** Bytes they need. */
  bytes: number;
  /** "about": some sizes are estimated; "at least": items of unknown size are not counted. */
  precision: "about" | "at least";
}

/** The disk TARGET is on is full (ENOSPC, SQLITE_FULL): exit 1, naming the disk and the need. */
export class DiskFullError extends GphotosError {
  /** The folder whose disk is full. */
  readonly path: string;
  readonly needed: SpaceNeeded | undefined;
  constructor(path: string, needed?: SpaceNeeded, options?: ErrorOptions) {
    super(diskFullMessage(path, needed), EXIT.failed, options);
    this.name = "DiskFullError";
    this.path = path;
    this.needed = needed;
  }
}

function diskFullMessage(path: string, needed: SpaceNeeded | undefined): string {
  const head = `Disk full: no space left on the disk of "${path}"`;
  const tail = "free space there (or move the backup to a bigger disk) and run again; " +
    "nothing written so far is lost";
  if (!needed || needed.items === 0) return `${head}; ${tail}`;
  const items = needed.items === 1 ? "1 item" : `${needed.items} items`;
  if (needed.bytes === 0) {
    return `${head}; the run still has ${items} to fetch, of sizes not known yet: ${tail}`;
  }
  return `${head}; the run still needs ${needed.precision} ${megabytes(needed.bytes)} ` +
    `for ${items}: ${tail}`;
}

function megabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  if (mb >= 1000) return `${(mb / 1000).toFixed(1)} GB`;
  return `${mb >= 10 ? Math.ceil(mb) : Math.max(0.1, Math.ceil(mb * 10) / 10)} MB`;
}

/**
 * Whether an error (or its cause) is a full disk: Deno's ENOSPC, SQLite's SQLITE_FULL (13), or a
 * `DiskFullError` already made.
 */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof DiskFullError) return true;
    const { code, errcode } = e as { code?: unknown; errcode?: unknown };
    if (code === "ENOSPC" || errcode === 13) return true;
    if (/No space left on device|database or disk is full/i.test(e.message)) return true;
  }
  return false;
}
