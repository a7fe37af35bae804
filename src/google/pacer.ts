/**
 * The one pacer every Google call goes through: retries 429, 5xx and network errors with exponential
 * backoff, jitter and a cap, honours `Retry-After`, and counts calls against Google's daily quotas.
 */
import { ApiError, DailyQuotaError, GphotosError } from "../errors.ts";

/**
 * What a call is, for the tally: Google counts Library API calls and media fetches against daily
 * quotas, and Picker calls and media fetches against per-minute ones (google-api.md §1.8, §3.5).
 */
export type CallKind = "api" | "media" | "picker" | "pickerMedia" | "token";

/** Requests actually sent during this run. */
export interface Tally {
  /** Library API requests (10,000 a day per project). */
  apiCalls: number;
  /** Library `baseUrl` fetches (75,000 a day per project). */
  mediaFetches: number;
  /** Picker API requests (100,000 a minute per project; not the Library's daily quota). */
  pickerCalls: number;
  /** Picker `baseUrl` fetches (1,000,000 a minute per project). */
  pickerMediaFetches: number;
  /** Requests repeated after a retryable failure. */
  retries: number;
  /** OAuth token endpoint requests (not counted by Google's Photos quotas). */
  tokenCalls: number;
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | { retry: false }
  | {
    retry: true;
    /** HTTP status, or 0 for a network error. */
    status: number;
    /** The server's `Retry-After`, in milliseconds from now. */
    retryAfterMs?: number;
  };

/** Decides whether an error thrown by an attempt is worth another try. */
export type Classify = (error: unknown) => RetryDecision;

/** Told about every retry, e.g. to show "Google asked to slow down". */
export interface RetryInfo {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  status: number;
  error: unknown;
}

/** Settings of a pacer; times in milliseconds unless the name says otherwise. */
export interface PacerOptions {
  /** Retries after the first attempt before giving up (default 8). */
  maxRetries?: number;
  /** First backoff delay (default 1000; Google asks for at least 1 s). */
  baseDelayMs?: number;
  /** Largest backoff delay (default 32000). */
  capMs?: number;
  /** Least wait after any 429, `Retry-After` or not (Google asks for 30 s). */
  min429WaitS: number;
  /** A `Retry-After` longer than this gives up at once instead of stalling the run (default 15 min). */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** In [0, 1); for the jitter. */
  random?: () => number;
  onRetry?: (info: RetryInfo) => void;
  /** The run's abort (Ctrl-C): no retry after it, and a wait under way ends at once. */
  signal?: AbortSignal;
}

/** HTTP statuses worth retrying (Google's best-practice guide and rclone's pacer). */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** A Google HTTP answer with a failing status; carries `Retry-After` when the server sent one. */
export class HttpStatusError extends ApiError {
  /** Milliseconds the server asked to wait, from `Retry-After`. */
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    status: number,
    code: string,
    options?: ErrorOptions & { exitCode?: number; retryAfterMs?: number },
  ) {
    super(message, status, code, options);
    this.name = "HttpStatusError";
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** A request that got no complete answer: refused or reset connection, cut body, timeout. */
export class NetworkError extends ApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 0, "NETWORK_ERROR", options);
    this.name = "NetworkError";
  }
}

const NETWORK_ERRORS: readonly (new (...args: never[]) => Error)[] = [
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.NotConnected,
  Deno.errors.BrokenPipe,
  Deno.errors.UnexpectedEof,
  Deno.errors.TimedOut,
  Deno.errors.Interrupted,
  Deno.errors.Http,
];

/**
 * Wraps what `fetch()` or a body read threw into a `NetworkError` (retried), keeping aborts as they
 * are. Only for errors of the network call itself: fetch rejects with a TypeError for a refused
 * connection or a cut body, which a bug elsewhere must not be mistaken for.
 */
export function networkError(error: unknown, what: string): unknown {
  if (error instanceof DOMException && (error.name === "AbortError")) return error;
  if (error instanceof ApiError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new NetworkError(`${what} failed: ${text}`, { cause: error });
}

/** The standard retry predicate: 429 (not a spent daily quota), 500, 502, 503, 504, network errors. */
export function classifyError(error: unknown): RetryDecision {
  // No wait within a run brings a spent daily quota back.
  if (error instanceof DailyQuotaError) return { retry: false };
  if (error instanceof ApiError) {
    if (error.status === 0 || RETRY_STATUSES.has(error.status)) {
      const retryAfterMs = error instanceof HttpStatusError ? error.retryAfterMs : undefined;
      return retryAfterMs === undefined
        ? { retry: true, status: error.status }
        : { retry: true, status: error.status, retryAfterMs };
    }
    return { retry: false };
  }
  if (error instanceof GphotosError) return { retry: false };
  // A bare TypeError is a bug: retrying it hides it. fetch() failures arrive here already wrapped
  // as NetworkError by `networkError()` at each call site, the only place that can tell them apart.
  if (NETWORK_ERRORS.some((type) => error instanceof type)) return { retry: true, status: 0 };
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return { retry: true, status: 0 };
  }
  return { retry: false };
}

/** `Retry-After` (delay-seconds or an HTTP date) in milliseconds from `nowMs`; undefined if unusable. */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Runs calls with retries; one instance is shared by every call of a run so a 429 slows them all. */
export class Pacer {
  /** Requests actually sent so far. */
  readonly tally: Tally = {
    apiCalls: 0,
    mediaFetches: 0,
    pickerCalls: 0,
    pickerMediaFetches: 0,
    retries: 0,
    tokenCalls: 0,
  };
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #capMs: number;
  readonly #min429WaitMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #onRetry: ((info: RetryInfo) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  /** After a 429 every call holds off until then: the quota is per project, not per call. */
  #pausedUntil = 0;

  constructor(options: PacerOptions) {
    this.#maxRetries = options.maxRetries ?? 8;
    this.#baseDelayMs = options.baseDelayMs ?? 1000;
    this.#capMs = options.capMs ?? 32_000;
    this.#min429WaitMs = Math.max(0, options.min429WaitS) * 1000;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 15 * 60_000;
    this.#sleep = options.sleep ?? ((ms) => sleepUnlessAborted(ms, options.signal));
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#onRetry = options.onRetry;
    this.#signal = options.signal;
    if (this.#maxRetries < 0 || !Number.isInteger(this.#maxRetries)) {
      throw new RangeError(
        `Pacer maxRetries must be a whole number >= 0, got "${this.#maxRetries}"`,
      );
    }
  }

  /**
   * Runs `attempt` until it succeeds, `classify` says an error is final, or the retries run out; then
   * throws the last error (a non-Google error that was retried is wrapped in a `NetworkError`).
   * Each attempt counts as one request of `kind` (default "api"). After the run's abort only a call
   * made `evenIfAborted` (a clean-up) is sent, once.
   */
  async run<T>(
    attempt: (tryNumber: number) => Promise<T>,
    classify: Classify = classifyError,
    options: { kind?: CallKind; evenIfAborted?: boolean } = {},
  ): Promise<T> {
    const kind = options.kind ?? "api";
    for (let tryNumber = 0;; tryNumber++) {
      if (!(options.evenIfAborted && this.#signal?.aborted)) await this.#waitForPause();
      if (!options.evenIfAborted) this.#signal?.throwIfAborted();
      this.count(kind);
      try {
        return await attempt(tryNumber);
      } catch (error) {
        // Whatever the stopped run's requests threw, it is no reason to ask again.
        if (this.#signal?.aborted) throw error;
        const decision = classify(error);
        if (!decision.retry) throw error;
        if (tryNumber >= this.#maxRetries) throw giveUp(error, tryNumber + 1);
        let delayMs = this.backoffMs(tryNumber + 1);
        if (decision.retryAfterMs !== undefined) {
          if (decision.retryAfterMs > this.#maxRetryAfterMs) {
            throw giveUp(error, tryNumber + 1, decision.retryAfterMs);
          }
          delayMs = decision.retryAfterMs;
        }
        // Google's rule: a 429 waits at least 30 s, even when `Retry-After` asks for less.
        if (decision.status === 429) delayMs = Math.max(delayMs, this.#min429WaitMs);
        if (decision.status === 429) {
          this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + delayMs);
        }
        this.tally.retries++;
        this.#onRetry?.({ retry: tryNumber + 1, delayMs, status: decision.status, error });
        await this.#wait(delayMs);
      }
    }
  }

  /** Counts a request sent outside `run` (e.g. the one repeat after refreshing a token). */
  count(kind: CallKind): void {
    if (kind === "api") this.tally.apiCalls++;
    else if (kind === "media") this.tally.mediaFetches++;
    else if (kind === "picker") this.tally.pickerCalls++;
    else if (kind === "pickerMedia") this.tally.pickerMediaFetches++;
    else this.tally.tokenCalls++;
  }

  /** The delay before retry number `retry` (1-based): doubling from the base, jittered up to 2x, capped. */
  backoffMs(retry: number): number {
    const exponential = this.#baseDelayMs * 2 ** Math.max(0, retry - 1);
    return Math.min(this.#capMs, Math.round(exponential * (1 + this.#random())));
  }

  async #waitForPause(): Promise<void> {
    const wait = this.#pausedUntil - this.#now();
    if (wait > 0) await this.#wait(wait);
  }

  /** Sleeps, but a Ctrl-C ends the wait at once (a `Retry-After` may ask for minutes). */
  async #wait(ms: number): Promise<void> {
    const signal = this.#signal;
    if (!signal) return await this.#sleep(ms);
    signal.throwIfAborted();
    let onAbort = () => {};
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      await Promise.race([this.#sleep(ms), aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    signal.throwIfAborted();
  }
}

function giveUp(error: unknown, tries: number, retryAfterMs?: number): Error {
  const why = retryAfterMs === undefined
    ? `gave up after ${tries} ${tries === 1 ? "try" : "tries"}`
    : `gave up: the server asked to wait ${Math.ceil(retryAfterMs / 1000)} s`;
  if (error instanceof HttpStatusError) {
    return new HttpStatusError(`${error.message} (${why})`, error.status, error.code, {
      cause: error,
      exitCode: error.exitCode,
      retryAfterMs: error.retryAfterMs,
    });
  }
  if (error instanceof NetworkError) {
    return new NetworkError(`${error.message} (${why})`, { cause: error });
  }
  if (error instanceof ApiError) {
    return new ApiError(`${error.message} (${why})`, error.status, error.code, {
      cause: error,
      exitCode: error.exitCode,
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new NetworkError(`Network error: ${text} (${why})`, { cause: error });
}

/** Sleeps `ms`, or less when `signal` aborts (its timer then goes too). */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
