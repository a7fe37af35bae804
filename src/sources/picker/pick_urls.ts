/**
 * Base URLs of picked items for the download engine. Picker URLs need the bearer token and cannot be
 * refreshed through `mediaItems:batchGet` (the Library API does not serve them), so an old or refused
 * URL is replaced by listing the session's items again: one listing, shared by every item waiting.
 */
import { ApiError } from "../../errors.ts";
import type { PickedMediaItem } from "../../google/types.ts";
import type { MediaRow } from "../../index/types.ts";
import { ItemUnavailableError, type MediaUrl, type MediaUrlSource } from "../media_url.ts";
import { isPickedVideo, pickedVideoStatus } from "./pick_records.ts";

/** Lists a session's picked items again (`PickerApi.pages`). */
export interface PickedItemsLister {
  pages(sessionId: string): AsyncIterable<PickedMediaItem[]>;
}

/** Settings of `PickerUrlSource`. */
export interface PickerUrlSourceOptions {
  api: PickedItemsLister;
  sessionId: string;
  /** A URL older than this is replaced before use (default 50 minutes, under Google's 60). */
  maxAgeMs?: number;
  now?: () => number;
}

interface Entry extends MediaUrl {
  obtainedAt: number;
  stale: boolean;
}

/** Picker base URLs of one session, by picked item id; index rows may map to another id. */
export class PickerUrlSource implements MediaUrlSource {
  readonly needsBearer = true;
  readonly #api: PickedItemsLister;
  readonly #sessionId: string;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  /** Index row id → picked item id, for rows another source indexed under another id. */
  readonly #alias = new Map<string, string>();
  #relisting: Promise<void> | undefined;
  /** Times the session's items were listed again. */
  relists = 0;
  /**
   * What Google said when listing the session again failed with 403 or 404: the session expired or
   * was deleted, so no item of it can be fetched any more.
   */
  sessionGone: ApiError | undefined;

  constructor(options: PickerUrlSourceOptions) {
    this.#api = options.api;
    this.#sessionId = options.sessionId;
    this.#maxAgeMs = options.maxAgeMs ?? 50 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Keeps the URLs a listing returned. */
  seed(items: readonly PickedMediaItem[]): void {
    const now = this.#now();
    for (const item of items) {
      const baseUrl = item.mediaFile?.baseUrl;
      if (!baseUrl) continue;
      const entry: Entry = { baseUrl, obtainedAt: now, stale: false };
      if (isPickedVideo(item)) entry.videoStatus = pickedVideoStatus(item);
      this.#entries.set(item.id, entry);
    }
  }

  /** Fetches for index row `rowId` use the URL of picked item `pickedId`. */
  alias(rowId: string, pickedId: string): void {
    if (rowId !== pickedId) this.#alias.set(rowId, pickedId);
  }

  /** The item's URL; an old or refused one is replaced by listing the session again. */
  async urlFor(row: MediaRow): Promise<MediaUrl> {
    const id = this.#alias.get(row.id) ?? row.id;
    // Access to every picked item ends with the session: asking Google again is of no use.
    if (this.sessionGone) throw this.#goneError(id);
    let entry = this.#entries.get(id);
    if (!entry || entry.stale || this.#now() - entry.obtainedAt >= this.#maxAgeMs) {
      try {
        await this.#relist();
      } catch (error) {
        if (this.sessionGone) throw this.#goneError(id);
        throw error;
      }
      entry = this.#entries.get(id);
      if (!entry || entry.stale) {
        throw new ItemUnavailableError(id, "the picking session no longer lists it");
      }
    }
    return entry.videoStatus === undefined
      ? { baseUrl: entry.baseUrl }
      : { baseUrl: entry.baseUrl, videoStatus: entry.videoStatus };
  }

  /** Marks the URL refused; the next `urlFor` lists the session again. */
  invalidate(id: string): void {
    // The engine also calls this once an item is done; a later 403 is what matters, so only a
    // second use of the same URL is affected, and that is always a refresh.
    const entry = this.#entries.get(this.#alias.get(id) ?? id);
    if (entry) entry.stale = true;
  }

  #relist(): Promise<void> {
    // Items refused while a listing runs may hold URLs minted before it; they wait for it and
    // take what it brought.
    this.#relisting ??= (async () => {
      try {
        this.relists++;
        const fresh: PickedMediaItem[] = [];
        for await (const page of this.#api.pages(this.#sessionId)) fresh.push(...page);
        this.seed(fresh);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
          this.sessionGone ??= error;
        }
        throw error;
      } finally {
        this.#relisting = undefined;
      }
    })();
    return this.#relisting;
  }

  #goneError(id: string): ItemUnavailableError {
    const what = this.sessionGone?.status === 404 ? "was deleted" : "expired";
    return new ItemUnavailableError(id, `the picking session ${what}`);
  }
}
