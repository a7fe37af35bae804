/**
 * One transfer of one item into its complete temporary file: resumes a cut body with a Range request (and
 * If-Range, so a changed file comes whole), asks for a fresh URL after a 403, starts over after a
 * 416 or an unusable range, and retries short and cut bodies a bounded number of times.
 */
import { ApiError } from "../errors.ts";
import type { MediaOptions } from "../google/http.ts";
import { NetworkError } from "../google/pacer.ts";
import type { MediaIndex } from "../index/media_index.ts";
import type { MediaRow } from "../index/types.ts";
import { BodyReadError, type TempFile } from "../files/atomic_file.ts";
import type { FileDigest } from "../files/hash.ts";
import { recordTransfer } from "../index/transfer_queries.ts";
import { FAILED_VIDEO_REASON, type MediaUrl, type MediaUrlSource } from "../sources/media_url.ts";

/** What the engine needs to fetch media: `GoogleHttp` in real runs (pacer, tally, token). */
export interface MediaFetcher {
  media(url: string | URL, options?: MediaOptions): Promise<Response>;
}

/** What every transfer of an engine shares. */
export interface TransferContext {
  http: MediaFetcher;
  urls: MediaUrlSource;
  /** Where the declared length and ETag are recorded before the first byte lands. */
  index: MediaIndex;
  signal?: AbortSignal;
  /** Transfers of one item (cut bodies, short bodies) before it counts as failed. */
  maxTries: number;
  /** Fresh URLs asked for one item after 403s before it counts as failed. */
  maxRefreshes: number;
  /** Pause after a cut that delivered no byte, doubled each time. */
  cutBackoffMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Counts bytes as they are received. */
  onBytes: (n: number) => void;
}

/** How one transfer starts. */
export interface TransferSetup {
  url: MediaUrl;
  video: boolean;
  /** ETag a killed run recorded, for If-Range. */
  etag: string | undefined;
  setUrl: (url: MediaUrl) => void;
  /** Frees the item's transfer slot once its body is in: renaming and recording need no network. */
  release: () => void;
}

/**
 * An item to leave: for a later run (a video still processing), or, when `permanent`, until Google's
 * metadata of it changes (Google itself says it cannot serve it: a FAILED video).
 */
export class SkipItem extends Error {
  readonly permanent: boolean;
  constructor(reason: string, options: { permanent?: boolean } = {}) {
    super(reason);
    this.name = "SkipItem";
    this.permanent = options.permanent ?? false;
  }
}

/** Why a video still processing is skipped. */
export const PROCESSING_REASON = "video still processing in Google Photos; tried again next run";

/** Transfers items into their temporary files with one engine's HTTP, URLs and limits. */
export class ItemTransfers {
  readonly #ctx: TransferContext;

  constructor(context: TransferContext) {
    this.#ctx = context;
  }

  /**
   * Transfers until the temporary file is complete and synced (not renamed): resumes cut bodies,
   * refreshes refused URLs.
   */
  async run(row: MediaRow, temp: TempFile, how: TransferSetup): Promise<FileDigest> {
    let url = how.url;
    let etag = how.etag;
    const video = how.video;
    let tries = 0;
    let refreshes = 0;
    let stalls = 0;
    let recorded: { total?: number; etag?: string } | undefined;
    const param = video ? "=dv" : "=d";
    const refresh = async () => {
      this.#ctx.urls.invalidate(row.id);
      url = await this.#ctx.urls.urlFor(row);
      how.setUrl(url);
    };
    for (;;) {
      this.#ctx.signal?.throwIfAborted();
      const from = temp.size;
      // Identity encoding: the declared length must be the length of the bytes on disk.
      const headers = new Headers({ "accept-encoding": "identity" });
      if (from > 0) {
        headers.set("range", `bytes=${from}-`);
        // A changed file comes whole (200) instead of its tail glued to the old head.
        if (etag) headers.set("if-range", etag);
      }
      let response: Response;
      try {
        response = await this.#ctx.http.media(url.baseUrl + param, {
          bearer: this.#ctx.urls.needsBearer,
          headers,
          signal: this.#ctx.signal,
        });
      } catch (err) {
        const status = err instanceof ApiError ? err.status : -1;
        if (status === 403 && refreshes < this.#ctx.maxRefreshes) {
          // A base URL expires after about an hour, sometimes sooner.
          refreshes++;
          await refresh();
          continue;
        }
        if (status === 416 && from > 0) {
          // The leftover is not a prefix of this file: start over.
          await temp.restart();
          if (++tries >= this.#ctx.maxTries) throw err;
          continue;
        }
        if (status === 404 && video) {
          // Google answers 404 for a video it has not finished processing.
          await refresh();
          if (url.videoStatus === "PROCESSING") throw new SkipItem(PROCESSING_REASON);
          if (url.videoStatus === "FAILED") {
            throw new SkipItem(FAILED_VIDEO_REASON, { permanent: true });
          }
        }
        throw err;
      }
      let expected: number | undefined;
      if (response.status === 206) {
        const range = parseContentRange(response.headers.get("content-range"));
        if (!range || range.start !== from) {
          await response.body?.cancel();
          await temp.restart();
          if (++tries >= this.#ctx.maxTries) {
            throw new NetworkError(`Media for "${row.path}" answered an unusable range`);
          }
          continue;
        }
        expected = range.total;
      } else {
        // The server ignored the Range header: the whole file comes again.
        if (from > 0) await temp.restart();
        expected = parseLength(response.headers.get("content-length"));
      }
      const declared = { total: expected, etag: response.headers.get("etag") ?? undefined };
      if (!recorded || recorded.total !== declared.total || recorded.etag !== declared.etag) {
        // Before any byte lands: a run killed after the last one must know the file is whole.
        recordTransfer(this.#ctx.index, row.id, declared);
        recorded = declared;
        etag = declared.etag;
      }
      const before = temp.size;
      try {
        if (response.body) {
          await temp.append(response.body, {
            signal: this.#ctx.signal,
            onBytes: this.#ctx.onBytes,
            byob: true,
          });
        }
      } catch (err) {
        if (this.#ctx.signal?.aborted) throw err;
        // Only a cut body is worth another request; a failed write (a full disk) or a bug is not.
        if (!(err instanceof BodyReadError || err instanceof NetworkError)) throw err;
        if (++tries >= this.#ctx.maxTries) {
          throw new NetworkError(
            `Transfer of "${row.path}" cut ${tries} times, last: ${errorText(err)}`,
            { cause: err },
          );
        }
        await this.#afterCut(temp.size > before ? 0 : ++stalls);
        continue;
      }
      if (expected !== undefined && temp.size !== expected) {
        if (temp.size > expected) await temp.restart();
        if (++tries >= this.#ctx.maxTries) {
          throw new NetworkError(
            `Transfer of "${row.path}" ended at ${temp.size} of ${expected} bytes ${tries} times`,
          );
        }
        await this.#afterCut(temp.size > before ? 0 : ++stalls);
        continue;
      }
      // Every byte is in: the next item's request can go while this one is renamed and recorded.
      how.release();
      // The caller names the file: the final path may hold another item's bytes (see the engine).
      return await temp.finish({ expectedSize: expected });
    }
  }

  /** A cut that made progress resumes at once; one that made none waits a little longer each time. */
  async #afterCut(stalls: number): Promise<void> {
    if (stalls > 1) await this.#ctx.sleep(this.#ctx.cutBackoffMs * 2 ** (stalls - 2));
  }
}

/** `bytes START-END/TOTAL` of a 206. */
export function parseContentRange(
  header: string | null,
): { start: number; end: number; total: number | undefined } | undefined {
  const m = header === null ? null : /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header);
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

/** A Content-Length header as a number, if it is one. */
export function parseLength(header: string | null): number | undefined {
  return header !== null && /^\s*\d+\s*$/.test(header) ? Number(header) : undefined;
}

/** An error as one line of text. */
export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}
