/**
 * The download engine: fetches every indexed item whose file is not on disk, at most `maxThreads` at
 * once, each streamed to a temporary file beside its final name, hashed while streaming, renamed when
 * complete and recorded in the index. It can be fed while the index is still filling (`add`), and
 * `finish` waits for the last item. A killed run loses nothing: a file under its final name is always
 * complete, a finished file the index does not know yet is hashed and recorded instead of fetched
 * again, and a temporary file left behind is resumed with a Range request.
 */
import { dirname, join } from "node:path";
import { ApiError, AuthError } from "../errors.ts";
import type { EventSink, Phase } from "../events.ts";
import { silent } from "../events.ts";
import type { MediaOptions } from "../google/http.ts";
import { NetworkError, sleepUnlessAborted } from "../google/pacer.ts";
import type { MediaIndex } from "../index/media_index.ts";
import type { MediaRow, Source } from "../index/types.ts";
import {
  BodyReadError,
  cleanTempFiles,
  isTempName,
  resolveInside,
  TempFile,
  tempSizeFor,
} from "../files/atomic_file.ts";
import { type FileDigest, hashFile } from "../files/hash.ts";
import { Pool } from "../files/pool.ts";
import {
  forgetFinishedTransfers,
  forgetTransfer,
  recordTransfer,
  transferOf,
} from "../index/transfer_queries.ts";
import type { MediaUrl, MediaUrlSource } from "../sources/media_url.ts";
import { selectDownloads } from "./select_items.ts";
import { isVideo } from "../media/media_type.ts";

/** What the engine needs to fetch media: `GoogleHttp` in real runs (pacer, tally, token). */
export interface MediaFetcher {
  media(url: string | URL, options?: MediaOptions): Promise<Response>;
}

/** Requests counted so far: the pacer's tally. */
export interface CallTally {
  apiCalls: number;
  mediaFetches: number;
}

/** Settings of a `DownloadEngine`. */
export interface DownloadEngineOptions {
  target: string;
  index: MediaIndex;
  http: MediaFetcher;
  urls: MediaUrlSource;
  /** Transfers at once (default 16). */
  maxThreads?: number;
  /** Leave videos out. */
  skipVideo?: boolean;
  /** What the files are, for the index (default "api"). */
  fidelity?: "api" | "picker";
  /** Phase named in events and failure records (default "download"). */
  phase?: Phase;
  onEvent?: EventSink;
  /** Stops the run: no new transfers, those under way are cut; their temporary files stay. */
  signal?: AbortSignal;
  /** The pacer's tally, read for the summary's call counts. */
  tally?: CallTally;
  /** Transfers of one item (cut bodies, short bodies) before it counts as failed (default 8). */
  maxTransferTries?: number;
  /** Fresh URLs asked for one item after 403s before it counts as failed (default 3). */
  maxUrlRefreshes?: number;
  /** Pause after a cut that delivered no byte (default 500 ms, doubled each time). */
  cutBackoffMs?: number;
  /** How often byte progress is reported while transfers run (default 1000 ms). */
  progressIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Which items `addFromIndex` queues. */
export interface FromIndexOptions {
  /** Also re-check files marked downloaded: missing or of another size are fetched again. */
  retryDownload?: boolean;
  /** Sources whose items this engine can fetch (default library and album). */
  sources?: readonly Source[];
}

/** An item left for a later run, with why. */
export interface SkippedItem {
  id: string;
  path: string;
  reason: string;
}

/** An item that could not be fetched, with the last error. */
export interface FailedItem {
  id: string;
  path: string;
  error: string;
}

/** What a download run did. */
export interface DownloadSummary {
  /** Items fetched and recorded. */
  downloaded: number;
  /** Items found complete under their final name (a killed run's) and recorded without fetching. */
  recorded: number;
  /** Items marked downloaded whose file was missing or of another size (`retryDownload`). */
  rechecked: number;
  skipped: SkippedItem[];
  failed: FailedItem[];
  /** Bytes received this run. */
  bytes: number;
  /** Items queued. */
  total: number;
  /** API calls and media fetches during the engine's life (from the pacer's tally). */
  apiCalls: number;
  mediaFetches: number;
  /** The signal stopped the run before every item was tried. */
  interrupted: boolean;
}

/** How one transfer starts. */
interface TransferSetup {
  url: MediaUrl;
  video: boolean;
  mtime: Date | undefined;
  /** ETag a killed run recorded, for If-Range. */
  etag: string | undefined;
  setUrl: (url: MediaUrl) => void;
  /** Frees the item's transfer slot once its body is in: renaming and recording need no network. */
  release: () => void;
}

/** An item to leave for a later run (a video still processing). */
class SkipItem extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "SkipItem";
  }
}

const PROCESSING_REASON = "video still processing in Google Photos; tried again next run";

/** Fetches items with bounded concurrency; feed it with `add`, then await `finish`. */
export class DownloadEngine {
  readonly #target: string;
  readonly #index: MediaIndex;
  readonly #http: MediaFetcher;
  readonly #urls: MediaUrlSource;
  readonly #skipVideo: boolean;
  readonly #fidelity: "api" | "picker";
  readonly #phase: Phase;
  readonly #emit: EventSink;
  readonly #signal: AbortSignal | undefined;
  readonly #tally: CallTally | undefined;
  readonly #tallyStart: CallTally;
  readonly #maxTries: number;
  readonly #maxRefreshes: number;
  readonly #cutBackoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  #queue: MediaRow[] = [];
  #head = 0;
  readonly #seen = new Set<string>();
  /** Items whose wrong-size file must be replaced, not recorded. */
  readonly #overwrite = new Set<string>();
  /** Transfer slots: at most `maxThreads` bodies in flight. */
  readonly #slots: Pool;
  /** Items started and not yet finished (a slot is freed before its file is renamed and recorded). */
  #running = 0;
  #finishing = false;
  #fatal: unknown;
  #settled = false;
  #resolveIdle!: () => void;
  readonly #idle: Promise<void>;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastReportedBytes = -1;
  readonly #summary: DownloadSummary = {
    downloaded: 0,
    recorded: 0,
    rechecked: 0,
    skipped: [],
    failed: [],
    bytes: 0,
    total: 0,
    apiCalls: 0,
    mediaFetches: 0,
    interrupted: false,
  };
  #done = 0;

  constructor(options: DownloadEngineOptions) {
    this.#target = options.target;
    this.#index = options.index;
    this.#http = options.http;
    this.#urls = options.urls;
    this.#slots = new Pool(Math.max(1, Math.floor(options.maxThreads ?? 16)));
    this.#skipVideo = options.skipVideo ?? false;
    this.#fidelity = options.fidelity ?? "api";
    this.#phase = options.phase ?? "download";
    this.#emit = options.onEvent ?? silent;
    this.#signal = options.signal;
    this.#tally = options.tally;
    this.#tallyStart = {
      apiCalls: options.tally?.apiCalls ?? 0,
      mediaFetches: options.tally?.mediaFetches ?? 0,
    };
    this.#maxTries = options.maxTransferTries ?? 8;
    this.#maxRefreshes = options.maxUrlRefreshes ?? 3;
    this.#cutBackoffMs = options.cutBackoffMs ?? 500;
    // A Ctrl-C ends a backoff at once: the run must stop within a second or two.
    this.#sleep = options.sleep ?? ((ms) => sleepUnlessAborted(ms, options.signal));
    this.#idle = new Promise((resolve) => this.#resolveIdle = resolve);
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#emit({ type: "phase", phase: this.#phase });
    const every = options.progressIntervalMs ?? 1000;
    if (every > 0) {
      this.#timer = setInterval(() => {
        if (this.#summary.bytes !== this.#lastReportedBytes) this.#progress();
      }, every);
      // Progress alone must not keep a process alive whose caller never reached finish().
      Deno.unrefTimer(this.#timer);
    }
  }

  readonly #onAbort = () => this.#pump();

  /** Queues items (ignoring ones already queued, and videos with `skipVideo`); returns how many. */
  add(rows: Iterable<MediaRow>): number {
    if (this.#finishing && this.#settled) {
      throw new TypeError("DownloadEngine.add() called after finish() resolved");
    }
    const fresh: string[] = [];
    for (const row of rows) {
      if (this.#seen.has(row.id)) continue;
      if (this.#skipVideo && isVideo(row)) continue;
      this.#seen.add(row.id);
      this.#queue.push(row);
      fresh.push(row.id);
    }
    if (fresh.length) {
      this.#summary.total += fresh.length;
      this.#urls.hint?.(fresh);
      this.#pump();
    }
    return fresh.length;
  }

  /**
   * Queues what the index has and the disk lacks: pending items of `sources`, and with
   * `retryDownload` also items marked downloaded whose file is missing or of another size.
   */
  async addFromIndex(opts: FromIndexOptions = {}): Promise<number> {
    const selected = await selectDownloads(this.#target, this.#index, {
      ...opts,
      skipVideo: this.#skipVideo,
    });
    for (const { row, recheck } of selected) {
      if (recheck === undefined) continue;
      this.#summary.rechecked++;
      if (recheck === "missing") {
        // Nothing on disk to protect: make it pending, so even a killed run leaves it to fetch.
        this.#index.markNotDownloaded(row.id);
      } else {
        // Keep it marked until replaced: a pending item with a file would be recorded as is.
        this.#overwrite.add(row.id);
      }
    }
    return this.add(selected.map((s) => s.row));
  }

  /**
   * No more items will come: waits for the queue to drain, removes stale temporary files and
   * returns the summary. Throws an `AuthError` that stopped the run.
   */
  async finish(): Promise<DownloadSummary> {
    this.#finishing = true;
    this.#pump();
    await this.#idle;
    this.#settled = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#progress();
    this.#summary.interrupted = this.#signal?.aborted === true && this.#done < this.#summary.total;
    if (this.#fatal !== undefined) throw this.#fatal;
    if (!this.#summary.interrupted) await sweepTempFiles(this.#target, this.#index);
    if (this.#tally) {
      this.#summary.apiCalls = this.#tally.apiCalls - this.#tallyStart.apiCalls;
      this.#summary.mediaFetches = this.#tally.mediaFetches - this.#tallyStart.mediaFetches;
    }
    return this.#summary;
  }

  #stopped(): boolean {
    return this.#fatal !== undefined || this.#signal?.aborted === true;
  }

  #pump(): void {
    while (!this.#stopped() && this.#head < this.#queue.length) {
      const slot = this.#slots.tryAcquire();
      if (!slot) break;
      const row = this.#queue[this.#head++];
      // Drop the consumed front now and then, so a long run does not keep every row.
      if (this.#head >= 4096 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#running++;
      // The transfer frees its slot once the body is in; a second call only pumps again.
      const release = () => {
        slot();
        this.#pump();
      };
      this.#one(row, release).finally(() => {
        this.#running--;
        release();
      });
    }
    const drained = this.#head >= this.#queue.length || this.#stopped();
    if (this.#finishing && this.#running === 0 && drained) this.#resolveIdle();
  }

  async #one(row: MediaRow, release: () => void): Promise<void> {
    try {
      const outcome = await this.#fetchItem(row, release);
      if (outcome === "recorded") this.#summary.recorded++;
      else this.#summary.downloaded++;
      this.#done++;
      this.#emit({
        type: "item",
        phase: this.#phase,
        id: row.id,
        path: row.path,
        status: "downloaded",
        ...(outcome === "recorded" ? { reason: "found complete on disk" } : {}),
      });
    } catch (err) {
      if (err instanceof SkipItem) {
        this.#done++;
        this.#summary.skipped.push({ id: row.id, path: row.path, reason: err.message });
        this.#emit({
          type: "item",
          phase: this.#phase,
          id: row.id,
          path: row.path,
          status: "skipped",
          reason: err.message,
        });
      } else if (this.#signal?.aborted) {
        // Interrupted, not failed: the next run takes it up again.
        return;
      } else if (err instanceof AuthError) {
        // Every other item would fail the same way: stop and say so once.
        this.#fatal ??= err;
      } else {
        this.#done++;
        const error = errorText(err);
        this.#index.recordFailure(row.id, this.#phase, error);
        this.#summary.failed.push({ id: row.id, path: row.path, error });
        this.#emit({
          type: "item",
          phase: this.#phase,
          id: row.id,
          path: row.path,
          status: "failed",
          reason: error,
        });
      }
    } finally {
      this.#urls.invalidate(row.id);
    }
    this.#progress();
  }

  #progress(): void {
    this.#lastReportedBytes = this.#summary.bytes;
    this.#emit({
      type: "progress",
      phase: this.#phase,
      done: this.#done,
      total: this.#summary.total,
      bytes: this.#summary.bytes,
    });
  }

  async #fetchItem(row: MediaRow, release: () => void): Promise<"downloaded" | "recorded"> {
    const finalPath = resolveInside(this.#target, row.path);
    const mtime = row.captureTime ? new Date(row.captureTime) : undefined;
    if (!this.#overwrite.has(row.id)) {
      const info = await lstatOrUndefined(finalPath);
      if (info) {
        if (!info.isFile) {
          throw new Error(`Path "${row.path}" is taken by something that is not a file`);
        }
        // Renamed into place by a run killed before it could record it: the file is complete.
        const digest = await hashFile(finalPath);
        this.#record(row, digest);
        return "recorded";
      }
    }
    // A killed run may have received every byte without renaming: finish it without a fetch.
    const leftover = await tempSizeFor(this.#target, row.path);
    const known = leftover > 0 ? transferOf(this.#index, row.id) : undefined;
    if (known?.total === leftover) {
      const temp = await TempFile.open(this.#target, row.path, { resume: true });
      this.#record(row, await temp.commit({ expectedSize: leftover, mtime }));
      return "recorded";
    }
    const video = isVideo(row);
    let url = await this.#urls.urlFor(row);
    if (video) this.#checkVideo(url, row);
    const temp = await TempFile.open(this.#target, row.path, { resume: true });
    let digest: FileDigest;
    try {
      digest = await this.#transfer(row, temp, {
        url,
        video,
        mtime,
        etag: known?.etag ?? undefined,
        setUrl: (fresh) => url = fresh,
        release,
      });
    } catch (err) {
      // Keep received bytes for the next run to resume; an empty file is of no use.
      if (this.#signal?.aborted || temp.size > 0) {
        temp.close();
      } else {
        await temp.discard();
        forgetTransfer(this.#index, row.id);
      }
      throw err;
    }
    this.#record(row, digest);
    return "downloaded";
  }

  #record(row: MediaRow, digest: FileDigest): void {
    this.#index.markDownloaded(row.id, { ...digest, fidelity: this.#fidelity });
    forgetTransfer(this.#index, row.id);
    this.#overwrite.delete(row.id);
  }

  #checkVideo(url: MediaUrl, row: MediaRow): void {
    const status = url.videoStatus ?? row.videoStatus ?? "UNSPECIFIED";
    if (status === "PROCESSING") throw new SkipItem(PROCESSING_REASON);
    if (status === "FAILED") {
      throw new Error("Google Photos could not process this video (status FAILED)");
    }
  }

  /** Transfers until the file is complete: resumes cut bodies, refreshes refused URLs. */
  async #transfer(row: MediaRow, temp: TempFile, how: TransferSetup): Promise<FileDigest> {
    let url = how.url;
    let etag = how.etag;
    const video = how.video;
    let tries = 0;
    let refreshes = 0;
    let stalls = 0;
    let recorded: { total?: number; etag?: string } | undefined;
    const param = video ? "=dv" : "=d";
    const refresh = async () => {
      this.#urls.invalidate(row.id);
      url = await this.#urls.urlFor(row);
      how.setUrl(url);
    };
    for (;;) {
      this.#signal?.throwIfAborted();
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
        response = await this.#http.media(url.baseUrl + param, {
          bearer: this.#urls.needsBearer,
          headers,
          signal: this.#signal,
        });
      } catch (err) {
        const status = err instanceof ApiError ? err.status : -1;
        if (status === 403 && refreshes < this.#maxRefreshes) {
          // A base URL expires after about an hour, sometimes sooner.
          refreshes++;
          await refresh();
          continue;
        }
        if (status === 416 && from > 0) {
          // The leftover is not a prefix of this file: start over.
          await temp.restart();
          if (++tries >= this.#maxTries) throw err;
          continue;
        }
        if (status === 404 && video) {
          // Google answers 404 for a video it has not finished processing.
          await refresh();
          if (url.videoStatus === "PROCESSING") throw new SkipItem(PROCESSING_REASON);
        }
        throw err;
      }
      let expected: number | undefined;
      if (response.status === 206) {
        const range = parseContentRange(response.headers.get("content-range"));
        if (!range || range.start !== from) {
          await response.body?.cancel();
          await temp.restart();
          if (++tries >= this.#maxTries) {
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
        recordTransfer(this.#index, row.id, declared);
        recorded = declared;
        etag = declared.etag;
      }
      const before = temp.size;
      try {
        if (response.body) {
          await temp.append(response.body, {
            signal: this.#signal,
            onBytes: (n) => this.#summary.bytes += n,
            byob: true,
          });
        }
      } catch (err) {
        if (this.#signal?.aborted) throw err;
        // Only a cut body is worth another request; a failed write (a full disk) or a bug is not.
        if (!(err instanceof BodyReadError || err instanceof NetworkError)) throw err;
        if (++tries >= this.#maxTries) {
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
        if (++tries >= this.#maxTries) {
          throw new NetworkError(
            `Transfer of "${row.path}" ended at ${temp.size} of ${expected} bytes ${tries} times`,
          );
        }
        await this.#afterCut(temp.size > before ? 0 : ++stalls);
        continue;
      }
      // Every byte is in: the next item's request can go while this one is renamed and recorded.
      how.release();
      return await temp.commit({ expectedSize: expected, mtime: how.mtime });
    }
  }

  /** A cut that made progress resumes at once; one that made none waits a little longer each time. */
  async #afterCut(stalls: number): Promise<void> {
    if (stalls > 1) await this.#sleep(this.#cutBackoffMs * 2 ** (stalls - 2));
  }
}

/**
 * Fetches what the index has and the disk lacks, in one call: `addFromIndex` then `finish`. `sync`
 * instead feeds an engine with `add` while the index fills.
 */
export async function downloadPending(
  options: DownloadEngineOptions,
  from: FromIndexOptions = {},
): Promise<DownloadSummary> {
  const engine = new DownloadEngine(options);
  await engine.addFromIndex(from);
  return await engine.finish();
}

/**
 * Removes temporary files under `TARGET/photos` except those of items still pending (which a later
 * run resumes); returns how many went.
 */
export async function sweepTempFiles(target: string, index: MediaIndex): Promise<number> {
  forgetFinishedTransfers(index);
  const keep = new Map<string, Set<string>>();
  for (const row of index.pendingItems()) {
    const dir = dirname(row.path);
    let names = keep.get(dir);
    if (!names) keep.set(dir, names = new Set());
    names.add(row.path.slice(dir.length + 1));
  }
  let removed = 0;
  const walk = async (rel: string): Promise<void> => {
    let hasTemp = false;
    const subdirs: string[] = [];
    try {
      for await (const entry of Deno.readDir(join(target, rel))) {
        if (entry.isDirectory) subdirs.push(`${rel}/${entry.name}`);
        else if (entry.isFile && isTempName(entry.name)) hasTemp = true;
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    if (hasTemp) {
      removed += (await cleanTempFiles(join(target, rel), { keep: keep.get(rel) })).length;
    }
    for (const sub of subdirs) await walk(sub);
  };
  await walk("photos");
  return removed;
}

async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
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

function parseLength(header: string | null): number | undefined {
  return header !== null && /^\s*\d+\s*$/.test(header) ? Number(header) : undefined;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}
