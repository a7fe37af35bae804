/** Shared state of one fake Google: options, clock, tokens, call log, fault dice. */
import type { Account, FakeAlbum, FakeItem } from "../fixtures/account_types.ts";
import { WIRE_SCOPES } from "./_wire.ts";
import { googleError, hash32, MESSAGES, mulberry32, quotaMessage, randomString } from "./_util.ts";

/** Knobs of the fake; see mod.ts for what each does. */
export interface FakeGoogleOptions {
  /** The library served; read live, so tests may mutate it between runs. */
  account: Account;
  /** Seed of every random choice. */
  seed?: number;
  /** `legacy` (default): the app-created-data scope sees the whole library; `2025`: today's rules. */
  mode?: "legacy" | "2025";
  /** Added to every API call and to the first byte of media. */
  latencyMs?: number;
  /** Per media connection. */
  bandwidthBytesPerSec?: number;
  /** Media bodies served at once; the rest queue. */
  maxConcurrentMedia?: number;
  /** Ignore `Range` on media (answer 200 with the whole body), as some servers and proxies do. */
  ignoreRange?: boolean;
  /** Probability of a 429 per API call and per media fetch. */
  rate429?: number;
  /** Share of 429s that carry `Retry-After`. */
  retryAfterShare?: number;
  /** The `Retry-After` value sent, in seconds (default "1"). */
  retryAfterValue?: string;
  /** Probability of a 500 or 503 per API call and per media fetch. */
  rate5xx?: number;
  /** Probability that a media body is cut after a random part. */
  cutRate?: number;
  /** Probability that a media body stops after a random part and holds the connection open. */
  stallRate?: number;
  /** Item ids whose next media body stops half way and holds the connection open (once each). */
  stallOnce?: Set<string>;
  /** Probability that an API call never answers (the connection stays open). */
  hangRate?: number;
  /** The next this many API calls never answer (counted down as they come). */
  hangApiCalls?: number;
  /** Item ids whose media always answers 500. */
  alwaysFail?: Set<string>;
  /** Access-token lifetime in seconds (default 3600), applied when a token is checked. */
  accessTokenLifetimeS?: number;
  /** Media URL lifetime in seconds (default 3600), applied when a URL is fetched. */
  baseUrlLifetimeS?: number;
  /** Refresh-token lifetime in seconds (default: never expires). */
  refreshTokenLifetimeS?: number;
  /** API calls allowed before 429 RESOURCE_EXHAUSTED (default 10000); reset by resetCounters(). */
  dailyApiQuota?: number;
  /** Media fetches allowed before a non-JSON 429 (default 75000); reset by resetCounters(). */
  dailyMediaQuota?: number;
  /** Pagination quirks (default true). */
  quirks?: boolean;
  /** Scopes the simulated user ticks on the consent screen; [] denies (default: all asked). */
  consentScopes?: string[];
  /** Starts the Picker API beside the fake (added by tests/fake_google/picker.ts). */
  pickerHook?: PickerHook;
}

/** What a picker add-on gives back once it listens. */
export interface PickerServer {
  /** Where the Picker API listens, e.g. `http://127.0.0.1:PORT`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Starts the Picker API on its own port, sharing the fake's state. */
export type PickerHook = (core: FakeCore) => Promise<PickerServer>;

/** One request the fake answered. */
export interface CallRecord {
  /** Epoch milliseconds on the fake's clock. */
  t: number;
  method: string;
  path: string;
  query: string;
  status: number;
  kind: "api" | "media" | "oauth";
  itemId?: string;
  range?: string;
  bytesSent?: number;
}

/** The scopes of a token. */
export interface Grant {
  scopes: Set<string>;
  clientId: string;
}

interface AccessTokenRecord extends Grant {
  issuedAt: number;
  refreshToken?: string;
}

interface RefreshTokenRecord extends Grant {
  issuedAt: number;
  revoked: boolean;
}

/** Photos scopes removed on 2025-03-31. */
export const REMOVED_SCOPES: ReadonlySet<string> = new Set([
  "https://www.googleapis.com/auth/photoslibrary",
  "https://www.googleapis.com/auth/photoslibrary.readonly",
  "https://www.googleapis.com/auth/photoslibrary.sharing",
]);

/** Scopes that may write (to answer write methods with 501 instead of 403). */
export const WRITE_SCOPES: ReadonlySet<string> = new Set([
  "https://www.googleapis.com/auth/photoslibrary",
  "https://www.googleapis.com/auth/photoslibrary.appendonly",
  "https://www.googleapis.com/auth/photoslibrary.edit.appcreateddata",
]);

/** The tool's two scopes, granted by default to minted refresh tokens. */
export const TOOL_SCOPES: readonly string[] = [
  WIRE_SCOPES.libraryAppCreated,
  WIRE_SCOPES.pickerReadonly,
];

/** Shared state and policy of one fake; the HTTP modules read and update it. */
export class FakeCore {
  options: FakeGoogleOptions;
  readonly origin: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly projectNumber: string;
  /** Mixed into page tokens and media URLs so another fake's tokens are foreign. */
  readonly secret: string;
  readonly calls: CallRecord[] = [];
  counts = { api: 0, media: 0, oauth: 0 };
  /** Item id → `=d`/`=dv` transfers that sent the last byte, since the last reset. */
  mediaComplete = new Map<string, number>();
  /** Set by close(): queued media requests give up. */
  closed = false;
  /** Wakes the API calls left hanging, at close. */
  readonly hung = new Set<() => void>();
  /** Set by a picker add-on. */
  pickerOrigin: string | undefined;
  #rng: () => number;
  #tokenRng: () => number;
  #clockOffsetMs = 0;
  #access = new Map<string, AccessTokenRecord>();
  #refresh = new Map<string, RefreshTokenRecord>();
  #itemIndex = new Map<string, number>();
  #albumIndex = new Map<string, number>();
  #indexedItems: FakeItem[] | undefined;
  #indexedAlbums: FakeAlbum[] | undefined;
  /** Requests so far; a miss rebuilds an index at most once per request, not once per id. */
  #serial = 0;
  #itemsIndexedAt = -1;
  #albumsIndexedAt = -1;

  constructor(options: FakeGoogleOptions, origin: string) {
    this.options = options;
    this.origin = origin;
    const seed = options.seed ?? 1;
    this.#rng = mulberry32(hash32("faults", seed));
    this.#tokenRng = mulberry32(hash32("tokens", seed));
    const ids = mulberry32(hash32("client", seed));
    this.projectNumber = String(100000000000 + Math.floor(ids() * 899999999999));
    this.clientId =
      `${this.projectNumber}-${randomString(ids, 32).toLowerCase().replace(/[-_]/g, "x")}` +
      ".apps.googleusercontent.com";
    this.clientSecret = `GOCSPX-${randomString(ids, 28)}`;
    this.secret = randomString(ids, 16) + origin;
  }

  get mode(): "legacy" | "2025" {
    return this.options.mode ?? "legacy";
  }

  get quirks(): boolean {
    return this.options.quirks ?? true;
  }

  /** Epoch milliseconds on the fake's clock (real time plus advanceClock()). */
  now(): number {
    return Date.now() + this.#clockOffsetMs;
  }

  advanceClock(seconds: number): void {
    this.#clockOffsetMs += seconds * 1000;
  }

  /** The next fault die in [0, 1). */
  roll(): number {
    return this.#rng();
  }

  /** A token-like random string. */
  randomToken(length: number): string {
    return randomString(this.#tokenRng, length);
  }

  record(kind: CallRecord["kind"], req: Request, url: URL): CallRecord {
    const rec: CallRecord = {
      t: this.now(),
      method: req.method,
      path: url.pathname,
      query: url.search,
      status: 0,
      kind,
    };
    this.calls.push(rec);
    this.counts[kind]++;
    this.#serial++;
    return rec;
  }

  resetCounters(): void {
    this.counts = { api: 0, media: 0, oauth: 0 };
    this.mediaComplete = new Map();
  }

  // ---- tokens -------------------------------------------------------------------------------

  mintRefreshToken(scopes: Iterable<string>): string {
    const token = `1//0${this.randomToken(100)}`;
    this.#refresh.set(token, {
      scopes: new Set(scopes),
      clientId: this.clientId,
      issuedAt: this.now(),
      revoked: false,
    });
    return token;
  }

  mintAccessToken(scopes: Iterable<string>, refreshToken?: string): string {
    const token = `ya29.a0${this.randomToken(160)}`;
    this.#access.set(token, {
      scopes: new Set(scopes),
      clientId: this.clientId,
      issuedAt: this.now(),
      refreshToken,
    });
    return token;
  }

  /** The refresh token's grant, or undefined when it is unknown, revoked or expired. */
  refreshGrant(token: string): Grant | undefined {
    const rec = this.#refresh.get(token);
    if (!rec || rec.revoked) return undefined;
    const life = this.options.refreshTokenLifetimeS;
    if (life !== undefined && this.now() - rec.issuedAt >= life * 1000) return undefined;
    return rec;
  }

  revokeRefreshToken(token: string): boolean {
    const rec = this.#refresh.get(token);
    if (!rec) return false;
    rec.revoked = true;
    return true;
  }

  /** Revokes an access token, or a refresh token and everything minted from it. */
  revokeAny(token: string): boolean {
    if (this.revokeRefreshToken(token)) return true;
    return this.#access.delete(token);
  }

  accessTokenLifetimeS(): number {
    return this.options.accessTokenLifetimeS ?? 3600;
  }

  /** The grant of a live access token, or undefined. */
  accessGrant(token: string): Grant | undefined {
    const rec = this.#access.get(token);
    if (!rec) return undefined;
    if (this.now() - rec.issuedAt >= this.accessTokenLifetimeS() * 1000) return undefined;
    if (rec.refreshToken !== undefined) {
      const parent = this.#refresh.get(rec.refreshToken);
      if (parent?.revoked) return undefined;
    }
    return rec;
  }

  /** The bearer token of a request (header or `access_token` parameter). */
  bearerOf(req: Request, url: URL): string | undefined {
    const header = req.headers.get("authorization");
    if (header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      return m ? m[1] : undefined;
    }
    return url.searchParams.get("access_token") ?? undefined;
  }

  /** The grant behind a request, or the 401 Google answers. */
  authenticate(req: Request, url: URL): Grant | Response {
    const token = this.bearerOf(req, url);
    const grant = token === undefined ? undefined : this.accessGrant(token);
    if (grant) return grant;
    return googleError(401, MESSAGES.unauthenticated, {
      headers: {
        "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
      },
    });
  }

  // ---- faults -------------------------------------------------------------------------------

  /** A random 429/5xx for an API call, or undefined. */
  apiFault(): Response | undefined {
    const quota = this.options.dailyApiQuota ?? 10000;
    if (this.counts.api > quota) {
      return googleError(429, quotaMessage(this.projectNumber));
    }
    if (this.roll() < (this.options.rate429 ?? 0)) {
      const headers = new Headers();
      if (this.roll() < (this.options.retryAfterShare ?? 0)) {
        headers.set("retry-after", this.options.retryAfterValue ?? "1");
      }
      return googleError(429, quotaMessage(this.projectNumber, true), { headers });
    }
    if (this.roll() < (this.options.rate5xx ?? 0)) {
      return this.roll() < 0.5
        ? googleError(500, MESSAGES.internal)
        : googleError(503, MESSAGES.unavailable);
    }
    return undefined;
  }

  /**
   * For an API call the fake must never answer (`hangApiCalls`, `hangRate`): a promise that settles
   * only when the fake closes; undefined for a call to answer.
   */
  apiHang(): Promise<Response> | undefined {
    const planned = (this.options.hangApiCalls ?? 0) > 0;
    if (planned) this.options.hangApiCalls = (this.options.hangApiCalls ?? 0) - 1;
    const rate = this.options.hangRate ?? 0;
    if (!planned && !(rate > 0 && this.roll() < rate)) return undefined;
    // Not woken by the client giving up (Deno.serve's request.signal is a legacy): close() ends it.
    return new Promise((resolve) => {
      const wake = () => {
        this.hung.delete(wake);
        resolve(googleError(503, MESSAGES.unavailable));
      };
      this.hung.add(wake);
    });
  }

  // ---- the account ----------------------------------------------------------------------------

  /** Lets the next lookup rebuild a stale index (lookups outside requests call this first). */
  freshen(): void {
    this.#serial++;
  }

  /** The item with this id, found through an index that is rebuilt whenever it is stale. */
  item(id: string): FakeItem | undefined {
    const items = this.options.account.items;
    let i = this.#indexedItems === items ? this.#itemIndex.get(id) : undefined;
    if ((i === undefined || items[i]?.id !== id) && this.#itemsIndexedAt !== this.#serial) {
      this.#reindexItems();
      i = this.#itemIndex.get(id);
    }
    return i === undefined || items[i]?.id !== id ? undefined : items[i];
  }

  album(id: string): FakeAlbum | undefined {
    const albums = this.options.account.albums;
    let i = this.#indexedAlbums === albums ? this.#albumIndex.get(id) : undefined;
    if ((i === undefined || albums[i]?.id !== id) && this.#albumsIndexedAt !== this.#serial) {
      this.#reindexAlbums();
      i = this.#albumIndex.get(id);
    }
    return i === undefined || albums[i]?.id !== id ? undefined : albums[i];
  }

  #reindexItems(): void {
    const items = this.options.account.items;
    this.#itemIndex = new Map();
    for (let i = 0; i < items.length; i++) this.#itemIndex.set(items[i].id, i);
    this.#indexedItems = items;
    this.#itemsIndexedAt = this.#serial;
  }

  #reindexAlbums(): void {
    const albums = this.options.account.albums;
    this.#albumIndex = new Map();
    for (let i = 0; i < albums.length; i++) this.#albumIndex.set(albums[i].id, i);
    this.#indexedAlbums = albums;
    this.#albumsIndexedAt = this.#serial;
  }
}
