/** The Library API v1 read surface (google-api.md §1, §2, §8.2). */
import type { FakeAlbum, FakeItem } from "../fixtures/account_types.ts";
import {
  type LibraryAlbum,
  type LibraryMediaItem,
  type LibraryMediaItemResult,
  type LibraryMediaItemsPage,
  type LibraryMediaMetadata,
  WIRE_SCOPES,
} from "./_wire.ts";
import { type FakeCore, type Grant, WRITE_SCOPES } from "./_core.ts";
import { Listings, type Page } from "./_listing.ts";
import { mintBaseUrl } from "./_media.ts";
import { matchesFilters, parsePageSize, parseSearch, type SearchQuery } from "./_search.ts";
import { b64urlDecode, b64urlEncode, delay, googleError, jsonResponse, MESSAGES } from "./_util.ts";

const PHOTOS = "https://www.googleapis.com/auth/photoslibrary";
const LEGACY_READ = new Set([PHOTOS, `${PHOTOS}.readonly`, WIRE_SCOPES.libraryAppCreated]);
const LEGACY_SHARED_READ = new Set([...LEGACY_READ, `${PHOTOS}.sharing`]);
const SYSTEM_PARAMS = new Set([
  "fields",
  "prettyPrint",
  "alt",
  "quotaUser",
  "$.xgafv",
  "access_token",
  "key",
  "callback",
  "oauth_token",
  "upload_protocol",
  "uploadType",
]);

type Handler = (req: Request, url: URL, grant: Grant) => Promise<Response> | Response;

interface Route {
  handler: Handler;
  /** Which scope family the method needs. */
  needs: "read" | "shared" | "write";
}

/** Answers `/v1/...` calls of the Library API. */
export class LibraryApi {
  #core: FakeCore;
  #listings: Listings;

  constructor(core: FakeCore) {
    this.#core = core;
    this.#listings = new Listings(core.secret, core.options.seed ?? 1);
  }

  async handle(req: Request, url: URL): Promise<Response> {
    const rec = this.#core.record("api", req, url);
    await delay(this.#core.options.latencyMs ?? 0);
    const res = await this.#answer(req, url);
    rec.status = res.status;
    return res;
  }

  async #answer(req: Request, url: URL): Promise<Response> {
    let segments: string[];
    try {
      segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
    } catch {
      return googleError(404, MESSAGES.methodNotFound);
    }
    const route = this.#route(req.method, segments);
    if (!route) return googleError(404, MESSAGES.methodNotFound);
    const grant = this.#core.authenticate(req, url);
    if (grant instanceof Response) return grant;
    const fault = this.#core.apiFault() ?? await this.#core.apiHang();
    if (fault) return fault;
    if (!this.#allowed(grant, route.needs)) return insufficientScopes();
    return await route.handler(req, url, grant);
  }

  #route(method: string, seg: string[]): Route | undefined {
    if (seg[0] !== "v1" || seg.length < 2 || seg.length > 3) return undefined;
    const [, top, sub] = seg;
    const read = (handler: Handler): Route => ({ handler, needs: "read" });
    const write: Route = { handler: () => unimplemented(), needs: "write" };
    if (seg.length === 2) {
      if (top === "mediaItems" && method === "GET") return read((_q, u) => this.#list(u));
      if (top === "mediaItems:search" && method === "POST") {
        return read((q, u) => this.#search(q, u));
      }
      if (top === "mediaItems:batchGet" && method === "GET") {
        return read((_q, u) => this.#batchGet(u));
      }
      if (top === "albums" && method === "GET") {
        return read((_q, u, g) => this.#albums(u, false, g));
      }
      if (top === "sharedAlbums" && method === "GET") {
        return { handler: (_q, u, g) => this.#albums(u, true, g), needs: "shared" };
      }
      if (
        method === "POST" &&
        ["mediaItems:batchCreate", "albums", "uploads", "sharedAlbums:join", "sharedAlbums:leave"]
          .includes(top)
      ) return write;
      return undefined;
    }
    if (top === "mediaItems" && method === "GET" && !sub.includes(":")) {
      return read((_q, u) => this.#getItem(u, sub));
    }
    if (top === "albums" && method === "GET" && !sub.includes(":")) {
      return read((_q, u, g) => this.#getAlbum(u, sub, g));
    }
    if (top === "sharedAlbums" && method === "GET") {
      return { handler: (_q, u, g) => this.#getShared(u, sub, g), needs: "shared" };
    }
    if ((top === "mediaItems" || top === "albums") && method === "PATCH") return write;
    if (
      top === "albums" && method === "POST" &&
      /:(batchAddMediaItems|batchRemoveMediaItems|addEnrichment|share|unshare)$/.test(sub)
    ) return write;
    return undefined;
  }

  #allowed(grant: Grant, needs: Route["needs"]): boolean {
    const has = (set: ReadonlySet<string>) => [...grant.scopes].some((s) => set.has(s));
    if (needs === "write") return has(WRITE_SCOPES);
    if (this.#core.mode === "2025") {
      return needs === "read" && grant.scopes.has(WIRE_SCOPES.libraryAppCreated);
    }
    return has(needs === "shared" ? LEGACY_SHARED_READ : LEGACY_READ);
  }

  /** Items the caller may see at all: since 2025 only app-created ones. */
  #visible(item: FakeItem): boolean {
    return this.#core.mode === "legacy" || item.appCreated;
  }

  #visibleAlbum(album: FakeAlbum): boolean {
    return this.#core.mode === "legacy" || album.appCreated;
  }

  // ---- media items ---------------------------------------------------------------------------

  #list(url: URL): Response {
    const bad = unknownParams(url, ["pageSize", "pageToken"]);
    if (bad) return bad;
    const size = parsePageSize(url.searchParams.get("pageSize") ?? undefined, 25, 100);
    if (typeof size === "string") return googleError(400, size);
    const page = this.#listings.page<FakeItem>(
      {
        key: `list|${this.#core.mode}`,
        build: () =>
          this.#core.options.account.items.filter((i) =>
            i.inLibrary && !i.archived && this.#visible(i)
          ),
      },
      size,
      url.searchParams.get("pageToken") ?? undefined,
      this.#core.quirks,
    );
    return this.#itemsPage(page);
  }

  async #search(req: Request, url: URL): Promise<Response> {
    const bad = unknownParams(url, []);
    if (bad) return bad;
    let body: unknown = {};
    const text = await req.text();
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        return googleError(400, "Invalid JSON payload received. Unexpected token.");
      }
    }
    const q = parseSearch(body);
    if ("error" in q) return googleError(400, q.error);
    let albumId: string | undefined;
    if (q.albumId !== undefined) {
      const album = this.#core.album(q.albumId);
      if (!album || !this.#visibleAlbum(album)) return googleError(400, "Invalid album ID.");
      albumId = album.id;
    }
    const page = this.#listings.page<FakeItem>(
      {
        key: `search|${this.#core.mode}|${JSON.stringify([q.albumId, q.filters, q.order])}`,
        build: () => this.#buildSearch(q),
      },
      q.pageSize,
      q.pageToken,
      this.#core.quirks,
    );
    return this.#itemsPage(page, albumId);
  }

  #buildSearch(q: SearchQuery): FakeItem[] {
    const core = this.#core;
    if (q.albumId !== undefined) {
      const album = core.album(q.albumId);
      const out: FakeItem[] = [];
      for (const id of album?.itemIds ?? []) {
        const item = core.item(id);
        if (item && this.#visible(item)) out.push(item);
      }
      return out;
    }
    const f = q.filters;
    const now = core.now();
    const hits: { item: FakeItem; t: number; i: number }[] = [];
    const items = core.options.account.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!item.inLibrary || !this.#visible(item)) continue;
      if (f ? !matchesFilters(item, f, now) : item.archived) continue;
      if (f?.excludeNonAppCreated && !item.appCreated) continue;
      const t = item.creationTime ? Date.parse(item.creationTime) : NaN;
      hits.push({ item, t: Number.isFinite(t) ? t : -Infinity, i });
    }
    // Newest first by default; undated items last; ties in upload order, newest upload first.
    const dir = q.order === "asc" ? 1 : -1;
    hits.sort((a, b) => dir * (a.t - b.t || a.i - b.i) || 0);
    return hits.map((h) => h.item);
  }

  #getItem(url: URL, id: string): Response {
    const bad = unknownParams(url, []);
    if (bad) return bad;
    const item = this.#core.item(id);
    if (!item || !this.#visible(item)) return googleError(404, MESSAGES.notFound);
    return jsonResponse(200, this.itemJson(item));
  }

  #batchGet(url: URL): Response {
    const bad = unknownParams(url, ["mediaItemIds"]);
    if (bad) return bad;
    const ids = url.searchParams.getAll("mediaItemIds");
    if (ids.length === 0) {
      return googleError(400, "Request must contain at least one media item id.");
    }
    if (ids.length > 50) return googleError(400, "Request must contain at most 50 media item ids.");
    if (new Set(ids).size !== ids.length) {
      return googleError(400, "Request contains duplicate media item ids.");
    }
    const results: LibraryMediaItemResult[] = ids.map((id) => {
      const item = this.#core.item(id);
      if (!item || !this.#visible(item)) {
        return { status: { code: 3, message: MESSAGES.invalidMediaItemId } };
      }
      return { mediaItem: this.itemJson(item) };
    });
    return jsonResponse(200, { mediaItemResults: results });
  }

  #itemsPage(page: Page<FakeItem> | { error: string }, albumId?: string): Response {
    if ("error" in page) return googleError(400, page.error);
    const body: LibraryMediaItemsPage = {};
    if (page.entries.length > 0) {
      body.mediaItems = page.entries.map((i) => this.itemJson(i, albumId));
    }
    if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
    return jsonResponse(200, body);
  }

  /** An item as the Library API sends it: strings for sizes, optional fields omitted. */
  itemJson(item: FakeItem, albumId?: string): LibraryMediaItem {
    const meta: LibraryMediaMetadata = {};
    if (item.creationTime) meta.creationTime = item.creationTime;
    meta.width = String(item.width);
    meta.height = String(item.height);
    if (item.mimeType.startsWith("video/")) meta.video = { status: item.videoStatus ?? "READY" };
    else meta.photo = {};
    const out: LibraryMediaItem = { id: item.id };
    if (item.description) out.description = item.description;
    out.productUrl = albumId === undefined
      ? `https://photos.google.com/lr/photo/${item.id}`
      : `https://photos.google.com/lr/album/${albumId}/photo/${item.id}`;
    out.baseUrl = mintBaseUrl(this.#core, item.id);
    out.mimeType = item.mimeType;
    out.mediaMetadata = meta;
    out.filename = item.filename;
    return out;
  }

  // ---- albums ------------------------------------------------------------------------------

  #albums(url: URL, shared: boolean, grant: Grant): Response {
    if (shared && this.#core.mode === "2025") return insufficientScopes();
    const bad = unknownParams(url, ["pageSize", "pageToken", "excludeNonAppCreatedData"]);
    if (bad) return bad;
    const size = parsePageSize(url.searchParams.get("pageSize") ?? undefined, 20, 50);
    if (typeof size === "string") return googleError(400, size);
    const excl = url.searchParams.get("excludeNonAppCreatedData");
    if (excl !== null && excl !== "true" && excl !== "false") {
      return googleError(
        400,
        `Invalid value at 'exclude_non_app_created_data' (TYPE_BOOL), "${excl}"`,
      );
    }
    const onlyApp = excl === "true";
    const page = this.#listings.page<FakeAlbum>(
      {
        key: `${shared ? "shared" : "albums"}|${this.#core.mode}|${onlyApp}`,
        build: () =>
          this.#core.options.account.albums.filter((a) =>
            a.shared === shared && this.#visibleAlbum(a) && (!onlyApp || a.appCreated)
          ),
      },
      size,
      url.searchParams.get("pageToken") ?? undefined,
      this.#core.quirks,
    );
    if ("error" in page) return googleError(400, page.error);
    const key = shared ? "sharedAlbums" : "albums";
    const body: Record<string, unknown> = {};
    if (page.entries.length > 0) body[key] = page.entries.map((a) => this.#albumJson(a, grant));
    if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
    return jsonResponse(200, body);
  }

  #getAlbum(url: URL, id: string, grant: Grant): Response {
    const bad = unknownParams(url, []);
    if (bad) return bad;
    const album = this.#core.album(id);
    if (!album || !this.#visibleAlbum(album)) return googleError(404, MESSAGES.notFound);
    return jsonResponse(200, this.#albumJson(album, grant));
  }

  #getShared(url: URL, shareToken: string, grant: Grant): Response {
    if (this.#core.mode === "2025") return insufficientScopes();
    const bad = unknownParams(url, []);
    if (bad) return bad;
    const id = shareToken.startsWith("st") ? b64urlDecode(shareToken.slice(2)) : undefined;
    const album = id === undefined ? undefined : this.#core.album(id);
    if (!album || !album.shared) return googleError(404, MESSAGES.notFound);
    return jsonResponse(200, this.#albumJson(album, grant));
  }

  #albumJson(album: FakeAlbum, grant: Grant): LibraryAlbum {
    const out: LibraryAlbum = { id: album.id };
    if (album.title) out.title = album.title;
    out.productUrl = `https://photos.google.com/lr/album/${album.id}`;
    let count = 0;
    let cover: FakeItem | undefined;
    for (const id of album.itemIds) {
      const item = this.#core.item(id);
      if (!item || !this.#visible(item)) continue;
      count++;
      cover ??= item;
    }
    if (count > 0) out.mediaItemsCount = String(count);
    if (cover) {
      out.coverPhotoBaseUrl = mintBaseUrl(this.#core, cover.id);
      out.coverPhotoMediaItemId = cover.id;
    }
    // shareInfo needs a scope that may share, which the tool never asks for.
    if (album.shared && (grant.scopes.has(PHOTOS) || grant.scopes.has(`${PHOTOS}.sharing`))) {
      const token = `st${b64urlEncode(album.id)}`;
      out.shareInfo = {
        shareableUrl: `https://photos.app.goo.gl/${token.slice(2, 19)}`,
        shareToken: token,
        isJoined: true,
        isOwned: album.appCreated,
        isJoinable: true,
      };
    }
    return out;
  }
}

function insufficientScopes(): Response {
  return googleError(403, MESSAGES.insufficientScopes, {
    headers: {
      "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"',
    },
  });
}

function unimplemented(): Response {
  return googleError(501, "Write methods are not implemented by the fake.");
}

/** Google rejects query parameters it cannot bind. */
function unknownParams(url: URL, allowed: string[]): Response | undefined {
  for (const key of url.searchParams.keys()) {
    if (!allowed.includes(key) && !SYSTEM_PARAMS.has(key)) {
      return googleError(
        400,
        `Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter. ` +
          `Field '${key}' could not be found in request message.`,
      );
    }
  }
  return undefined;
}
