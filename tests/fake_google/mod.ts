/**
 * An in-process fake of Google's Library API, media host and OAuth endpoints, on 127.0.0.1.
 *
 * Faithful to /work/shared/google-api.md §1, §2, §4 and §8.2, with seeded fault injection.
 * Choices where Google is silent (documented so the tool does not lean on them):
 * - `mediaItems.list` returns items with `inLibrary` and not `archived`, in upload order
 *   (`account.items` order); archived items only come from search with `includeArchivedMedia`.
 * - `mediaItems.get` and `batchGet` find every item of the account, album-only and archived too.
 * - Unknown ids: `mediaItems.get` / `albums.get` 404 NOT_FOUND; search with an unknown `albumId`
 *   400 INVALID_ARGUMENT; `batchGet` a per-item `{code:3}` status.
 * - A page token freezes its listing: later pages come from the snapshot the first page took.
 * - Media: `=d` on a photo serves its bytes (JPEG: GPS IFD emptied in place, same size); `=d` on a
 *   video serves a still JPEG; `=dv` on a READY video serves the bytes plus an MP4 `free` box; a
 *   video not READY answers 404; `=wW-hH` a grey JPEG thumbnail; the bare URL 400.
 * - Lifetimes are checked when a token or URL is used, so lowering one expires those issued.
 * - Quirks (default on, seeded, the same for a retried page): short pages, empty pages with a
 *   token, a page starting with the previous page's last entry, and sometimes a token on the last
 *   page whose next page is `{}`. Empty lists are always omitted (`{}`), as proto3 JSON does.
 * - Stalls (`stallRate`, `stallOnce`): a media body stops after part of its bytes and holds the
 *   connection open until the client gives up; hangs (`hangRate`, `hangApiCalls`): an API call gets
 *   no answer at all. Both end when the fake closes.
 * - Not modelled: content categories (only `NONE` matches), `fields` partial responses (ignored),
 *   the indexing delay of filtered searches, write methods (403, or 501 with a write scope).
 */
import type { Account } from "../fixtures/account_types.ts";
import {
  type CallRecord,
  FakeCore,
  type FakeGoogleOptions,
  type PickerHook,
  type PickerServer,
  TOOL_SCOPES,
} from "./_core.ts";
import { LibraryApi } from "./_library.ts";
import {
  handleMedia,
  MediaGate,
  type OpenStreams,
  servedBytes as payloadBytes,
  TransferCut,
} from "./_media.ts";
import { OAuthServer } from "./_oauth.ts";
import { googleError, MESSAGES } from "./_util.ts";

export type { Account, CallRecord, FakeGoogleOptions, PickerHook, PickerServer };
export { FakeCore };

/** Counts of calls since the last resetCounters(). */
export interface FakeCounters {
  api: number;
  media: number;
  /** Item id → whole `=d`/`=dv` bodies sent, from the first byte to the last (a resumed range is not one). */
  mediaComplete: Map<string, number>;
  oauth: number;
}

/** A running fake; see the module comment for behaviour. */
export interface FakeGoogle {
  readonly origin: string;
  readonly libraryUrl: string;
  readonly authUrl: string;
  readonly tokenUrl: string;
  readonly revokeUrl: string;
  readonly clientId: string;
  readonly clientSecretValue: string;
  /** `GPHOTOS_SYNC_*` variables pointing the tool at this fake. */
  env(): Record<string, string>;
  /** Google's "installed" client_secret.json for this fake's client. */
  clientSecretJson(): string;
  /** A refresh token the token endpoint honours (default: the tool's two scopes). */
  issueRefreshToken(scopes?: string[]): string;
  revokeRefreshToken(token: string): void;
  /** An access token valid now, to call the API directly in tests. */
  issueAccessToken(scopes?: string[]): string;
  /** Exactly the bytes the media host serves for `=d` or `=dv` of an item. */
  servedBytes(itemId: string, param: "d" | "dv"): Uint8Array;
  readonly calls: CallRecord[];
  counters(): FakeCounters;
  /** Zeroes the counters and the daily quotas (a new "day"); keeps the call log. */
  resetCounters(): void;
  setOptions(patch: Partial<FakeGoogleOptions>): void;
  /** Moves the fake's clock forward, to expire tokens and URLs without sleeping. */
  advanceClock(seconds: number): void;
  /** The shared state, for add-ons such as the Picker API. */
  readonly core: FakeCore;
  close(): Promise<void>;
}

/** Starts a fake Google on 127.0.0.1 at a free port. */
export async function startFakeGoogle(options: FakeGoogleOptions): Promise<FakeGoogle> {
  const abort = new AbortController();
  let handler: (req: Request) => Promise<Response> = () =>
    Promise.resolve(new Response("starting", { status: 503 }));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {}, onError },
    (req) => handler(req),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const core = new FakeCore({ ...options }, origin);
  const library = new LibraryApi(core);
  const oauth = new OAuthServer(core);
  const gate = new MediaGate(core);
  const open: OpenStreams = new Set();
  handler = (req) => route(req, { core, library, oauth, gate, open });
  const picker: PickerServer | undefined = options.pickerHook
    ? await options.pickerHook(core)
    : undefined;
  if (picker) core.pickerOrigin = picker.origin;
  return new FakeGoogleImpl(core, { server, abort, open, gate, picker });
}

/** Cut transfers and close() end streams on purpose: stay quiet about those, loud about bugs. */
function onError(error: unknown): Response {
  if (!(error instanceof TransferCut) && !(error instanceof FakeClosed)) {
    console.error("Fake Google failed:", error);
  }
  return googleError(500, MESSAGES.internal);
}

class FakeClosed extends Error {}

interface Parts {
  core: FakeCore;
  library: LibraryApi;
  oauth: OAuthServer;
  gate: MediaGate;
  open: OpenStreams;
}

async function route(req: Request, p: Parts): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname;
  if (path.startsWith("/media/")) return await handleMedia(p.core, p.gate, p.open, req, url);
  if (path === "/o/oauth2/v2/auth" || path === "/token" || path === "/revoke") {
    const rec = p.core.record("oauth", req, url);
    const res = path === "/token"
      ? await p.oauth.token(req)
      : path === "/revoke"
      ? await p.oauth.revoke(req, url)
      : p.oauth.authorize(url);
    rec.status = res.status;
    return res;
  }
  if (path.startsWith("/v1/")) return await p.library.handle(req, url);
  const rec = p.core.record("api", req, url);
  rec.status = 404;
  return googleError(404, MESSAGES.methodNotFound);
}

class FakeGoogleImpl implements FakeGoogle {
  readonly core: FakeCore;
  #server: Deno.HttpServer;
  #abort: AbortController;
  #open: OpenStreams;
  #gate: MediaGate;
  #picker: PickerServer | undefined;

  constructor(
    core: FakeCore,
    rest: {
      server: Deno.HttpServer;
      abort: AbortController;
      open: OpenStreams;
      gate: MediaGate;
      picker: PickerServer | undefined;
    },
  ) {
    this.core = core;
    this.#server = rest.server;
    this.#abort = rest.abort;
    this.#open = rest.open;
    this.#gate = rest.gate;
    this.#picker = rest.picker;
  }

  get origin(): string {
    return this.core.origin;
  }
  get libraryUrl(): string {
    return this.core.origin;
  }
  get authUrl(): string {
    return `${this.core.origin}/o/oauth2/v2/auth`;
  }
  get tokenUrl(): string {
    return `${this.core.origin}/token`;
  }
  get revokeUrl(): string {
    return `${this.core.origin}/revoke`;
  }
  get clientId(): string {
    return this.core.clientId;
  }
  get clientSecretValue(): string {
    return this.core.clientSecret;
  }
  get calls(): CallRecord[] {
    return this.core.calls;
  }

  env(): Record<string, string> {
    return {
      GPHOTOS_SYNC_LIBRARY_URL: this.libraryUrl,
      GPHOTOS_SYNC_AUTH_URL: this.authUrl,
      GPHOTOS_SYNC_TOKEN_URL: this.tokenUrl,
      // Until a picker add-on runs, picker calls reach this server and get 404.
      GPHOTOS_SYNC_PICKER_URL: this.core.pickerOrigin ?? `${this.core.origin}/picker-not-started`,
      GPHOTOS_SYNC_MIN_429_WAIT_S: "0",
    };
  }

  clientSecretJson(): string {
    return JSON.stringify({
      installed: {
        client_id: this.clientId,
        project_id: `gphotos-fake-${this.core.projectNumber.slice(0, 6)}`,
        auth_uri: this.authUrl,
        token_uri: this.tokenUrl,
        auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
        client_secret: this.clientSecretValue,
        redirect_uris: ["http://localhost"],
      },
    });
  }

  issueRefreshToken(scopes: string[] = [...TOOL_SCOPES]): string {
    return this.core.mintRefreshToken(scopes);
  }

  revokeRefreshToken(token: string): void {
    this.core.revokeRefreshToken(token);
  }

  issueAccessToken(scopes: string[] = [...TOOL_SCOPES]): string {
    return this.core.mintAccessToken(scopes);
  }

  servedBytes(itemId: string, param: "d" | "dv"): Uint8Array {
    this.core.freshen();
    const item = this.core.item(itemId);
    if (!item) throw new RangeError(`No item "${itemId}" in the fake account`);
    return payloadBytes(item, param);
  }

  counters(): FakeCounters {
    return { ...this.core.counts, mediaComplete: new Map(this.core.mediaComplete) };
  }

  resetCounters(): void {
    this.core.resetCounters();
  }

  setOptions(patch: Partial<FakeGoogleOptions>): void {
    this.core.options = { ...this.core.options, ...patch };
  }

  advanceClock(seconds: number): void {
    this.core.advanceClock(seconds);
  }

  async close(): Promise<void> {
    this.core.closed = true;
    for (const wake of [...this.core.hung]) wake();
    this.#gate.drain();
    for (const controller of this.#open) {
      try {
        controller.error(new FakeClosed("Fake Google closed"));
      } catch {
        // Already closed.
      }
    }
    this.#open.clear();
    await this.#picker?.close();
    this.#abort.abort();
    await this.#server.finished;
  }
}
