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
