/** OAuth for an installed app: the loopback login (PKCE) and access tokens kept fresh. */
import * as oauth from "oauth4webapi";
import type { Endpoints } from "../config.ts";
import { ApiError, AuthError, UsageError } from "../errors.ts";
import type { ClientSecret } from "./client_secret.ts";
import { errorFromResponse } from "./http.ts";
import { classifyError, networkError, Pacer, RETRY_STATUSES } from "./pacer.ts";
import { readToken, type StoredToken, tokenPath, writeToken } from "./token_store.ts";
import { fetchWhole, interruption } from "./deadline.ts";
import { DEFAULT_TIMEOUTS, type Timeouts } from "./timeouts.ts";
import { SCOPES } from "./types.ts";

/** Every scope the tool asks for. */
export const REQUESTED_SCOPES: readonly string[] = Object.values(SCOPES);

const REFRESHING = "refresh the access token";

/** Refresh an access token this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;

/** Settings of `login()`. */
export interface LoginOptions {
  /** The backup folder; the token goes to `TARGET/.gphotos.token`. */
  target: string;
  secret: ClientSecret;
  endpoints: Endpoints;
  /** Loopback port to listen on; 0 or absent picks a free one. */
  port?: number;
  /** Opens the consent page; should not throw when the user can still open the URL by hand. */
  openBrowser: (url: string) => Promise<void> | void;
  /** Told the consent URL before the browser opens, e.g. to print it. */
  onUrl?: (url: string) => void;
  /** How long to wait for the browser to come back (default 5 minutes). */
  timeoutMs?: number;
  /** Shared pacer for the token call; a private one is used otherwise. */
  pacer?: Pacer;
  fetch?: typeof fetch;
  /** Deadlines of the token call (default `DEFAULT_TIMEOUTS`). */
  timeouts?: Partial<Timeouts>;
  /** Ctrl-C: stops waiting for the browser and closes the listener. */
  signal?: AbortSignal;
}

/** What the login got. */
export interface LoginResult {
  /** Scopes Google granted. */
  granted: string[];
  /** Requested scopes the user did not grant (granular consent). */
  missing: string[];
  /** Where the token was saved. */
  tokenPath: string;
  /**
   * Lifetime of the refresh token in seconds when Google limits it: the user chose time-limited
   * access on the consent screen, or the app's consent screen is in "Testing" (7 days).
   */
  refreshTokenExpiresInS?: number;
}

/** Settings of `TokenProvider`. */
export interface TokenProviderOptions {
  target: string;
  secret: ClientSecret;
  endpoints: Endpoints;
  /** Shared pacer for the token calls; a private one is used otherwise. */
  pacer?: Pacer;
  fetch?: typeof fetch;
  now?: () => number;
  /** Deadlines of the token calls (default `DEFAULT_TIMEOUTS`). */
  timeouts?: Partial<Timeouts>;
  /** The run's abort (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Logs in through the browser: listens on 127.0.0.1, sends the user to Google's consent page with PKCE
 * and a random state, exchanges the code, saves the token and reports the granted scopes.
 */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const { as, client, clientAuth, requestOptions } = oauthSetup(options);
  if (as.authorization_endpoint === undefined) throw new TypeError("No authorization endpoint");
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const done = Promise.withResolvers<LoginResult>();
  let settled = false;
  function finish(outcome: { result: LoginResult } | { error: unknown }): void {
    if (settled) return;
    settled = true;
    if ("result" in outcome) done.resolve(outcome.result);
    else done.reject(outcome.error);
  }

  let redirectUri = "";
  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const params = url.searchParams;
    if (
      url.pathname !== "/" || (!params.has("state") && !params.has("code") && !params.has("error"))
    ) {
      return new Response("Not found", { status: 404 });
    }
    if (settled) return page(409, "This login is already finished. You can close this tab.");
    if (params.get("state") !== state) {
      finish({
        error: new AuthError(
          "Login refused: the browser came back with a state that this login did not send, so the " +
            'answer may not be yours; run "gphotos-sync auth TARGET" again',
        ),
      });
      return page(
        400,
        "Login refused: this answer does not belong to the login that is running (state mismatch). " +
          "Run the auth command again.",
      );
    }
    const denied = params.get("error");
    if (denied !== null) {
      const description = params.get("error_description");
      finish({
        error: new AuthError(
          `Google refused the login: "${denied}"${description ? `: ${description}` : ""}`,
        ),
      });
      return page(400, `Google refused the login (${denied}). You can close this tab.`);
    }
    try {
      // Google may add `iss`; with a single, configured server there is no mix-up to defend against.
      const callback = new URLSearchParams(params);
      callback.delete("iss");
      const validated = oauth.validateAuthResponse(as, client, callback, state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        validated,
        redirectUri,
        verifier,
        requestOptions,
      );
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      const result = await saveLogin(options.target, tokens);
      finish({ result });
      return page(
        200,
        result.missing.length === 0
          ? "gphotos-sync is logged in. You can close this tab."
          : "gphotos-sync is logged in, but some permissions were not granted (see the terminal). " +
            "You can close this tab.",
      );
    } catch (error) {
      const failure = tokenError(error, options.target, "exchange the login code");
      finish({ error: failure });
      return page(400, "Login failed (see the terminal). You can close this tab.");
    }
  }

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} },
      handle,
    );
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new UsageError(
        `Cannot listen on "127.0.0.1:${options.port}" for the login: the port is in use; choose another with --port`,
        { cause: error },
      );
    }
    throw error;
  }
  redirectUri = `http://127.0.0.1:${server.addr.port}/`;
  const consent = new URL(as.authorization_endpoint);
  const query = consent.searchParams;
  query.set("client_id", options.secret.clientId);
  query.set("redirect_uri", redirectUri);
  query.set("response_type", "code");
  query.set("scope", REQUESTED_SCOPES.join(" "));
  query.set("code_challenge", challenge);
  query.set("code_challenge_method", "S256");
  query.set("state", state);
  query.set("access_type", "offline");
  // Without prompt=consent Google returns no refresh token to a user who consented before.
  query.set("prompt", "consent");

  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const timer = setTimeout(() => {
    finish({
      error: new AuthError(
        `Login timed out: the browser did not come back within ${Math.round(timeoutMs / 1000)} s`,
      ),
    });
  }, timeoutMs);
  const signal = options.signal;
  const onAbort = () => signal && finish({ error: interruption(signal) });
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  let opened: Promise<void> = Promise.resolve();
  try {
    options.onUrl?.(consent.href);
    opened = Promise.resolve().then(() => options.openBrowser(consent.href));
    opened.catch((error) => finish({ error }));
    return await done.promise;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    await server.shutdown();
    // Let a quick opener finish, but never hang on one that waits for the browser to close.
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      opened.catch(() => {}),
      new Promise<void>((resolve) => grace = setTimeout(resolve, 2000)),
    ]);
    clearTimeout(grace);
  }
}

/** Access tokens from the token file, refreshed when missing, near expiry, or refused. */
export class TokenProvider {
  readonly #target: string;
  readonly #setup: OAuthSetup;
  readonly #now: () => number;
  #token: StoredToken | undefined;
  /** Refresh this long before expiry; less for tokens that live under two minutes. */
  #marginMs = EXPIRY_MARGIN_MS;
  #refreshing: Promise<string> | undefined;

  constructor(options: TokenProviderOptions) {
    this.#target = options.target;
    this.#setup = oauthSetup(options);
    this.#now = options.now ?? Date.now;
  }

  /** A valid access token; refreshes when there is none or it expires within 60 s. */
  async accessToken(): Promise<string> {
    if (this.#refreshing !== undefined) return this.#refreshing;
    const token = await this.#load();
    if (this.#fresh(token)) return token.access_token as string;
    return this.#startRefresh();
  }

  /**
   * A new access token after a 401. Concurrent callers share one refresh; a caller whose `rejected`
   * token was already replaced gets the replacement without another refresh.
   */
  async refreshNow(rejected?: string): Promise<string> {
    if (this.#refreshing !== undefined) return this.#refreshing;
    const token = await this.#load();
    if (rejected !== undefined && token.access_token !== rejected && this.#fresh(token)) {
      return token.access_token as string;
    }
    return this.#startRefresh();
  }

  /** The scopes the stored token was granted. */
  async grantedScopes(): Promise<string[]> {
    return splitScopes((await this.#load()).scope);
  }

  #fresh(token: StoredToken): boolean {
    if (token.access_token === undefined || token.expires_at === undefined) return false;
    const expires = Date.parse(token.expires_at);
    return Number.isFinite(expires) && expires - this.#now() > this.#marginMs;
  }

  #startRefresh(): Promise<string> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #load(): Promise<StoredToken> {
    if (this.#token !== undefined) return this.#token;
    const token = await readToken(this.#target);
    if (token === undefined) {
      throw new AuthError(
        `Not logged in: no token file "${
          tokenPath(this.#target)
        }"; run "gphotos-sync auth ${this.#target}" first`,
      );
    }
    this.#token = token;
    return token;
  }

  async #refresh(): Promise<string> {
    const stored = await this.#load();
    const { as, client, clientAuth, requestOptions } = this.#setup;
    let tokens: oauth.TokenEndpointResponse;
    try {
      const response = await oauth.refreshTokenGrantRequest(
        as,
        client,
        clientAuth,
        stored.refresh_token,
        requestOptions,
      );
      tokens = await oauth.processRefreshTokenResponse(as, client, response);
    } catch (error) {
      throw tokenError(error, this.#target, REFRESHING);
    }
    const next: StoredToken = {
      // Google usually keeps the refresh token; a rotated one replaces it.
      refresh_token: tokens.refresh_token ?? stored.refresh_token,
      access_token: tokens.access_token,
      expires_at: expiresAt(this.#now(), tokens.expires_in),
      scope: tokens.scope ?? stored.scope,
      token_type: "Bearer",
    };
    await writeToken(this.#target, next);
    this.#token = next;
    // A short-lived token (a test server) would otherwise be refreshed before every call.
    const lifetimeMs = (tokens.expires_in ?? 3600) * 1000;
    this.#marginMs = Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2);
    return tokens.access_token;
  }
}

/** Splits a space-separated scope string. */
export function splitScopes(scope: string | undefined): string[] {
  return (scope ?? "").split(/\s+/).filter((s) => s !== "");
}

interface OAuthSetup {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  requestOptions: oauth.TokenEndpointRequestOptions;
}

function oauthSetup(
  options: {
    secret: ClientSecret;
    endpoints: Endpoints;
    pacer?: Pacer;
    fetch?: typeof fetch;
    timeouts?: Partial<Timeouts>;
    signal?: AbortSignal;
  },
): OAuthSetup {
  const authUrl = new URL(options.endpoints.auth);
  const tokenUrl = new URL(options.endpoints.token);
  const insecure = tokenUrl.protocol === "http:";
  if (insecure && !isLoopback(tokenUrl)) {
    throw new UsageError(`Token endpoint "${tokenUrl.href}" must use https`);
  }
  const as: oauth.AuthorizationServer = {
    issuer: authUrl.hostname === "accounts.google.com"
      ? "https://accounts.google.com"
      : authUrl.origin,
    authorization_endpoint: authUrl.href,
    token_endpoint: tokenUrl.href,
  };
  const client: oauth.Client = { client_id: options.secret.clientId };
  const clientAuth = oauth.ClientSecretPost(options.secret.clientSecret);
  const pacer = options.pacer ?? new Pacer({ min429WaitS: 30, signal: options.signal });
  const send = options.fetch ?? globalThis.fetch;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const requestOptions: oauth.TokenEndpointRequestOptions = {
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<"POST", URLSearchParams>) =>
      pacer.run(
        async () => {
          const what = `Token endpoint "${new URL(url).pathname}"`;
          let response: Response;
          try {
            response = await fetchWhole(send, url, init as RequestInit, {
              connectMs: timeouts.connectMs,
              totalMs: timeouts.apiMs,
              signal: options.signal,
              what,
            });
          } catch (error) {
            throw networkError(error, what);
          }
          // 4xx answers are OAuth errors that oauth4webapi reads; only transient ones are retried here.
          if (RETRY_STATUSES.has(response.status)) {
            throw await errorFromResponse(response, what);
          }
          return response;
        },
        classifyError,
        { kind: "token" },
      ),
  };
  // oauth4webapi refuses http:// unless told; only the local fake of the tests is served over http.
  if (insecure) requestOptions[oauth.allowInsecureRequests] = true;
  return { as, client, clientAuth, requestOptions };
}

function isLoopback(url: URL): boolean {
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
}

async function saveLogin(
  target: string,
  tokens: oauth.TokenEndpointResponse,
): Promise<LoginResult> {
  if (tokens.refresh_token === undefined) {
    throw new AuthError(
      "Google sent no refresh token; remove gphotos-sync at https://myaccount.google.com/permissions " +
        `and run "gphotos-sync auth ${target}" again`,
    );
  }
  // RFC 6749 §5.1: no scope in the answer means the requested scopes were granted.
  const granted = tokens.scope === undefined ? [...REQUESTED_SCOPES] : splitScopes(tokens.scope);
  const missing = REQUESTED_SCOPES.filter((s) => !granted.includes(s));
  await writeToken(target, {
    refresh_token: tokens.refresh_token,
    access_token: tokens.access_token,
    expires_at: expiresAt(Date.now(), tokens.expires_in),
    scope: granted.join(" "),
    token_type: "Bearer",
  });
  const result: LoginResult = { granted, missing, tokenPath: tokenPath(target) };
  const limit = Number(tokens.refresh_token_expires_in);
  if (Number.isFinite(limit) && limit > 0) result.refreshTokenExpiresInS = limit;
  return result;
}

function expiresAt(nowMs: number, expiresIn: number | undefined): string {
  return new Date(nowMs + (expiresIn ?? 3600) * 1000).toISOString();
}

/** Turns what the token endpoint or oauth4webapi threw into a domain error. */
function tokenError(error: unknown, target: string, doing: string): Error {
  if (error instanceof AuthError || error instanceof UsageError || error instanceof ApiError) {
    return error;
  }
  if (error instanceof oauth.ResponseBodyError) {
    const detail = `"${error.error}"${
      error.error_description ? `: ${error.error_description}` : ""
    }`;
    if (error.error === "invalid_grant" && doing === REFRESHING) {
      return new AuthError(
        `Cannot ${doing}: Google answered ${detail}; the refresh token has expired or was revoked. ` +
          'Apps whose OAuth consent screen is in "Testing" lose their refresh tokens after 7 days: ' +
          `publish the app in Google Cloud Console, then run "gphotos-sync auth ${target}" again`,
        { cause: error },
      );
    }
    if (error.error === "invalid_client" || error.error === "unauthorized_client") {
      return new AuthError(
        `Cannot ${doing}: Google answered ${detail}; check that client_secret.json belongs to a ` +
          `"Desktop app" client of your project, then run "gphotos-sync auth ${target}" again`,
        { cause: error },
      );
    }
    return new AuthError(`Cannot ${doing}: Google answered ${detail}`, { cause: error });
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    return new AuthError(
      `Cannot ${doing}: the token endpoint refused the client (${error.status}); check client_secret.json`,
      { cause: error },
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  return new ApiError(`Cannot ${doing}: ${text}`, 0, "INVALID_RESPONSE", { cause: error });
}

function page(status: number, message: string): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gphotos-sync</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>gphotos-sync</h1><p>${
    escapeHtml(message)
  }</p></body>
</html>
`;
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
