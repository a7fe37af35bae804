/**
 * The URL contract between the sources and the download engine: each source that serves media
 * implements `MediaUrlSource`, the engine consumes it. A contract, not a source: every source and
 * `src/sync/` may import it, and it imports no source.
 */
import type { MediaRow } from "../index/types.ts";

/** What a fetch needs to know about an item right now. */
export interface MediaUrl {
  /** The base URL, without the `=d` / `=dv` parameter. */
  baseUrl: string;
  /** For videos: `READY`, `PROCESSING`, `FAILED` or `UNSPECIFIED`, when the source knows it. */
  videoStatus?: string;
}

/**
 * Why an item is skipped when Google says it cannot serve it (a video whose processing FAILED):
 * the same words from every command, kept in the index and listed by `status`.
 */
export const FAILED_VIDEO_REASON =
  "Google Photos could not process this video (status FAILED); tried again only when Google's listing of it changes";

/**
 * Where the engine gets base URLs. The Library API and the Picker each implement it; a Picker URL
 * needs the bearer token on the fetch (`needsBearer`), a Library URL carries its own grant.
 */
export interface MediaUrlSource {
  /** Send the OAuth bearer token with media fetches. */
  readonly needsBearer: boolean;
  /** A fresh URL for the item, or throws `ItemUnavailableError` when the source has none for it. */
  urlFor(row: MediaRow): Promise<MediaUrl>;
  /** Forgets the item's URL (it expired, answered 403, or is no longer needed). */
  invalidate(id: string): void;
  /** Ids the engine will ask for soon, so one lookup can cover many. Optional. */
  hint?(ids: readonly string[]): void;
}

/** The source has no URL for this item (e.g. batchGet answered "Invalid media item ID"). */
export class ItemUnavailableError extends Error {
  readonly id: string;
  constructor(id: string, reason: string) {
    super(`Google has no media item "${id}": ${reason}`);
    this.name = "ItemUnavailableError";
    this.id = id;
  }
}
