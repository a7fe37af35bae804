/**
 * The download engine: fetches every indexed item whose file is not on disk, at most `maxThreads` at
 * once, each streamed to a temporary file in `.gphotos-tmp/`, hashed while streaming, renamed when
 * complete and recorded in the index. It can be fed while the index is still filling (`add`), and
 * `finish` waits for the last item. A killed run loses nothing: a file under its final name is always
 * complete, a finished file the index does not know yet is hashed and recorded instead of fetched
 * again, and a temporary file left behind is resumed with a Range request.
 */
import { lstatOrUndefined } from "../files/file_info.ts";
import { AuthError, DailyQuotaError, isDiskFull } from "../errors.ts";
import type { EventSink, Phase } from "../events.ts";
import { silent } from "../events.ts";
import { sleepUnlessAborted } from "../google/pacer.ts";
import type { MediaIndex } from "../index/media_index.ts";
import { diskFullError } from "../index/space_queries.ts";
import type { MediaRow, Source } from "../index/types.ts";
import { resolveInside, TempFile, tempSizeFor } from "../files/atomic_file.ts";
import { type FileDigest, hashFile } from "../files/hash.ts";
import { Pool } from "../files/pool.ts";
import { forgetTransfer, recordRanges, transferOf } from "../index/transfer_queries.ts";
import { TokenBucket } from "./bandwidth_limit.ts";
import { usableRanges } from "./split_plan.ts";
import { FAILED_VIDEO_REASON, type MediaUrl, type MediaUrlSource } from "../sources/media_url.ts";
import { selectDownloads } from "./select_items.ts";
import { DownloadQueue } from "./download_queue.ts";
import { isVideo } from "../media/media_type.ts";
import { type Fetched, type PlaceHow, Placement } from "./placement.ts";
import { adoptLegacyTempOf, sweepTempFiles } from "./temp_sweep.ts";
import {
  errorText,
  type HelpedPlan,
  ItemTransfers,
  type MediaFetcher,
  PROCESSING_REASON,
  SkipItem,
} from "./transfer.ts";

export type { MediaFetcher } from "./transfer.ts";
export type { CallTally, DownloadSummary, FailedItem, SkippedItem } from "./download_summary.ts";
import type { CallTally, DownloadSummary } from "./download_summary.ts";

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
  /** Bytes a second for all transfers together (`--bwlimit`); unset: no limit, no cost. */
  bwlimit?: number;
  /**
   * A transfer with more bytes than this to go is split into parallel ranges when slots are free
   * and the queue is empty (default 8 MiB; 0 never splits).
   */
  splitBytes?: number;
  /** How often byte progress is reported while transfers run (default 1000 ms). */
  progressIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Which items `addFromIndex` queues. */
export interface FromIndexOptions {
  /** Also re-check files marked downloaded: missing or of another size are fetched again. */
  retryDownload?: boolean;
  /** With `retryDownload`: also files whose SHA-256 differs from the index. */
  checksum?: boolean;
  /** Sources whose items this engine can fetch (default library and album). */
  sources?: readonly Source[];
}

/** Fetches items with bounded concurrency; feed it with `add`, then await `finish`. */
export class DownloadEngine {
  readonly #target: string;
  readonly #index: MediaIndex;
  readonly #urls: MediaUrlSource;
  readonly #skipVideo: boolean;
  readonly #fidelity: "api" | "picker";
  readonly #phase: Phase;
  readonly #emit: EventSink;
  readonly #signal: AbortSignal | undefined;
  readonly #tally: CallTally | undefined;
  readonly #tallyStart: CallTally;
  readonly #transfers: ItemTransfers;
  /** Waiting items, big first. */
  readonly #queue = new DownloadQueue();
  readonly #seen = new Set<string>();
  readonly #placement: Placement;
  /** Items whose wrong-size file must be replaced, not recorded. */
  readonly #overwrite = new Set<string>();
  /** Transfer slots: at most `maxThreads` bodies in flight. */
  readonly #slots: Pool;
  /** Transfers free slots may help, by item. */
  readonly #plans = new Map<string, HelpedPlan>();
  readonly #splitBytes: number;
  /** Items started and not yet finished (a slot is freed before its file is renamed and recorded). */
  #running = 0;
  #finishing = false;
  #fatal: unknown;
  #settled = false;
  #resolveIdle!: () => void;
  readonly #idle: Promise<void>;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastReportedBytes = -1;
  /** Every byte received, finished or not: the progress line's rate. */
  #received = 0;
  /** Sizes of files recorded, until `#one` counts them (only fetched ones count). */
  readonly #recordedSizes = new Map<string, number>();
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
    this.#splitBytes = options.splitBytes ?? 8 * 1024 * 1024;
    const bucket = options.bwlimit ? new TokenBucket(options.bwlimit) : undefined;
    this.#transfers = new ItemTransfers({
      http: options.http,
      urls: options.urls,
      index: options.index,
      signal: options.signal,
      maxTries: options.maxTransferTries ?? 8,
      maxRefreshes: options.maxUrlRefreshes ?? 3,
      cutBackoffMs: options.cutBackoffMs ?? 500,
      // A Ctrl-C ends a backoff at once: the run must stop within a second or two.
      sleep: options.sleep ?? ((ms) => sleepUnlessAborted(ms, options.signal)),
      onBytes: (n) => this.#received += n,
      throttle: bucket ? (n) => bucket.take(n) : undefined,
      splitBytes: this.#splitBytes,
    });
    this.#placement = new Placement({
      target: this.#target,
      index: this.#index,
      emit: this.#emit,
      record: (row, digest) => this.#record(row, digest),
    });
    this.#idle = new Promise((resolve) => this.#resolveIdle = resolve);
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#emit({ type: "phase", phase: this.#phase });
    const every = options.progressIntervalMs ?? 1000;
    if (every > 0) {
      this.#timer = setInterval(() => {
        if (this.#received !== this.#lastReportedBytes) this.#progress();
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
   * returns the summary. Throws the `AuthError` or `DiskFullError` that stopped the run.
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
    while (!this.#stopped() && this.#queue.length > 0) {
      const slot = this.#slots.tryAcquire();
      if (!slot) break;
      const row = this.#queue.shift()!;
      this.#running++;
      // The transfer frees its slot once the body is in; a second call only pumps again.
      const release = () => {
        slot();
        this.#pump();
      };
      this.#one(row, release).catch((err) => this.#stop(err)).finally(() => {
        this.#running--;
        release();
      });
    }
    if (this.#queue.length === 0) this.#help();
    const drained = this.#queue.length === 0 || this.#stopped();
    if (this.#finishing && this.#running === 0 && drained) this.#resolveIdle();
  }

  /** Free slots and nothing queued: split the transfers with the most bytes to go. */
  #help(): void {
    while (!this.#stopped() && this.#plans.size > 0) {
      const slot = this.#slots.tryAcquire();
      if (!slot) return;
      const plans = [...this.#plans.values()].sort((a, b) => b.left - a.left);
      let started = false;
      for (const plan of plans) {
        const range = plan.offer(this.#splitBytes);
        if (!range) continue;
        started = true;
        // A helper's own failures go back to the item's stream; what escapes (the index failing
        // to record a range) stops the run like any failed write.
        plan.help(range).catch((err) => this.#stop(err)).finally(() => {
          slot();
          this.#pump();
        });
        break;
      }
      if (!started) {
        slot();
        return;
      }
    }
  }

  async #one(row: MediaRow, release: () => void): Promise<void> {
    try {
      const { outcome, path } = await this.#fetchItem(row, release);
      if (outcome === "recorded") this.#summary.recorded++;
      else {
        this.#summary.downloaded++;
        this.#summary.bytes += this.#recordedSizes.get(row.id) ?? 0;
      }
      this.#done++;
      this.#emit({
        type: "item",
        phase: this.#phase,
        id: row.id,
        path,
        status: "downloaded",
        ...(outcome === "recorded" ? { reason: "found complete on disk" } : {}),
      });
    } catch (err) {
      if (err instanceof SkipItem) {
        this.#done++;
        if (err.permanent) this.#index.markSkipped(row.id, err.message);
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
      } else if (err instanceof AuthError || err instanceof DailyQuotaError || isDiskFull(err)) {
        // Every other item would fail the same way (on a full disk, recording the failure too):
        // stop and say so once.
        this.#stop(err);
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
      this.#recordedSizes.delete(row.id);
      this.#urls.invalidate(row.id);
    }
    this.#progress();
  }

  /** Stops the run for good: no new transfers; `finish` throws this error. */
  #stop(err: unknown): void {
    this.#fatal ??= isDiskFull(err) ? diskFullError(this.#index, this.#target, err) : err;
  }

  #progress(): void {
    this.#lastReportedBytes = this.#received;
    this.#emit({
      type: "progress",
      phase: this.#phase,
      done: this.#done,
      total: this.#summary.total,
      bytes: this.#received,
    });
  }

  async #fetchItem(row: MediaRow, release: () => void): Promise<Fetched> {
    const mtime = row.captureTime ? new Date(row.captureTime) : undefined;
    const overwrite = this.#overwrite.has(row.id);
    if (!overwrite) {
      // Renamed into place by a run killed before it could record it: the digest it wrote just
      // before the rename proves the file is this item's, without fetching it again.
      const done = transferOf(this.#index, row.id)?.done;
      const finalPath = resolveInside(this.#target, row.path);
      const info = done ? await lstatOrUndefined(finalPath) : undefined;
      if (done && info?.isFile && info.size === done.size) {
        const digest = await hashFile(finalPath);
        if (digest.sha256 === done.sha256) {
          this.#record(row, digest);
          return { outcome: "recorded", path: row.path };
        }
      }
    }
    // A killed run may have received every byte without renaming: finish it without a fetch.
    await adoptLegacyTempOf(this.#target, this.#index, row);
    const leftover = await tempSizeFor(this.#target, row.path);
    const record = transferOf(this.#index, row.id);
    const known = leftover > 0 ? record : undefined;
    // A split transfer's file is as long as its last range reached, not as its bytes in.
    const ranges = usableRanges(known?.ranges, known?.total, leftover);
    if (record?.ranges && !ranges) recordRanges(this.#index, row.id, null);
    if (known?.total === leftover && !known.ranges) {
      const temp = await TempFile.open(this.#target, row.path, { resume: true });
      const digest = await temp.finish({ expectedSize: leftover });
      return await this.#place(row, temp, { digest, mtime, overwrite, fetched: false });
    }
    const video = isVideo(row);
    let url = await this.#urls.urlFor(row);
    if (video) this.#checkVideo(url, row);
    const temp = await TempFile.open(this.#target, row.path, {
      // Ranges that cannot be trusted leave bytes of unknown worth: start over.
      resume: !known?.ranges || ranges !== undefined,
      prefix: ranges?.[0][2],
    });
    let digest: FileDigest;
    try {
      digest = await this.#transfers.run(row, temp, {
        url,
        video,
        etag: known?.etag ?? undefined,
        setUrl: (fresh) => url = fresh,
        release,
        ranges,
        onPlan: (plan) => {
          if (plan) this.#plans.set(row.id, plan);
          else this.#plans.delete(row.id);
          if (plan) this.#pump();
        },
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
    return await this.#place(row, temp, { digest, mtime, overwrite, fetched: true });
  }

  /** Puts the complete file under the item's name, or adopts its file (see `Placement`). */
  #place(row: MediaRow, temp: TempFile, how: PlaceHow): Promise<Fetched> {
    return this.#placement.place(row, temp, how);
  }

  #record(row: MediaRow, digest: FileDigest): void {
    this.#index.markDownloaded(row.id, { ...digest, fidelity: this.#fidelity });
    this.#recordedSizes.set(row.id, digest.size);
    forgetTransfer(this.#index, row.id);
    this.#overwrite.delete(row.id);
  }

  #checkVideo(url: MediaUrl, row: MediaRow): void {
    const status = url.videoStatus ?? row.videoStatus ?? "UNSPECIFIED";
    if (status === "PROCESSING") throw new SkipItem(PROCESSING_REASON);
    // Google says it cannot serve it: no rerun fixes that, so it is skipped, not failed.
    if (status === "FAILED") throw new SkipItem(FAILED_VIDEO_REASON, { permanent: true });
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
