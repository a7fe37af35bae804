/** The Google Photos Picker API (google-api.md §3): sessions and the items the user picked. */
import { ApiError } from "../errors.ts";
import type { GoogleHttp } from "./http.ts";
import { classifyError, type RetryDecision } from "./pacer.ts";
import { uniquePages } from "./library_api.ts";
import type { PickedMediaItem, PickedMediaItemsPage, PickingSession } from "./types.ts";

/** Largest page of the Picker's `mediaItems.list` (larger sizes are coerced to it). */
export const PICKER_PAGE_SIZE = 100;
/** Most items one picking session allows, and the default. */
export const PICKER_MAX_ITEMS = 2000;

/** Settings of `PickerApi`. */
export interface PickerApiOptions {
  http: GoogleHttp;
  /** e.g. `https://photospicker.googleapis.com`; paths `/v1/...` are appended. */
  baseUrl: string;
}

/** The Picker API, through the shared `GoogleHttp` (so the pacer, tally and token refresh apply). */
export class PickerApi {
  readonly #http: GoogleHttp;
  readonly #base: string;

  constructor(options: PickerApiOptions) {
    this.#http = options.http;
    this.#base = options.baseUrl.replace(/\/+$/, "");
  }

  /** `sessions.create` allowing `maxItems` picks (default and cap 2000). */
  async createSession(maxItems: number = PICKER_MAX_ITEMS): Promise<PickingSession> {
    if (!Number.isInteger(maxItems) || maxItems < 1) {
      throw new RangeError(`maxItems must be a whole number >= 1, got "${maxItems}"`);
    }
    const count = Math.min(maxItems, PICKER_MAX_ITEMS);
    return await this.#http.json(
      "POST",
      `${this.#base}/v1/sessions`,
      { pickingConfig: { maxItemCount: String(count) } },
      { classify: tooManySessionsIsFinal, picker: true },
    );
  }

  /** `sessions.get`: what to poll until `mediaItemsSet`. */
  getSession(id: string): Promise<PickingSession> {
    return this.#http.json(
      "GET",
      `${this.#base}/v1/sessions/${encodeURIComponent(id)}`,
      undefined,
      { picker: true },
    );
  }

  /** `sessions.delete`. */
  async deleteSession(id: string): Promise<void> {
    // Also after Ctrl-C: a session left behind counts against the user's open sessions.
    await this.#http.json(
      "DELETE",
      `${this.#base}/v1/sessions/${encodeURIComponent(id)}`,
      undefined,
      { cleanup: true, picker: true },
    );
  }

  /** One page of `mediaItems.list` for a session whose picking is done. */
  listMediaItems(
    sessionId: string,
    pageSize: number = PICKER_PAGE_SIZE,
    pageToken?: string,
  ): Promise<PickedMediaItemsPage> {
    const params = new URLSearchParams({ sessionId, pageSize: String(pageSize) });
    if (pageToken !== undefined && pageToken !== "") params.set("pageToken", pageToken);
    return this.#http.json("GET", `${this.#base}/v1/mediaItems?${params}`, undefined, {
      picker: true,
    });
  }

  /** Every picked item of a session, page by page, each once (empty pages followed, repeats dropped). */
  pages(sessionId: string): AsyncGenerator<PickedMediaItem[], void, undefined> {
    return uniquePages("/v1/mediaItems", async (token) => {
      const page = await this.listMediaItems(sessionId, PICKER_PAGE_SIZE, token);
      return { items: page.mediaItems, next: page.nextPageToken };
    });
  }
}

/**
 * A protobuf Duration (`"5s"`, `"3.5s"`, `"0.000001s"`) in milliseconds, or undefined when it is not
 * one.
 */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(-?\d+(?:\.\d{1,9})?)s\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 1000;
}

/**
 * RESOURCE_EXHAUSTED on `sessions.create` means too many open sessions: waiting does not help, so
 * it is final at once; a quota 429 ("Quota exceeded …") is retried as usual.
 */
function tooManySessionsIsFinal(error: unknown): RetryDecision {
  if (error instanceof ApiError && error.status === 429 && !/quota/i.test(error.message)) {
    return { retry: false };
  }
  return classifyError(error);
}
