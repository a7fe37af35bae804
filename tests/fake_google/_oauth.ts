/** OAuth 2.0 for installed apps: consent (auto-approved), token, revoke (google-api.md §4). */
import { createHash } from "node:crypto";
import type { FakeCore } from "./_core.ts";
import { htmlError, jsonResponse } from "./_util.ts";

interface AuthCode {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  challenge?: string;
  method?: "S256" | "plain";
  issuedAt: number;
  used: boolean;
  offline: boolean;
}

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const SCOPE_FORM = /^(openid|email|profile|https:\/\/www\.googleapis\.com\/auth\/[A-Za-z0-9._-]+)$/;

/** The consent page and the token and revoke endpoints of one fake. */
export class OAuthServer {
  #core: FakeCore;
  #codes = new Map<string, AuthCode>();
  /** Clients the user has consented to: Google gives a refresh token again only with prompt=consent. */
  #consented = new Set<string>();

  constructor(core: FakeCore) {
    this.#core = core;
  }

  /** GET /o/oauth2/v2/auth: validates, "approves" at once and redirects to the loopback. */
  authorize(url: URL): Response {
    const q = url.searchParams;
    const clientId = q.get("client_id");
    if (!clientId) {
      return consentError(400, "invalid_request", "Missing required parameter: client_id");
    }
    if (clientId !== this.#core.clientId) {
      return consentError(401, "invalid_client", "The OAuth client was not found.");
    }
    const redirectUri = q.get("redirect_uri");
    if (!redirectUri) {
      return consentError(400, "invalid_request", "Missing required parameter: redirect_uri");
    }
    if (redirectUri.startsWith("urn:ietf:wg:oauth:2.0:oob")) {
      return consentError(
        400,
        "invalid_request",
        "The out-of-band (OOB) flow has been blocked in order to keep users secure.",
      );
    }
    if (!isLoopback(redirectUri)) {
      return consentError(
        400,
        "redirect_uri_mismatch",
        `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. ` +
          `redirect_uri=${redirectUri}`,
      );
    }
    const back = (params: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      const state = q.get("state");
      if (state !== null) target.searchParams.set("state", state);
      return new Response(null, { status: 302, headers: { location: target.href } });
    };
    const responseType = q.get("response_type");
    if (!responseType) {
      return consentError(400, "invalid_request", "Required parameter is missing: response_type");
    }
    if (responseType !== "code") {
      return back({ error: "unsupported_response_type" });
    }
    const scopeParam = q.get("scope");
    if (!scopeParam || !scopeParam.trim()) {
      return consentError(400, "invalid_request", "Missing required parameter: scope");
    }
    const asked = [...new Set(scopeParam.trim().split(/\s+/))];
    const bad = asked.filter((s) => !SCOPE_FORM.test(s));
    if (bad.length > 0) {
      return consentError(
        400,
        "invalid_scope",
        `Some requested scopes were invalid. {invalid=[${bad}]}`,
      );
    }
    const challenge = q.get("code_challenge") ?? undefined;
    const methodRaw = q.get("code_challenge_method") ?? undefined;
    if (methodRaw !== undefined && methodRaw !== "S256" && methodRaw !== "plain") {
      return consentError(400, "invalid_request", "Invalid code_challenge_method value.");
    }
    if (methodRaw !== undefined && challenge === undefined) {
      return consentError(400, "invalid_request", "Missing code_challenge.");
    }
    if (challenge !== undefined && !VERIFIER.test(challenge)) {
      return consentError(400, "invalid_request", "Invalid code_challenge.");
    }
    const ticked = this.#core.options.consentScopes;
    const granted = ticked === undefined ? asked : asked.filter((s) => ticked.includes(s));
    if (granted.length === 0) return back({ error: "access_denied" });
    const offline = q.get("access_type") === "offline";
    const prompts = (q.get("prompt") ?? "").split(/\s+/);
    // Google returns a refresh token on first consent, and later only when consent is asked again.
    const giveRefresh = offline && (prompts.includes("consent") || !this.#consented.has(clientId));
    this.#consented.add(clientId);
    const code = `4/0A${this.#core.randomToken(70)}`;
    this.#codes.set(code, {
      clientId,
      redirectUri,
      scopes: granted,
      challenge,
      method: challenge === undefined
        ? undefined
        : (methodRaw as "S256" | "plain" | undefined) ?? "plain",
      issuedAt: this.#core.now(),
      used: false,
      offline: giveRefresh,
    });
    return back({ code, scope: granted.join(" ") });
  }

  /** POST /token: authorization_code (with PKCE) and refresh_token grants. */
  async token(req: Request): Promise<Response> {
    if (req.method !== "POST") return tokenError(405, "invalid_request", "Method not allowed");
    const form = await readForm(req);
    if (!form) return tokenError(400, "invalid_request", "Invalid request body");
    const basic = basicAuth(req);
    const clientId = basic?.id ?? form.get("client_id");
    const clientSecret = basic?.secret ?? form.get("client_secret");
    if (!clientId) {
      return tokenError(400, "invalid_request", "Could not determine client ID from request.");
    }
    if (clientId !== this.#core.clientId) {
      return tokenError(401, "invalid_client", "The OAuth client was not found.");
    }
    if (!clientSecret) return tokenError(400, "invalid_request", "client_secret is missing.");
    if (clientSecret !== this.#core.clientSecret) {
      return tokenError(401, "invalid_client", "Unauthorized");
    }
    const grantType = form.get("grant_type") ?? "";
    if (grantType === "authorization_code") return this.#exchange(form, clientId);
    if (grantType === "refresh_token") return this.#refresh(form, clientId);
    return tokenError(400, "unsupported_grant_type", `Invalid grant_type: ${grantType}`);
  }

  #exchange(form: URLSearchParams, clientId: string): Response {
    const code = form.get("code");
    if (!code) return tokenError(400, "invalid_request", "Missing required parameter: code");
    const rec = this.#codes.get(code);
    if (!rec) return tokenError(400, "invalid_grant", "Malformed auth code.");
    if (
      rec.used || this.#core.now() - rec.issuedAt > CODE_LIFETIME_MS || rec.clientId !== clientId
    ) {
      return tokenError(400, "invalid_grant", "Bad Request");
    }
    // A code is burnt by any redemption attempt, failed or not: retrying with a guessed verifier
    // must not work, and a client must restart the flow instead.
    rec.used = true;
    const redirectUri = form.get("redirect_uri");
    if (!redirectUri) return tokenError(400, "invalid_request", "Missing parameter: redirect_uri");
    if (redirectUri !== rec.redirectUri) {
      return tokenError(400, "redirect_uri_mismatch", "Bad Request");
    }
    const verifier = form.get("code_verifier");
    if (rec.challenge === undefined) {
      if (verifier) {
        return tokenError(400, "invalid_grant", "code_verifier or verifier is not needed.");
      }
    } else {
      if (!verifier) return tokenError(400, "invalid_grant", "Missing code verifier.");
      const computed = rec.method === "S256"
        ? createHash("sha256").update(verifier).digest("base64url")
        : verifier;
      if (!VERIFIER.test(verifier) || computed !== rec.challenge) {
        return tokenError(400, "invalid_grant", "Invalid code verifier.");
      }
    }
    const refresh = rec.offline ? this.#core.mintRefreshToken(rec.scopes) : undefined;
    const body: Record<string, unknown> = {
      access_token: this.#core.mintAccessToken(rec.scopes, refresh),
      expires_in: expiresIn(this.#core.accessTokenLifetimeS()),
    };
    if (refresh) body.refresh_token = refresh;
    body.scope = rec.scopes.join(" ");
    body.token_type = "Bearer";
    const refreshLife = this.#core.options.refreshTokenLifetimeS;
    if (refresh && refreshLife !== undefined) {
      body.refresh_token_expires_in = Math.floor(refreshLife);
    }
    return tokenJson(body);
  }

  #refresh(form: URLSearchParams, clientId: string): Response {
    const token = form.get("refresh_token");
    if (!token) {
      return tokenError(400, "invalid_request", "Missing required parameter: refresh_token");
    }
    const grant = this.#core.refreshGrant(token);
    if (!grant) return tokenError(400, "invalid_grant", "Token has been expired or revoked.");
    if (grant.clientId !== clientId) return tokenError(401, "unauthorized_client", "Unauthorized");
    const scopes = [...grant.scopes];
    return tokenJson({
      access_token: this.#core.mintAccessToken(scopes, token),
      expires_in: expiresIn(this.#core.accessTokenLifetimeS()),
      scope: scopes.join(" "),
      token_type: "Bearer",
    });
  }

  /** POST /revoke?token=...: revokes a refresh token (and its access tokens) or an access token. */
  async revoke(req: Request, url: URL): Promise<Response> {
    const form = req.method === "POST" ? await readForm(req) : undefined;
    const token = url.searchParams.get("token") ?? form?.get("token");
    if (!token || !this.#core.revokeAny(token)) {
      return tokenError(400, "invalid_token", "Token expired or revoked");
    }
    return tokenJson({});
  }
}

/** Google's loopback forms for Desktop clients: 127.0.0.1, [::1] or localhost, any port. */
export function isLoopback(uri: string): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return u.protocol === "http:" && ["127.0.0.1", "[::1]", "localhost"].includes(u.hostname) &&
    u.username === "" && u.password === "" && u.hash === "";
}

function expiresIn(lifetimeS: number): number {
  return lifetimeS >= 60 ? Math.floor(lifetimeS) - 1 : Math.max(0, Math.ceil(lifetimeS));
}

async function readForm(req: Request): Promise<URLSearchParams | undefined> {
  const text = await req.text();
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      const out = new URLSearchParams();
      for (const [k, v] of Object.entries(obj)) {
        if (v !== null && v !== undefined) out.set(k, String(v));
      }
      return out;
    } catch {
      return undefined;
    }
  }
  return new URLSearchParams(text);
}

function basicAuth(req: Request): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  if (!m) return undefined;
  try {
    const [id, ...rest] = atob(m[1]).split(":");
    return { id: decodeURIComponent(id), secret: decodeURIComponent(rest.join(":")) };
  } catch {
    return undefined;
  }
}

function tokenJson(body: unknown): Response {
  return jsonResponse(200, body, {
    "cache-control": "no-cache, no-store, max-age=0, must-revalidate",
  });
}

function tokenError(status: number, error: string, description: string): Response {
  return jsonResponse(status, { error, error_description: description }, {
    "cache-control": "no-cache, no-store, max-age=0, must-revalidate",
  });
}

/** The consent screen's error page; Google shows it instead of redirecting. */
function consentError(status: number, error: string, detail: string): Response {
  return htmlError(status, error, `Error ${status}: ${error}. ${detail}`);
}
