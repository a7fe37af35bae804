/** Authorised JSON calls and media fetches to Google, all through the pacer. */
import { type ApiError, AuthError } from "../errors.ts";
import {
  type CallKind,
  type Classify,
  classifyError,
  HttpStatusError,
  NetworkError,
  type Pacer,
  parseRetryAfter,
} from "./pacer.ts";
import { Deadlines, idleWatched } from "./deadline.ts";
import { dailyQuotaError, namesDailyQuota } from "./daily_quota.ts";
import { DEFAULT_TIMEOUTS, formatDuration, type Timeouts } from "./timeouts.ts";

/** Where access tokens come from; `TokenProvider` is the real one. */
export interface TokenSource {
  accessToken(): Promise<string>;
  /** A fresh token after `rejected` was refused with a 401. */
  refreshNow(rejected?: string): Promise<string>;
}

/** Settings of `GoogleHttp`. */
export interface GoogleHttpOptions {
  tokens: TokenSource;
  pacer: Pacer;
  fetch?: typeof fetch;
  /** Deadlines of every request (default `DEFAULT_TIMEOUTS`). */
  timeouts?: Partial<Timeouts>;
  /** The run's abort (Ctrl-C): every request under way ends at once. */
  signal?: AbortSignal;
}

/** Options of a media fetch. */
export interface MediaOptions {
  /** Send the bearer token (Picker base URLs need it; Library base URLs carry their own grant). */
  bearer?: boolean;
  headers?: HeadersInit;
  signal?: AbortSignal;
}

/** The hint given whenever Google says the token lacks a scope: the 2025 API change. */
export const SCOPE_HINT =
  "since 2025-03-31 Google serves only items this app created, so the Library API cannot read your " +
  'library; import a Google Takeout export with "gphotos-sync takeout TARGET PATH..." or choose items ' +
  'by hand with "gphotos-sync pick TARGET"';

const CANONICAL: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "NOT_IMPLEMENTED",
  502: "BAD_GATEWAY",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** HTTP to Google: bearer token, pacer, one token refresh on 401, Google's errors made readable. */
export class GoogleHttp {
  readonly #tokens: TokenSource;
  readonly #pacer: Pacer;
  readonly #fetch: typeof fetch;
  readonly #timeouts: Timeouts;
  readonly #signal: AbortSignal | undefined;

  constructor(options: GoogleHttpOptions) {
    this.#tokens = options.tokens;
    this.#pacer = options.pacer;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#signal = options.signal;
  }

  /** The pacer all calls go through (its `tally` counts them). */
  get pacer(): Pacer {
    return this.#pacer;
  }

  /**
   * Sends a JSON request and parses the JSON answer; an empty body gives `{}`. `classify` replaces
   * the standard retry rule for calls whose 429 means something no wait can fix. A `cleanup` call
   * (deleting a picking session) still goes out after Ctrl-C: once, given at most 1.5 s. `picker`
   * counts the call against the Picker's quota instead of the Library's.
   */
  json<T>(
    method: string,
    url: string | URL,
    body?: unknown,
    options: { classify?: Classify; cleanup?: boolean; picker?: boolean } = {},
  ): Promise<T> {
    const tallyKind: CallKind = options.picker ? "picker" : "api";
    const target = new URL(url);
    const what = `Google API "${target.pathname}"`;
    const state = { refreshed: false };
    const cleanup = options.cleanup === true;
    return this.#pacer.run(
      async () => {
        const late = cleanup && this.#signal?.aborted === true;
        const deadlines = new Deadlines(cleanup ? undefined : this.#signal);
        const total = late ? Math.min(1500, this.#timeouts.apiMs) : this.#timeouts.apiMs;
        deadlines.arm(total, `no complete answer within ${formatDuration(total)}`);
        try {
          return await this.#jsonAttempt<T>(target, what, state, deadlines, tallyKind, {
            method,
            body,
          });
        } finally {
          deadlines.end();
        }
      },
      options.classify ?? classifyError,
      { kind: tallyKind, evenIfAborted: cleanup },
    );
  }

  async #jsonAttempt<T>(
    target: URL,
    what: string,
    state: { refreshed: boolean },
    deadlines: Deadlines,
    tallyKind: CallKind,
    request: { method: string; body: unknown },
  ): Promise<T> {
    const { method, body } = request;
    const response = await this.#authorised(target, what, state, tallyKind, deadlines, (token) => {
      const headers = new Headers({
        authorization: `Bearer ${token}`,
        accept: "application/json",
      });
      const init: RequestInit = { method, headers };
      if (body !== undefined) {
        headers.set("content-type", "application/json");
        init.body = JSON.stringify(body);
      }
      return init;
    });
    let text: string;
    try {
      text = await deadlines.race(response.text());
    } catch (error) {
      const explained = deadlines.explain(error, what);
      if (explained !== error) throw explained;
      throw new NetworkError(`${what} failed: answer cut short: ${errorText(error)}`, {
        cause: error,
      });
    }
    if (text.trim() === "") return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      // A 200 with broken JSON is almost always a cut transfer; asking again is right.
      throw new NetworkError(`${what} failed: answer is not valid JSON`, { cause: error });
    }
  }

  /**
   * Fetches media bytes through the pacer (counted as a media fetch); returns the response with its body
   * unread, or throws an `ApiError` (a 403 here usually means the `baseUrl` expired).
   */
  media(url: string | URL, options: MediaOptions = {}): Promise<Response> {
    const target = new URL(url);
    const what = `Media "${target.origin}${target.pathname}"`;
    const state = { refreshed: false };
    // Only Picker base URLs need the bearer token (google-api.md §1.9, §3.6): those fetches count
    // against the Picker's per-minute quota, not the Library's daily one.
    const tallyKind: CallKind = options.bearer ? "pickerMedia" : "media";
    return this.#pacer.run(
      () => {
        // Lives as long as the body: a stalled body aborts its own request only.
        const deadlines = new Deadlines(this.#signal, options.signal);
        return this.#authorised(target, what, state, tallyKind, deadlines, (token) => {
          const headers = new Headers(options.headers);
          if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
          return { headers };
        }, options.bearer ?? false);
      },
      classifyError,
      { kind: tallyKind },
    );
  }

  /** One attempt: sends, refreshes the token once on a 401, turns a failing status into an error. */
  async #authorised(
    url: URL,
    what: string,
    state: { refreshed: boolean },
    tallyKind: CallKind,
    deadlines: Deadlines,
    makeInit: (token: string | undefined) => RequestInit,
    bearer = true,
  ): Promise<Response> {
    const kind = tallyKind === "api" || tallyKind === "picker" ? "api" : "media";
    let token = bearer ? await this.#tokens.accessToken() : undefined;
    let response = await this.#send(url, makeInit(token), what, deadlines, kind);
    if (response.status === 401 && bearer) {
      if (state.refreshed) throw await unauthorised(response, what);
      await response.body?.cancel();
      state.refreshed = true;
      token = await this.#tokens.refreshNow(token);
      this.#pacer.count(tallyKind);
      response = await this.#send(url, makeInit(token), what, deadlines, kind);
      if (response.status === 401) throw await unauthorised(response, what);
    }
    if (!response.ok) throw await errorFromResponse(response, what);
    return response;
  }

  /** Sends within the connect deadline; a media body gets the idle deadline on every read. */
  async #send(
    url: URL,
    init: RequestInit,
    what: string,
    deadlines: Deadlines,
    kind: "api" | "media",
  ): Promise<Response> {
    const connect = this.#timeouts.connectMs;
    const headersDue = deadlines.arm(connect, `no answer within ${formatDuration(connect)}`);
    let response: Response;
    try {
      response = await deadlines.race(this.#fetch(url, { ...init, signal: deadlines.signal }));
    } catch (error) {
      const explained = deadlines.explain(error, what);
      if (explained !== error) throw explained;
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new NetworkError(`${what} failed: ${errorText(error)}`, { cause: error });
    } finally {
      headersDue();
    }
    if (kind === "api" || response.body === null) return response;
    return new Response(idleWatched(response.body, this.#timeouts.idleMs, deadlines, what), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }
}

/**
 * Reads a failing response into an error: `HttpStatusError` (with `Retry-After`) normally, an
 * `AuthError` explaining the 2025 API change for a 403 "insufficient authentication scopes", or a
 * `DailyQuotaError` (never retried) for a 429 that names a per-day limit.
 */
export async function errorFromResponse(
  response: Response,
  what: string,
  options: { now?: number } = {},
): Promise<ApiError | AuthError> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    // The status says enough.
  }
  let code = CANONICAL[response.status] ?? `HTTP_${response.status}`;
  let message = "";
  let reasons: string[] = [];
  let details: unknown;
  try {
    const body = JSON.parse(text) as unknown;
    const error = isRecord(body) ? body.error : undefined;
    if (isRecord(error)) {
      if (typeof error.status === "string" && error.status !== "") code = error.status;
      if (typeof error.message === "string") message = error.message;
      details = error.details;
      reasons = detailReasons(details);
    } else if (typeof error === "string") {
      // OAuth-style body: {"error":"invalid_grant","error_description":"..."}.
      code = error;
      if (isRecord(body) && typeof body.error_description === "string") {
        message = body.error_description;
      }
    }
  } catch {
    message = plainText(text);
  }
  if (message === "") message = response.statusText || "no details";
  const summary = `${what} failed: ${response.status} ${code}: ${message}`;
  if (
    response.status === 403 &&
    (/insufficient authentication scopes/i.test(message) ||
      reasons.includes("ACCESS_TOKEN_SCOPE_INSUFFICIENT"))
  ) {
    return new AuthError(`${summary} ${SCOPE_HINT}`);
  }
  if (
    response.status === 429 && code === "RESOURCE_EXHAUSTED" && namesDailyQuota(message, details)
  ) {
    return dailyQuotaError(what, `${response.status} ${code}: ${message}`, options);
  }
  const retryAfterMs = parseRetryAfter(
    response.headers.get("retry-after"),
    options.now ?? Date.now(),
  );
  return new HttpStatusError(summary, response.status, code, { retryAfterMs });
}

async function unauthorised(response: Response, what: string): Promise<AuthError> {
  const error = await errorFromResponse(response, what);
  if (error instanceof AuthError) return error;
  return new AuthError(
    `${error.message}; Google refused a freshly refreshed access token, so run "gphotos-sync auth TARGET" again`,
    { cause: error },
  );
}

function detailReasons(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d) => isRecord(d) && typeof d.reason === "string" ? [d.reason] : []);
}

function plainText(text: string): string {
  const stripped = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return stripped.length > 200 ? `${stripped.slice(0, 200)}...` : stripped;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}
