/**
 * The `pick` flow: open a picking session, wait for the user, land the picked items in the index
 * (the Picker source), download them through the download engine, then delete the session, also
 * when the run fails or is interrupted.
 */
import { sleepUnlessAborted, type Tally } from "../google/pacer.ts";
import type { EventSink } from "../events.ts";
import { silent } from "../events.ts";
import { PICKER_MAX_ITEMS } from "../google/picker_api.ts";
import type { PickingSession } from "../google/types.ts";
import type { MediaIndex } from "../index/media_index.ts";
import type { MediaRow } from "../index/types.ts";
import {
  deletePickSession,
  explainPickError,
  landPicked,
  listPicked,
  openPickSession,
  pickedVideoSkipReason,
  type PickerClient,
  waitForPicks,
} from "../sources/picker/pick.ts";
import { PickerUrlSource } from "../sources/picker/pick_urls.ts";
import { FAILED_VIDEO_REASON } from "../sources/media_url.ts";
import {
  DownloadEngine,
  type FailedItem,
  type MediaFetcher,
  type SkippedItem,
} from "./download_engine.ts";

/** Settings of `pickAndDownload`. */
export interface PickOptions {
  target: string;
  index: MediaIndex;
  /** Fetches media with the bearer token (`GoogleHttp`). */
  http: MediaFetcher;
  /** Most items the user may pick (default and cap 2000). */
  maxItems?: number;
  /** Parallel downloads (default 16). */
  maxThreads?: number;
  /** Bytes a second for all transfers together. */
  bwlimit?: number;
  /** `photos/YYYY-MM`. */
  flat?: boolean;
  onEvent?: EventSink;
  /** Told the new session, to show its `pickerUri` (and a QR code) and open a browser. */
  onSession?: (session: PickingSession) => void | Promise<void>;
  /** Ctrl-C: stop polling or downloading, delete the session, return an interrupted summary. */
  signal?: AbortSignal;
  /** The pacer's tally, for the summary's call counts. */
  tally?: Tally;
  /** Waits between polls; resolves early when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** What a pick did. */
export interface PickSummary {
  sessionId: string;
  /** Items the user picked (as listed). */
  picked: number;
  /** Picked items new to the index. */
  added: number;
  /** Picked items the index already had under the same id. */
  known: number;
  /** Picked items the index had from another source (same name and capture time). */
  recognised: number;
  /** Picked items whose file was already on disk. */
  alreadyOnDisk: number;
  downloaded: number;
  /** Found complete on disk (a killed run's) and recorded without fetching. */
  recorded: number;
  skipped: SkippedItem[];
  failed: FailedItem[];
  bytes: number;
  /** Picker API calls and media fetches of the whole flow (the Picker's per-minute quotas). */
  pickerCalls: number;
  pickerMediaFetches: number;
  /** Ctrl-C ended the run early. */
  interrupted: boolean;
  /** The session was deleted at the end (false only if Google refused the delete). */
  sessionDeleted: boolean;
}

/**
 * Runs one pick: session, polling, index, downloads, delete. Throws a `PickError` (exit 1, or 3 when
 * the account has no Google Photos) or an `AuthError` (exit 3); the session is deleted either way.
 */
export async function pickAndDownload(api: PickerClient, opts: PickOptions): Promise<PickSummary> {
  const emit = opts.onEvent ?? silent;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? sleepUnlessAborted;
  const tallyStart = {
    pickerCalls: opts.tally?.pickerCalls ?? 0,
    pickerMediaFetches: opts.tally?.pickerMediaFetches ?? 0,
  };
  const maxItems = Math.min(opts.maxItems ?? PICKER_MAX_ITEMS, PICKER_MAX_ITEMS);
  emit({ type: "phase", phase: "pick" });
  const session = await openPickSession(api, maxItems);
  const summary: PickSummary = {
    sessionId: session.id,
    picked: 0,
    added: 0,
    known: 0,
    recognised: 0,
    alreadyOnDisk: 0,
    downloaded: 0,
    recorded: 0,
    skipped: [],
    failed: [],
    bytes: 0,
    pickerCalls: 0,
    pickerMediaFetches: 0,
    interrupted: false,
    sessionDeleted: false,
  };
  try {
    await opts.onSession?.(session);
    const done = await waitForPicks(api, session, { sleep, now, emit, signal: opts.signal });
    if (!done) {
      summary.interrupted = true;
      return summary;
    }
    const items = await listPicked(api, session, emit);
    summary.picked = items.length;
    const urls = new PickerUrlSource({ api, sessionId: session.id, now });
    urls.seed(items);
    const landed = landPicked(items, { index: opts.index, urls, flat: opts.flat, onEvent: emit });
    summary.added = landed.added;
    summary.known = landed.known;
    summary.recognised = landed.recognised;
    emit({
      type: "info",
      message: `Picked ${items.length} items: ${summary.added} new, ` +
        `${summary.known + summary.recognised} already in the index`,
    });
    const toFetch: MediaRow[] = [];
    for (const { row, item } of landed.rows) {
      if (row.downloadedAt !== null) {
        summary.alreadyOnDisk++;
        continue;
      }
      const reason = pickedVideoSkipReason(item);
      if (reason !== undefined) {
        // Recorded as sync and download record it, so `status` lists it the same way.
        if (reason === FAILED_VIDEO_REASON) opts.index.markSkipped(row.id, reason);
        summary.skipped.push({ id: row.id, path: row.path, reason });
        emit({
          type: "item",
          phase: "pick",
          id: row.id,
          path: row.path,
          status: "skipped",
          reason,
        });
        continue;
      }
      toFetch.push(row);
    }
    if (opts.signal?.aborted) {
      summary.interrupted = true;
      return summary;
    }
    const engine = new DownloadEngine({
      target: opts.target,
      index: opts.index,
      http: opts.http,
      urls,
      maxThreads: opts.maxThreads,
      bwlimit: opts.bwlimit,
      fidelity: "picker",
      phase: "pick",
      onEvent: emit,
      signal: opts.signal,
      tally: opts.tally,
    });
    engine.add(toFetch);
    const result = await engine.finish();
    summary.downloaded = result.downloaded;
    summary.recorded = result.recorded;
    summary.skipped.push(...result.skipped);
    summary.failed = result.failed;
    summary.bytes = result.bytes;
    summary.interrupted = result.interrupted;
    if (urls.sessionGone) {
      // Every item left failed the same way; one line says why and what to do.
      throw explainPickError(urls.sessionGone, "download", session, {
        done: summary.downloaded + summary.recorded,
        of: toFetch.length,
      });
    }
    return summary;
  } finally {
    summary.sessionDeleted = await deletePickSession(api, session.id, emit);
    if (opts.tally) {
      summary.pickerCalls = opts.tally.pickerCalls - tallyStart.pickerCalls;
      summary.pickerMediaFetches = opts.tally.pickerMediaFetches - tallyStart.pickerMediaFetches;
    }
  }
}
