/**
 * Fresh media URLs. A `baseUrl` lives about 60 minutes and must not be stored, so the download engine
 * asks a `MediaUrlSource` for one right before each fetch. The Library source keeps the URLs the
 * listing just returned and refreshes old or refused ones through `mediaItems:batchGet`, 50 ids a call.
 */
import type { MediaItem, MediaItemResult } from "../../google/types.ts";
import type { MediaRow } from "../../index/types.ts";
import { ItemUnavailableError, type MediaUrl, type MediaUrlSource } from "../media_url.ts";

/** The one Library API method this source calls. */
export interface BatchGetter {
  batchGet(ids: string[]): Promise<MediaItemResult[]>;
}

/** Settings of `LibraryUrlSource`. */
export interface LibraryUrlSourceOptions {
  api: BatchGetter;
  /** A URL older than this is refreshed before use (default 50 minutes, under Google's 60). */
  maxAgeMs?: number;
  /** Most URLs kept (oldest dropped first); keeps memory bounded on huge libraries (default 20,000). */
  maxEntries?: number;
  /** How long a lookup waits for others to join its batch (default 0: the next macrotask). */
  batchDelayMs?: number;
  now?: () => number;
}

interface Entry extends MediaUrl {
  obtainedAt: number;
}

interface Waiter {
  /** Already part of a `batchGet` on its way. */
  sent: boolean;
  resolve(url: MediaUrl): void;
  reject(error: unknown): void;
  promise: Promise<MediaUrl>;
}

/** Most ids one `mediaItems:batchGet` takes. */
const BATCH = 50;

/** Library API base URLs: seeded from listing pages, refreshed in batches through `batchGet`. */
export class LibraryUrlSource implements MediaUrlSource {
  readonly needsBearer = false;
  readonly #api: BatchGetter;
  readonly #maxAgeMs: number;
  readonly #maxEntries: number;
  readonly #batchDelayMs: number;
  readonly #now: () => number;
  /** In insertion order, which is age order: a refreshed entry is deleted and set again. */
  readonly #cache = new Map<string, Entry>();
  readonly #waiting = new Map<string, Waiter>();
  readonly #upcoming = new Set<string>();
  /** Ids looked up ahead of need and not asked for yet. */
  readonly #stock = new Set<string>();
  #prefetching = false;
  /** Ids in a `batchGet` on its way, so a lookup meanwhile waits for it instead of asking again. */
  readonly #looking = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** `batchGet` calls made, for tests and the summary. */
  batchCalls = 0;

  constructor(options: LibraryUrlSourceOptions) {
    this.#api = options.api;
    this.#maxAgeMs = options.maxAgeMs ?? 50 * 60_000;
    this.#maxEntries = options.maxEntries ?? 20_000;
    this.#batchDelayMs = options.batchDelayMs ?? 0;
    this.#now = options.now ?? Date.now;
  }

  /** Keeps the URLs of a listing page (the indexer's `onPage`), so fetching starts without a lookup. */
  seed(items: readonly MediaItem[]): void {
    const now = this.#now();
    for (const item of items) {
      if (item.baseUrl) this.#store(item, now);
    }
  }

  /** Remembers ids about to be fetched, to fill the next `batchGet`. */
  hint(ids: readonly string[]): void {
    for (const id of ids) this.#upcoming.add(id);
  }

  /** A fresh URL: from the cache when young enough, else through a (shared) `batchGet`. */
  urlFor(row: MediaRow): Promise<MediaUrl> {
    const id = row.id;
    this.#upcoming.delete(id);
    this.#stock.delete(id);
    const hit = this.#cache.get(id);
    if (hit && this.#now() - hit.obtainedAt < this.#maxAgeMs) {
      this.#prefetch();
      return Promise.resolve({ baseUrl: hit.baseUrl, videoStatus: hit.videoStatus });
    }
    const pending = this.#waiting.get(id);
    if (pending) return pending.promise;
    const waiter = deferred();
    this.#waiting.set(id, waiter);
    if (this.#looking.has(id)) {
      waiter.sent = true;
      return waiter.promise;
    }
    if (this.#queuedCount() >= BATCH) this.#flushSoon(0);
    else this.#flushSoon(this.#batchDelayMs);
    return waiter.promise;
  }

  /** Drops a URL that expired or answered 403; the next `urlFor` looks it up again. */
  invalidate(id: string): void {
    this.#cache.delete(id);
    this.#upcoming.delete(id);
    this.#stock.delete(id);
  }

  /**
   * Looks up the next upcoming ids in the background when fewer than half a batch is in stock, so
   * a worker rarely waits for `batchGet`.
   */
  #prefetch(): void {
    if (this.#prefetching || this.#stock.size >= BATCH / 2 || this.#upcoming.size === 0) return;
    const now = this.#now();
    const ids: string[] = [];
    let scanned = 0;
    for (const id of this.#upcoming) {
      // Only the front matters; URLs seeded by the listing are usually fresh already.
      if (ids.length >= BATCH || ++scanned > 4 * BATCH) break;
      if (this.#waiting.has(id)) continue;
      const hit = this.#cache.get(id);
      if (hit && now - hit.obtainedAt < this.#maxAgeMs / 2) continue;
      ids.push(id);
    }
    if (ids.length === 0) return;
    for (const id of ids) this.#upcoming.delete(id);
    this.#prefetching = true;
    this.#lookup([], ids).finally(() => this.#prefetching = false);
  }

  /** Ids waiting for the next batch. */
  #queuedCount(): number {
    let n = 0;
    for (const w of this.#waiting.values()) if (!w.sent) n++;
    return n;
  }

  #flushSoon(delayMs: number): void {
    if (this.#timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, delayMs);
  }

  #flush(): void {
    const asked: string[] = [];
    for (const [id, w] of this.#waiting) {
      if (w.sent) continue;
      asked.push(id);
      w.sent = true;
      if (asked.length === BATCH) break;
    }
    if (asked.length === 0) return;
    // Fill the call with items the engine will want next: one call covers 50 ids either way.
    const extra: string[] = [];
    const now = this.#now();
    for (const id of this.#upcoming) {
      if (asked.length + extra.length >= BATCH) break;
      if (this.#waiting.has(id)) continue;
      const hit = this.#cache.get(id);
      if (hit && now - hit.obtainedAt < this.#maxAgeMs / 2) continue;
      extra.push(id);
    }
    for (const id of extra) this.#upcoming.delete(id);
    // More ids may be waiting than one call takes.
    if (this.#queuedCount() > 0) this.#flushSoon(0);
    this.#lookup(asked, extra);
  }

  async #lookup(asked: string[], extra: string[]): Promise<void> {
    let results: MediaItemResult[];
    const all = [...asked, ...extra];
    for (const id of all) this.#looking.add(id);
    try {
      this.batchCalls++;
      results = await this.#api.batchGet(all);
    } catch (error) {
      for (const id of all) {
        this.#looking.delete(id);
        this.#settle(id, undefined, error);
      }
      return;
    }
    for (const id of all) this.#looking.delete(id);
    const now = this.#now();
    for (let i = 0; i < all.length; i++) {
      const id = all[i];
      const result = results[i];
      const item = result?.mediaItem;
      if (item?.baseUrl && item.id === id) {
        const entry = this.#store(item, now);
        if (!this.#waiting.has(id)) this.#stock.add(id);
        this.#settle(id, entry);
      } else {
        const reason = result?.status?.message ??
          (item ? "no base URL in the answer" : "no answer");
        this.#settle(id, undefined, new ItemUnavailableError(id, reason));
      }
    }
  }

  #settle(id: string, entry: Entry | undefined, error?: unknown): void {
    const w = this.#waiting.get(id);
    if (!w) return;
    this.#waiting.delete(id);
    if (entry) w.resolve({ baseUrl: entry.baseUrl, videoStatus: entry.videoStatus });
    else w.reject(error);
  }

  #store(item: MediaItem, now: number): Entry {
    const entry: Entry = { baseUrl: item.baseUrl!, obtainedAt: now };
    const status = item.mediaMetadata?.video?.status;
    if (status !== undefined) entry.videoStatus = status;
    else if (item.mediaMetadata?.video) entry.videoStatus = "UNSPECIFIED";
    this.#cache.delete(item.id);
    this.#cache.set(item.id, entry);
    while (this.#cache.size > this.#maxEntries) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
    }
    return entry;
  }
}

function deferred(): Waiter {
  let resolve!: (url: MediaUrl) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<MediaUrl>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { sent: false, resolve, reject, promise };
}
