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
import { RangeWriter } from "../files/range_writer.ts";
import { recordRanges, recordTransfer } from "../index/transfer_queries.ts";
import { type ByteRange, SplitPlan } from "./split_plan.ts";
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
  /** The bandwidth limit, when one is set. */
  throttle?: (n: number) => Promise<void> | undefined;
  /** A transfer with more bytes than this to go may be split over free slots (0: never split). */
  splitBytes: number;
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
  /** Ranges a killed run recorded and the temporary file holds (opened with their head's prefix). */
  ranges?: [number, number, number][];
  /** Told of the transfer's ranges while free slots may help (undefined once they may not). */
  onPlan?: (plan: HelpedPlan | undefined) => void;
}

/** A transfer free slots can help: a range to take, and how to fetch it. */
export interface HelpedPlan {
  /** Bytes still to come. */
  readonly left: number;
  /** A range for a free slot, or undefined when none is worth a request. */
  offer(minBytes: number): ByteRange | undefined;
  /** Fetches `range` once; on any failure the range goes back to the item's own stream. */
  help(range: ByteRange): Promise<void>;
}

/** The mutable state of one item's transfer, shared by its own stream and its helpers. */
interface Live {
  row: MediaRow;
  temp: TempFile;
  url: MediaUrl;
  etag: string | undefined;
  param: string;
  tries: number;
  refreshes: number;
  stalls: number;
  refresh(): Promise<void>;
  /** Tells the engine more help may be taken now (ranges are proven to work). */
  wake?: () => void;
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
    const live: Live = {
      row,
      temp,
      url: how.url,
      etag: how.etag,
      param: how.video ? "=dv" : "=d",
      tries: 0,
      refreshes: 0,
      stalls: 0,
      refresh: async () => {
        this.#ctx.urls.invalidate(row.id);
        live.url = await this.#ctx.urls.urlFor(row);
        how.setUrl(live.url);
      },
    };
    const save = (ranges: [number, number, number][] | null) =>
      recordRanges(this.#ctx.index, row.id, ranges);
    let plan: SplitPlan | undefined;
    let expected: number | undefined;
    let recorded: { total?: number; etag?: string } | undefined;
    const video = how.video;
    if (how.ranges) {
      const known = how.ranges.at(-1)![1];
      plan = new SplitPlan(known, save, how.ranges);
      expected = known;
      recorded = { total: known, etag: how.etag };
      this.#offer(live, plan, how);
    }
    try {
      for (;;) {
        this.#ctx.signal?.throwIfAborted();
        const from = temp.size;
        if (plan && from >= plan.head.end) {
          // The head is in: the other ranges, then the whole file is hashed once.
          if (await this.#tail(live, plan)) break;
          continue;
        }
        // Identity encoding: the declared length must be the length of the bytes on disk.
        const headers = new Headers({ "accept-encoding": "identity" });
        if (from > 0) {
          headers.set("range", `bytes=${from}-`);
          // A changed file comes whole (200) instead of its tail glued to the old head.
          if (live.etag) headers.set("if-range", live.etag);
        }
        let response: Response;
        try {
          response = await this.#ctx.http.media(live.url.baseUrl + live.param, {
            bearer: this.#ctx.urls.needsBearer,
            headers,
            signal: this.#ctx.signal,
          });
        } catch (err) {
          const status = err instanceof ApiError ? err.status : -1;
          if (status === 403 && live.refreshes < this.#ctx.maxRefreshes) {
            // A base URL expires after about an hour, sometimes sooner.
            live.refreshes++;
            await live.refresh();
            continue;
          }
          if (status === 416 && from > 0) {
            // The leftover is not a prefix of this file: start over.
            await plan?.reset();
            await temp.restart();
            if (++live.tries >= this.#ctx.maxTries) throw err;
            continue;
          }
          if (status === 404 && video) {
            // Google answers 404 for a video it has not finished processing.
            await live.refresh();
            if (live.url.videoStatus === "PROCESSING") throw new SkipItem(PROCESSING_REASON);
            if (live.url.videoStatus === "FAILED") {
              throw new SkipItem(FAILED_VIDEO_REASON, { permanent: true });
            }
          }
          throw err;
        }
        if (response.status === 206) {
          const range = parseContentRange(response.headers.get("content-range"));
          if (!range || range.start !== from || (plan && range.total !== plan.total)) {
            await response.body?.cancel();
            await plan?.reset();
            await temp.restart();
            if (++live.tries >= this.#ctx.maxTries) {
              throw new NetworkError(`Media for "${row.path}" answered an unusable range`);
            }
            continue;
          }
          expected = range.total;
        } else {
          // The server ignored the Range header: the whole file comes again.
          if (plan?.split) await plan.reset();
          if (from > 0) await temp.restart();
          expected = parseLength(response.headers.get("content-length"));
        }
        const declared = { total: expected, etag: response.headers.get("etag") ?? undefined };
        if (!recorded || recorded.total !== declared.total || recorded.etag !== declared.etag) {
          // Before any byte lands: a run killed after the last one must know the file is whole.
          recordTransfer(this.#ctx.index, row.id, declared);
          recorded = declared;
          live.etag = declared.etag;
        }
        if (!plan && expected !== undefined && this.#ctx.splitBytes > 0) {
          if (expected > this.#ctx.splitBytes) {
            plan = new SplitPlan(expected, save);
            this.#offer(live, plan, how);
          }
        }
        const head = plan?.head;
        const before = temp.size;
        let saved = before;
        try {
          if (response.body) {
            await temp.append(response.body, {
              signal: this.#ctx.signal,
              onBytes: (n) => {
                this.#ctx.onBytes(n);
                if (!head) return;
                head.pos = temp.size;
                // Now and then, so a killed run of a split file resumes near where it was.
                if (head.pos - saved >= CHECKPOINT_BYTES) {
                  saved = head.pos;
                  plan!.checkpoint();
                }
              },
              throttle: this.#ctx.throttle,
              until: head ? () => head.end : undefined,
              byob: true,
            });
          }
        } catch (err) {
          if (this.#ctx.signal?.aborted) throw err;
          // Only a cut body is worth another request; a failed write (a full disk) or a bug is not.
          if (!(err instanceof BodyReadError || err instanceof NetworkError)) throw err;
          if (++live.tries >= this.#ctx.maxTries) {
            throw new NetworkError(
              `Transfer of "${row.path}" cut ${live.tries} times, last: ${errorText(err)}`,
              { cause: err },
            );
          }
          await this.#afterCut(temp.size > before ? 0 : ++live.stalls);
          continue;
        }
        const want = head ? head.end : expected;
        if (want !== undefined && temp.size !== want) {
          if (temp.size > want) {
            await plan?.reset();
            await temp.restart();
          }
          if (++live.tries >= this.#ctx.maxTries) {
            throw new NetworkError(
              `Transfer of "${row.path}" ended at ${temp.size} of ${want} bytes ${live.tries} times`,
            );
          }
          await this.#afterCut(temp.size > before ? 0 : ++live.stalls);
          continue;
        }
        if (!plan) break;
      }
    } finally {
      how.onPlan?.(undefined);
    }
    // Every byte is in: the next item's request can go while this one is renamed and recorded.
    how.release();
    // The caller names the file: the final path may hold another item's bytes (see the engine).
    return await temp.finish({ expectedSize: expected, whole: plan?.split });
  }

  /** Lets free slots help with `plan` (see `HelpedPlan`). */
  #offer(live: Live, plan: SplitPlan, how: TransferSetup): void {
    const onPlan = how.onPlan;
    if (!onPlan) return;
    const helped: HelpedPlan = {
      get left() {
        return plan.snapshot().reduce((sum, [, end, pos]) => sum + end - pos, 0);
      },
      offer: (minBytes) => plan.offer(minBytes),
      help: async (range) => {
        let refused = false;
        try {
          refused = await this.#fetchRange(live, plan, range) === "refused";
        } catch {
          // The item's own stream takes the range up again, with its retries and URL refreshes.
          plan.close();
        }
        if (refused) {
          // The server ignores Range (or the file changed): one stream it is.
          plan.close();
          plan.giveBack(range);
        } else {
          plan.release(range);
        }
      },
    };
    live.wake = () => onPlan(helped);
    onPlan(helped);
  }

  /**
   * The item's own stream after its head: fetches every range no helper holds, waits for those
   * helpers hold. False when the head has bytes to go again (the ranges were given up).
   */
  async #tail(live: Live, plan: SplitPlan): Promise<boolean> {
    for (;;) {
      this.#ctx.signal?.throwIfAborted();
      if (plan.complete) return true;
      // A refused range went back to the head: its stream goes on.
      if (plan.head.pos < plan.head.end) return false;
      const range = plan.next();
      if (!range) {
        await plan.changed();
        continue;
      }
      const before = range.pos;
      try {
        if (await this.#fetchRange(live, plan, range) === "refused") {
          plan.release(range);
          await plan.reset();
          await live.temp.restart();
          return false;
        }
      } catch (err) {
        plan.release(range);
        if (this.#ctx.signal?.aborted) throw err;
        const status = err instanceof ApiError ? err.status : -1;
        if (status === 403 && live.refreshes < this.#ctx.maxRefreshes) {
          live.refreshes++;
          await live.refresh();
          continue;
        }
        if (!(err instanceof BodyReadError || err instanceof NetworkError)) throw err;
        if (++live.tries >= this.#ctx.maxTries) {
          throw new NetworkError(
            `Transfer of "${live.row.path}" cut ${live.tries} times, last: ${errorText(err)}`,
            { cause: err },
          );
        }
        await this.#afterCut(range.pos > before ? 0 : ++live.stalls);
        continue;
      }
      plan.release(range);
    }
  }

  /**
   * One request for the rest of `range`, written at its offset. "refused" when the server did not
   * answer with exactly that range (it ignores Range, or the file changed under If-Range).
   */
  async #fetchRange(live: Live, plan: SplitPlan, range: ByteRange): Promise<"done" | "refused"> {
    const headers = new Headers({
      "accept-encoding": "identity",
      "range": `bytes=${range.pos}-${range.end - 1}`,
    });
    if (live.etag) headers.set("if-range", live.etag);
    const response = await this.#ctx.http.media(live.url.baseUrl + live.param, {
      bearer: this.#ctx.urls.needsBearer,
      headers,
      signal: this.#ctx.signal,
    });
    const got = response.status === 206
      ? parseContentRange(response.headers.get("content-range"))
      : undefined;
    if (!got || got.start !== range.pos || got.total !== plan.total || !response.body) {
      await response.body?.cancel();
      return "refused";
    }
    if (plan.proven()) live.wake?.();
    const writer = await RangeWriter.open(live.temp, range.pos);
    let saved = range.pos;
    try {
      await writer.append(response.body, {
        signal: this.#ctx.signal,
        until: () => range.end,
        throttle: this.#ctx.throttle,
        onBytes: (n, pos) => {
          range.pos = pos;
          this.#ctx.onBytes(n);
          if (pos - saved >= CHECKPOINT_BYTES) {
            saved = pos;
            plan.checkpoint();
          }
        },
      });
    } finally {
      writer.close();
    }
    if (range.pos < range.end) {
      throw new NetworkError(
        `Range of "${live.row.path}" ended at ${range.pos} of ${range.end} bytes`,
      );
    }
    return "done";
  }

  /** A cut that made progress resumes at once; one that made none waits a little longer each time. */
  async #afterCut(stalls: number): Promise<void> {
    if (stalls > 1) await this.#ctx.sleep(this.#ctx.cutBackoffMs * 2 ** (stalls - 2));
  }
}

/** Progress of a split transfer is recorded every this many bytes of a range. */
const CHECKPOINT_BYTES = 1 << 20;

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
