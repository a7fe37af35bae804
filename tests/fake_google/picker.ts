/**
 * The fake Picker API (google-api.md §3, §8.2) on its own port, since it shares `/v1/mediaItems` with
 * the Library API. It shares one fake Google's tokens, clock, fault dice and account. Its base URLs
 * are served on its own port by the fake's media host code, which refuses them without a bearer
 * token carrying the picker scope; `mediaFetches` logs whether each fetch carried one. A test plays
 * the user with `pick()` (or the `autoPick` knob).
 */
import type { FakeItem } from "../fixtures/account_types.ts";
import {
  type PickerMediaFileMetadata,
  type PickerMediaItem,
  type PickerMediaItemsPage,
  type PickerSession,
  WIRE_SCOPES,
} from "./_wire.ts";
import type { FakeCore, PickerHook, PickerServer } from "./_core.ts";
import { handleMedia, MediaGate, mintBaseUrl, type OpenStreams } from "./_media.ts";
import { parsePageSize } from "./_search.ts";
import {
  b64urlDecode,
  b64urlEncode,
  delay,
  googleError,
  hash32,
  htmlError,
  jsonResponse,
  MESSAGES,
} from "./_util.ts";

/** Knobs of the fake Picker; all may be changed later with `setOptions()`. */
export interface FakePickerOptions {
  /** Open (not deleted, not expired) sessions allowed before RESOURCE_EXHAUSTED (default 10). */
  maxOpenSessions?: number;
  /** The user has no active Google Photos account: `sessions.create` gives FAILED_PRECONDITION. */
  noPhotosAccount?: boolean;
  /**
   * Videos listed without `processingStatus` (Google documents the field, not that it is always
   * there); the media host still serves a READY one.
   */
  omitProcessingStatus?: boolean;
  /** `pollingConfig.pollInterval` in seconds (default 5; fractions allowed for tests). */
  pollIntervalS?: number;
  /** Seconds after creation until `timeoutIn` reaches "0s" (default 1800). */
  pollTimeoutS?: number;
  /** Seconds after creation until `expireTime` (default 3600); then PERMISSION_DENIED. */
  sessionLifetimeS?: number;
  /**
   * Plays the user: once a session has been polled `afterPolls` times, picks `itemIds` (or what the
   * function returns for the session) and finishes.
   */
  autoPick?: {
    afterPolls: number;
    itemIds: readonly string[] | ((session: FakeSession) => readonly string[]);
  };
}

/** A session as the fake holds it. */
export interface FakeSession {
  readonly id: string;
  /** Epoch milliseconds on the fake's clock. */
  readonly createdAt: number;
  readonly maxItemCount: number;
  readonly requestId?: string;
  /** Fixed at creation, from the knobs then in force. */
  readonly pollIntervalS: number;
  readonly pollTimeoutS: number;
  readonly lifetimeS: number;
  /** `sessions.get` calls answered. */
  polls: number;
  /** Picked item ids in the order the user picked them; undefined until picking is done. */
  pickedIds?: string[];
  /** Epoch milliseconds of `sessions.delete`. */
  deletedAt?: number;
}

/** One request to the Picker API. */
export interface PickerCall {
  method: string;
  /** e.g. `sessions.create`, `mediaItems.list`, or the path for unknown routes. */
  name: string;
  sessionId?: string;
  status: number;
}

/** One fetch of a picker base URL. */
export interface PickerMediaFetch {
  /** The session the URL belongs to. */
  sessionId: string;
  /** The item, when the URL was one of ours. */
  itemId?: string;
  /** The request carried an `Authorization: Bearer` header. */
  bearer: boolean;
  status: number;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** The documented cap of `pickingConfig.maxItemCount`. */
export const MAX_ITEM_COUNT = 2000;

/** The Picker API of one fake Google. */
export class FakePicker implements PickerServer {
  readonly origin: string;
  options: FakePickerOptions;
  /** Every Picker API request, in order (also recorded in the fake Google's `calls`). */
  readonly calls: PickerCall[] = [];
  /** Every fetch of a picker base URL, in order (also in the fake Google's `calls` as "media"). */
  readonly mediaFetches: PickerMediaFetch[] = [];
  readonly #gate: MediaGate;
  readonly #open: OpenStreams = new Set();
  readonly #core: FakeCore;
  readonly #sessions = new Map<string, FakeSession>();
  readonly #byRequestId = new Map<string, string>();
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #nextSession = 1;

  constructor(core: FakeCore, options: FakePickerOptions, origin: string) {
    this.#core = core;
    this.options = options;
    this.origin = origin;
    this.#gate = new MediaGate(core);
  }

  /** Changes knobs; sessions already created keep their timing. */
  setOptions(patch: Partial<FakePickerOptions>): void {
    this.options = { ...this.options, ...patch };
  }

  /** Every session ever created, deleted ones too, in creation order. */
  sessions(): FakeSession[] {
    return [...this.#sessions.values()];
  }

  /** A session by id (deleted ones too). */
  session(id: string): FakeSession | undefined {
    return this.#sessions.get(id);
  }

  /** The id of the session a `pickerUri` opens. */
  sessionIdFromUri(uri: string): string {
    const m = /\/picker\/([^/?#]+)/.exec(new URL(uri).pathname);
    if (!m) throw new RangeError(`"${uri}" is not a picker URI of this fake`);
    return decodeURIComponent(m[1]);
  }

  /** Sessions neither deleted nor expired. */
  openSessions(): FakeSession[] {
    return this.sessions().filter((s) => s.deletedAt === undefined && !this.#expired(s));
  }

  /**
   * Plays the user: picks `itemIds` (in this order, repeats ignored) in the session and taps Done,
   * which sets `mediaItemsSet`. Throws for an unknown session or item, or too many items.
   */
  pick(sessionId: string, itemIds: readonly string[]): void {
    const session = this.#sessions.get(sessionId);
    if (!session || session.deletedAt !== undefined) {
      throw new RangeError(`No open picker session "${sessionId}"`);
    }
    if (session.pickedIds !== undefined) {
      throw new RangeError(`Picker session "${sessionId}" is already done`);
    }
    const ids = [...new Set(itemIds)];
    for (const id of ids) {
      if (!this.#core.item(id)) throw new RangeError(`No item "${id}" in the fake account`);
    }
    if (ids.length > session.maxItemCount) {
      throw new RangeError(
        `Picker session "${sessionId}" allows ${session.maxItemCount} items, got ${ids.length}`,
      );
    }
    session.pickedIds = ids;
  }

  /** Plays the user through a `pickerUri` (what a test's `openBrowser` receives). */
  pickByUri(uri: string, itemIds: readonly string[]): void {
    this.pick(this.sessionIdFromUri(uri), itemIds);
  }

  /** The PickerMediaItem the fake serves for an item in a session (with a fresh base URL). */
  pickedItem(sessionId: string, item: FakeItem): PickerMediaItem {
    return toPickedItem(this.#core, item, this.#mediaPrefix(sessionId));
  }

  /** Stops listening. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const controller of this.#open) {
      try {
        controller.error(new Error("Fake picker closed"));
      } catch {
        // Already closed.
      }
    }
    this.#open.clear();
    if (server) await server.shutdown();
  }

  /** @internal Set by `startFakePicker`. */
  attach(server: Deno.HttpServer<Deno.NetAddr>): void {
    this.#server = server;
  }

  /** Answers one request. */
  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/picker/")) return this.#pickerPage(url);
    const media = /^\/s\/([^/]+)(\/media\/.*)$/.exec(url.pathname);
    if (media) return await this.#media(req, url, decode(media[1]), media[2]);
    const rec = this.#core.record("api", req, url);
    const call: PickerCall = { method: req.method, name: url.pathname, status: 0 };
    this.calls.push(call);
    let res: Response;
    try {
      res = await this.#answer(req, url, call);
    } catch (error) {
      res = googleError(500, `${MESSAGES.internal} (${String(error)})`);
    }
    rec.status = res.status;
    call.status = res.status;
    return res;
  }

  /**
   * A picker base URL: `/s/{sessionId}/media/...`. Access ends with the session (deleted or
   * expired: 403); the rest (bearer token with the picker scope, lifetime, `=d`/`=dv`, Range,
   * faults) is the fake media host's.
   */
  async #media(req: Request, url: URL, sessionId: string, path: string): Promise<Response> {
    const fetch: PickerMediaFetch = {
      sessionId,
      bearer: /^Bearer\s+\S+/i.test(req.headers.get("authorization") ?? ""),
      status: 0,
    };
    this.mediaFetches.push(fetch);
    const inner = new URL(path + url.search, url.origin);
    const at = this.#core.calls.length;
    const session = this.#sessions.get(sessionId);
    if (!session || session.deletedAt !== undefined || this.#expired(session)) {
      const rec = this.#core.record("media", req, inner);
      rec.status = fetch.status = 403;
      return htmlError(403, "Forbidden", "Your client does not have permission to get this URL.");
    }
    const answer = handleMedia(this.#core, this.#gate, this.#open, req, inner);
    // handleMedia logs its call record synchronously, before its first await.
    const rec = this.#core.calls[at];
    const res = await answer;
    if (rec?.itemId !== undefined) fetch.itemId = rec.itemId;
    fetch.status = res.status;
    return res;
  }

  async #answer(req: Request, url: URL, call: PickerCall): Promise<Response> {
    await delay(this.#core.options.latencyMs ?? 0);
    const route = routeOf(req.method, url.pathname);
    if (!route) {
      return googleError(404, MESSAGES.methodNotFound);
    }
    call.name = route.name;
    if (route.sessionId !== undefined) call.sessionId = route.sessionId;
    if (route.name === "fake.pick") return await this.#adminPick(req, route.sessionId!);
    const auth = this.#core.authenticate(req, url);
    if (auth instanceof Response) return auth;
    if (!auth.scopes.has(WIRE_SCOPES.pickerReadonly)) {
      return googleError(403, MESSAGES.insufficientScopes);
    }
    const fault = this.#core.apiFault() ?? await this.#core.apiHang();
    if (fault) return fault;
    switch (route.name) {
      case "sessions.create":
        return await this.#create(req, url, call);
      case "sessions.get":
        return this.#get(route.sessionId!);
      case "sessions.delete":
        return this.#delete(route.sessionId!);
      case "mediaItems.list":
        return this.#list(url, call);
    }
    return googleError(404, MESSAGES.methodNotFound);
  }

  async #create(req: Request, url: URL, call: PickerCall): Promise<Response> {
    let body: unknown = {};
    const text = await req.text();
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        return googleError(400, `Invalid JSON payload received. ${text.slice(0, 40)}`);
      }
    }
    if (!isRecord(body)) return googleError(400, MESSAGES.invalidArgument);
    const config = body.pickingConfig;
    let max = MAX_ITEM_COUNT;
    if (config !== undefined) {
      if (!isRecord(config)) return googleError(400, MESSAGES.invalidArgument);
      const raw = config.maxItemCount;
      if (raw !== undefined) {
        const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
        if (!Number.isInteger(n)) {
          return googleError(
            400,
            `Invalid value at 'session.picking_config.max_item_count' (TYPE_INT64), ${
              JSON.stringify(raw)
            }`,
          );
        }
        if (n < 0) return googleError(400, "Max item count must be non-negative.");
        max = n === 0 ? MAX_ITEM_COUNT : Math.min(n, MAX_ITEM_COUNT);
      }
    }
    const requestId = url.searchParams.get("requestId") ?? undefined;
    if (requestId !== undefined) {
      const known = this.#byRequestId.get(requestId);
      const session = known === undefined ? undefined : this.#sessions.get(known);
      if (session && session.deletedAt === undefined) {
        call.sessionId = session.id;
        return jsonResponse(200, this.#resource(session));
      }
    }
    if (this.options.noPhotosAccount) {
      return googleError(400, "The user does not have an active Google Photos account.", {
        status: "FAILED_PRECONDITION",
      });
    }
    if (this.openSessions().length >= (this.options.maxOpenSessions ?? 10)) {
      return googleError(429, "The user has too many open picking sessions.", {
        status: "RESOURCE_EXHAUSTED",
      });
    }
    const id = sessionIdFor(this.#core, this.#nextSession++);
    const session: FakeSession = {
      id,
      createdAt: this.#core.now(),
      maxItemCount: max,
      pollIntervalS: this.options.pollIntervalS ?? 5,
      pollTimeoutS: this.options.pollTimeoutS ?? 1800,
      lifetimeS: this.options.sessionLifetimeS ?? 3600,
      polls: 0,
      ...(requestId === undefined ? {} : { requestId }),
    };
    this.#sessions.set(id, session);
    if (requestId !== undefined) this.#byRequestId.set(requestId, id);
    call.sessionId = id;
    return jsonResponse(200, this.#resource(session));
  }

  #get(id: string): Response {
    const session = this.#sessions.get(id);
    if (!session || session.deletedAt !== undefined) return googleError(404, MESSAGES.notFound);
    if (this.#expired(session)) return expiredError();
    session.polls++;
    const auto = this.options.autoPick;
    if (auto && session.pickedIds === undefined && session.polls >= auto.afterPolls) {
      const ids = typeof auto.itemIds === "function" ? auto.itemIds(session) : auto.itemIds;
      this.pick(id, ids);
    }
    return jsonResponse(200, this.#resource(session));
  }

  #delete(id: string): Response {
    const session = this.#sessions.get(id);
    if (!session || session.deletedAt !== undefined) return googleError(404, MESSAGES.notFound);
    session.deletedAt = this.#core.now();
    return jsonResponse(200, {});
  }

  #list(url: URL, call: PickerCall): Response {
    const q = url.searchParams;
    const id = q.get("sessionId");
    if (!id) return googleError(400, "Session ID is required.");
    call.sessionId = id;
    const size = parsePageSize(q.get("pageSize") ?? undefined, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    if (typeof size === "string") return googleError(400, size);
    const session = this.#sessions.get(id);
    if (!session || session.deletedAt !== undefined) return googleError(404, MESSAGES.notFound);
    if (this.#expired(session)) return expiredError();
    if (session.pickedIds === undefined) {
      return googleError(400, "The user has not finished picking media items.", {
        status: "FAILED_PRECONDITION",
      });
    }
    let offset = 0;
    const token = q.get("pageToken");
    if (token) {
      const decoded = this.#decodePageToken(token);
      if (decoded === undefined || decoded.sessionId !== id) {
        return googleError(400, "Invalid page token.");
      }
      offset = decoded.offset;
    }
    const ids = session.pickedIds;
    const end = Math.min(ids.length, offset + size);
    const mediaItems: PickerMediaItem[] = [];
    for (const itemId of ids.slice(offset, end)) {
      const item = this.#core.item(itemId);
      // An item deleted from the library after it was picked is no longer served.
      if (!item) continue;
      const picked = toPickedItem(this.#core, item, this.#mediaPrefix(id));
      const video = picked.mediaFile?.mediaFileMetadata?.videoMetadata;
      if (video && this.options.omitProcessingStatus) delete video.processingStatus;
      mediaItems.push(picked);
    }
    const page: PickerMediaItemsPage = {};
    if (mediaItems.length > 0) page.mediaItems = mediaItems;
    if (end < ids.length) page.nextPageToken = this.#pageToken(id, end);
    return jsonResponse(200, page);
  }

  async #adminPick(req: Request, id: string): Promise<Response> {
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return googleError(400, "Body must be JSON");
    }
    const ids = isRecord(body) && Array.isArray(body.mediaItemIds) ? body.mediaItemIds : undefined;
    if (!ids || !ids.every((x) => typeof x === "string")) {
      return googleError(400, 'Body must be {"mediaItemIds": [string]}');
    }
    try {
      this.pick(id, ids as string[]);
    } catch (error) {
      return googleError(400, error instanceof Error ? error.message : String(error));
    }
    return jsonResponse(200, {});
  }

  /** The page a `pickerUri` opens: gone once the user tapped Done or the session ended. */
  #pickerPage(url: URL): Response {
    const id = decodeURIComponent(url.pathname.slice("/picker/".length).split("/")[0]);
    const session = this.#sessions.get(id);
    if (
      !session || session.deletedAt !== undefined || session.pickedIds !== undefined ||
      this.#expired(session)
    ) {
      return htmlError(404, "Not Found", "The requested URL was not found on this server.");
    }
    const html = `<!DOCTYPE html>\n<title>Fake Google Photos picker</title>\n` +
      `<p>Picking session ${escapeHtml(id)}. A test picks items with ` +
      `<code>POST /fake/sessions/${escapeHtml(id)}:pick {"mediaItemIds":[...]}</code>.\n`;
    return new Response(html, { headers: { "content-type": "text/html; charset=UTF-8" } });
  }

  #resource(session: FakeSession): PickerSession {
    const out: PickerSession = {
      id: session.id,
      pickerUri: `${this.origin}/picker/${encodeURIComponent(session.id)}`,
    };
    if (session.pickedIds === undefined) {
      const left = Math.max(0, session.createdAt + session.pollTimeoutS * 1000 - this.#core.now());
      out.pollingConfig = {
        pollInterval: duration(session.pollIntervalS * 1000),
        timeoutIn: duration(left),
      };
    }
    out.expireTime = new Date(session.createdAt + session.lifetimeS * 1000).toISOString();
    out.pickingConfig = { maxItemCount: String(session.maxItemCount) };
    // proto3 JSON leaves out a false boolean, so clients must read absence as false.
    if (session.pickedIds !== undefined) out.mediaItemsSet = true;
    return out;
  }

  #mediaPrefix(sessionId: string): string {
    return `${this.origin}/s/${encodeURIComponent(sessionId)}`;
  }

  #expired(session: FakeSession): boolean {
    return this.#core.now() >= session.createdAt + session.lifetimeS * 1000;
  }

  #pageToken(sessionId: string, offset: number): string {
    const body = `pk1|${sessionId}|${offset}`;
    return b64urlEncode(`${body}|${hash32(body, hash32(this.#core.secret)).toString(36)}`);
  }

  #decodePageToken(token: string): { sessionId: string; offset: number } | undefined {
    const text = b64urlDecode(token);
    const m = text === undefined ? null : /^(pk1\|(.+)\|(\d+))\|([0-9a-z]+)$/.exec(text);
    if (!m || hash32(m[1], hash32(this.#core.secret)).toString(36) !== m[4]) return undefined;
    return { sessionId: m[2], offset: Number(m[3]) };
  }
}

/** Settings of `startFakePicker`: the fake Google to share state with, and the knobs. */
export interface StartFakePickerOptions extends FakePickerOptions {
  /** A running fake Google (anything with its `core`). */
  google: { readonly core: FakeCore };
}

/**
 * Starts the Picker API beside a running fake Google, on its own port; the fake's `env()` then points
 * `GPHOTOS_SYNC_PICKER_URL` here. Close it before (or with) the fake.
 */
export function startFakePicker(options: StartFakePickerOptions): Promise<FakePicker> {
  const { google, ...knobs } = options;
  return Promise.resolve(listen(google.core, knobs));
}

function listen(core: FakeCore, options: FakePickerOptions): FakePicker {
  const holder: { picker?: FakePicker } = {};
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, (req) => holder.picker!.handle(req));
  const picker = new FakePicker(core, options, `http://127.0.0.1:${server.addr.port}`);
  holder.picker = picker;
  picker.attach(server);
  core.pickerOrigin = picker.origin;
  return picker;
}

/**
 * A `pickerHook` for `startFakeGoogle({ pickerHook })`; `started` resolves to the picker once the fake
 * Google has started it.
 */
export function fakePickerHook(
  options: FakePickerOptions = {},
): { hook: PickerHook; started: Promise<FakePicker> } {
  const started = Promise.withResolvers<FakePicker>();
  const hook: PickerHook = (core) => {
    const picker = listen(core, options);
    started.resolve(picker);
    return Promise.resolve(picker);
  };
  return { hook, started: started.promise };
}

/**
 * The PickerMediaItem of an item, with a fresh picker base URL under `mediaPrefix` (the picker's
 * `/s/{sessionId}`, else the fake Google's own media host).
 */
export function toPickedItem(
  core: FakeCore,
  item: FakeItem,
  mediaPrefix: string = core.origin,
): PickerMediaItem {
  const video = item.mimeType.startsWith("video/");
  const metadata: PickerMediaFileMetadata = {
    width: item.width,
    height: item.height,
  };
  const h = hash32(item.id);
  if (video) {
    metadata.videoMetadata = {
      fps: [24, 25, 29.97, 30, 60][h % 5],
      processingStatus: item.videoStatus ?? "READY",
    };
  } else {
    metadata.cameraMake = "Fake";
    metadata.cameraModel = `Camera ${h % 7}`;
    metadata.photoMetadata = {
      focalLength: 4.2,
      apertureFNumber: 1.8,
      isoEquivalent: 50 * (1 + (h % 8)),
      exposureTime: duration(1000 / (60 * (1 + (h % 4)))),
    };
  }
  const out: PickerMediaItem = { id: item.id };
  if (item.creationTime !== undefined) out.createTime = item.creationTime;
  out.type = video ? "VIDEO" : "PHOTO";
  out.mediaFile = {
    baseUrl: mediaPrefix + mintBaseUrl(core, item.id, "picker").slice(core.origin.length),
    mimeType: item.mimeType,
    filename: item.filename,
    mediaFileMetadata: metadata,
  };
  return out;
}

interface Route {
  name: "sessions.create" | "sessions.get" | "sessions.delete" | "mediaItems.list" | "fake.pick";
  sessionId?: string;
}

function routeOf(method: string, path: string): Route | undefined {
  if (path === "/v1/sessions" && method === "POST") return { name: "sessions.create" };
  if (path === "/v1/mediaItems" && method === "GET") return { name: "mediaItems.list" };
  const admin = /^\/fake\/sessions\/([^/]+):pick$/.exec(path);
  if (admin && method === "POST") return { name: "fake.pick", sessionId: decode(admin[1]) };
  const m = /^\/v1\/sessions\/([^/:]+)$/.exec(path);
  if (!m) return undefined;
  const sessionId = decode(m[1]);
  if (method === "GET") return { name: "sessions.get", sessionId };
  if (method === "DELETE") return { name: "sessions.delete", sessionId };
  return undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A session id shaped like Google's (a UUID), unique per fake. */
function sessionIdFor(core: FakeCore, n: number): string {
  const hex = [0, 1, 2, 3].map((i) =>
    hash32(`session:${n}:${i}`, hash32(core.secret)).toString(16).padStart(8, "0")
  ).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${
    hex.slice(20, 32)
  }`;
}

/** A protobuf Duration: seconds with up to 9 decimals and an `s`. */
function duration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return `${Number(s.toFixed(3))}s`;
}

function expiredError(): Response {
  return googleError(403, "Access to this picking session has expired.", {
    status: "PERMISSION_DENIED",
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
