/** The Library API read methods, typed, and listings that hide Google's pagination quirks. */
import { ApiError } from "../errors.ts";
import type { GoogleHttp } from "./http.ts";
import type {
  Album,
  AlbumsPage,
  MediaItem,
  MediaItemResult,
  MediaItemsPage,
  SearchRequest,
} from "./types.ts";

/** Largest page of `mediaItems.list` and `mediaItems:search`. */
export const MEDIA_PAGE_SIZE = 100;
/** Largest page of `albums.list` and `sharedAlbums.list`. */
export const ALBUM_PAGE_SIZE = 50;
/** Most ids one `mediaItems:batchGet` takes. */
export const BATCH_GET_MAX = 50;

/** Which listing `pages()` walks. */
export type ListingKind = "mediaItems" | "search" | "albums" | "sharedAlbums";

/** Settings of `LibraryApi`. */
export interface LibraryApiOptions {
  http: GoogleHttp;
  /** e.g. `https://photoslibrary.googleapis.com`; paths `/v1/...` are appended. */
  baseUrl: string;
}

/** The Library API (read side). */
export class LibraryApi {
  readonly #http: GoogleHttp;
  readonly #base: string;

  constructor(options: LibraryApiOptions) {
    this.#http = options.http;
    this.#base = options.baseUrl.replace(/\/+$/, "");
  }

  /** One page of `mediaItems.list`. */
  listMediaItems(pageSize: number = MEDIA_PAGE_SIZE, pageToken?: string): Promise<MediaItemsPage> {
    return this.#http.json("GET", this.#url("/v1/mediaItems", pageParams(pageSize, pageToken)));
  }

  /** One page of `mediaItems:search`. */
  searchMediaItems(request: SearchRequest): Promise<MediaItemsPage> {
    return this.#http.json("POST", this.#url("/v1/mediaItems:search"), request);
  }

  /** `mediaItems.get`. */
  getMediaItem(id: string): Promise<MediaItem> {
    return this.#http.json("GET", this.#url(`/v1/mediaItems/${encodeURIComponent(id)}`));
  }

  /**
   * `mediaItems:batchGet` for at most 50 ids; results come in the order of `ids` (a repeated id gets the
   * same result twice, though Google is asked once). An empty list asks nothing.
   */
  async batchGet(ids: string[]): Promise<MediaItemResult[]> {
    if (ids.length > BATCH_GET_MAX) {
      throw new RangeError(`batchGet() takes at most ${BATCH_GET_MAX} ids, got ${ids.length}`);
    }
    if (ids.length === 0) return [];
    // Google rejects duplicate ids, so ask for each once and fan the answers back out.
    const unique = [...new Set(ids)];
    const params = new URLSearchParams();
    for (const id of unique) params.append("mediaItemIds", id);
    const answer = await this.#http.json<{ mediaItemResults?: MediaItemResult[] }>(
      "GET",
      this.#url("/v1/mediaItems:batchGet", params),
    );
    const results = answer.mediaItemResults ?? [];
    if (results.length !== unique.length) {
      throw new ApiError(
        `Google API "/v1/mediaItems:batchGet" failed: asked for ${unique.length} items, got ${results.length} results`,
        200,
        "INVALID_RESPONSE",
      );
    }
    const byId = new Map(unique.map((id, i) => [id, results[i]]));
    return ids.map((id) => byId.get(id) as MediaItemResult);
  }

  /** One page of `albums.list`. */
  listAlbums(pageSize: number = ALBUM_PAGE_SIZE, pageToken?: string): Promise<AlbumsPage> {
    return this.#http.json("GET", this.#url("/v1/albums", pageParams(pageSize, pageToken)));
  }

  /** One page of `sharedAlbums.list` (403 PERMISSION_DENIED from real Google since 2025-03-31). */
  listSharedAlbums(pageSize: number = ALBUM_PAGE_SIZE, pageToken?: string): Promise<AlbumsPage> {
    return this.#http.json("GET", this.#url("/v1/sharedAlbums", pageParams(pageSize, pageToken)));
  }

  /** `albums.get`. */
  getAlbum(id: string): Promise<Album> {
    return this.#http.json("GET", this.#url(`/v1/albums/${encodeURIComponent(id)}`));
  }

  /**
   * Every page of a listing, each item once: short and empty pages are followed while a
   * `nextPageToken` comes, a missing list key is an empty page, and repeats are dropped. Only
   * non-empty pages are yielded; the generator ends normally only after the last page.
   */
  pages(kind: "mediaItems" | "search", options?: { search?: SearchRequest }): AsyncGenerator<
    MediaItem[],
    void,
    undefined
  >;
  pages(kind: "albums" | "sharedAlbums"): AsyncGenerator<Album[], void, undefined>;
  pages(
    kind: ListingKind,
    options: { search?: SearchRequest } = {},
  ): AsyncGenerator<MediaItem[] | Album[], void, undefined> {
    switch (kind) {
      case "mediaItems":
        return uniquePages("/v1/mediaItems", async (token) => {
          const page = await this.listMediaItems(MEDIA_PAGE_SIZE, token);
          return { items: page.mediaItems, next: page.nextPageToken };
        });
      case "search": {
        const request = options.search ?? {};
        return uniquePages("/v1/mediaItems:search", async (token) => {
          const body: SearchRequest = { ...request, pageSize: request.pageSize ?? MEDIA_PAGE_SIZE };
          if (token === undefined) delete body.pageToken;
          else body.pageToken = token;
          const page = await this.searchMediaItems(body);
          return { items: page.mediaItems, next: page.nextPageToken };
        });
      }
      case "albums":
        return uniquePages("/v1/albums", async (token) => {
          const page = await this.listAlbums(ALBUM_PAGE_SIZE, token);
          return { items: page.albums, next: page.nextPageToken };
        });
      case "sharedAlbums":
        return uniquePages("/v1/sharedAlbums", async (token) => {
          const page = await this.listSharedAlbums(ALBUM_PAGE_SIZE, token);
          return { items: page.sharedAlbums, next: page.nextPageToken };
        });
    }
  }

  /** The library (`mediaItems.list`), or a search (e.g. `{ albumId }`) when given, page by page. */
  iterateMediaItems(
    options: { search?: SearchRequest } = {},
  ): AsyncGenerator<MediaItem[], void, undefined> {
    return options.search === undefined
      ? this.pages("mediaItems")
      : this.pages("search", { search: options.search });
  }

  /** Own albums, or shared albums, page by page (50 a page). */
  iterateAlbums(options: { shared: boolean }): AsyncGenerator<Album[], void, undefined> {
    return options.shared ? this.pages("sharedAlbums") : this.pages("albums");
  }

  #url(path: string, params?: URLSearchParams): string {
    const query = params === undefined || params.size === 0 ? "" : `?${params}`;
    return `${this.#base}${path}${query}`;
  }
}

/** One raw page of a listing. */
export interface RawPage<T> {
  items: T[] | undefined;
  next: string | undefined;
}

/**
 * Walks a paginated listing and yields each item once (by `id`), skipping empty pages but following
 * their tokens; a page token seen twice is an `ApiError` rather than an endless loop.
 */
export async function* uniquePages<T extends { id: string }>(
  what: string,
  fetchPage: (pageToken: string | undefined) => Promise<RawPage<T>>,
): AsyncGenerator<T[], void, undefined> {
  const seen = new Set<string>();
  const tokens = new Set<string>();
  let lastId: string | undefined;
  let token: string | undefined;
  let pending: Promise<RawPage<T>> | undefined = fetchPage(undefined);
  while (pending !== undefined) {
    const page: RawPage<T> = await pending;
    pending = undefined;
    token = page.next === undefined || page.next === "" ? undefined : page.next;
    if (token !== undefined) {
      if (tokens.has(token)) {
        throw new ApiError(
          `Google API "${what}" failed: it sent page token "${
            token.slice(0, 40)
          }" twice, so the listing would never end`,
          200,
          "INVALID_RESPONSE",
        );
      }
      tokens.add(token);
      // Ask for the next page while the caller stores this one: the listing then costs one round
      // trip a page and no more. The rejection is handled when the promise is awaited above.
      pending = fetchPage(token);
      pending.catch(() => {});
    }
    const raw = (page.items ?? []).filter((item) => typeof item?.id === "string");
    // rclone's "skip first if ID duplicated from last page"; the Set below also catches other repeats.
    const start = raw.length > 0 && raw[0].id === lastId ? 1 : 0;
    if (raw.length > 0) lastId = raw[raw.length - 1].id;
    const fresh: T[] = [];
    for (const item of raw.slice(start)) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      fresh.push(item);
    }
    if (fresh.length > 0) yield fresh;
  }
}

function pageParams(pageSize: number, pageToken: string | undefined): URLSearchParams {
  const params = new URLSearchParams({ pageSize: String(pageSize) });
  if (pageToken !== undefined && pageToken !== "") params.set("pageToken", pageToken);
  return params;
}
