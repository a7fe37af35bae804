/**
 * The Picker source (google-api.md §3.1): a picking session, polling until the user is done, the
 * picked items listed and landed in the index as source "picker", and the session deleted. It
 * fetches nothing: `src/sync/run_pick.ts` runs the flow and hands the items to the download engine.
 */
import { ApiError, AuthError, EXIT, GphotosError } from "../../errors.ts";
import type { EventSink } from "../../events.ts";
import { silent } from "../../events.ts";
import { parseDuration } from "../../google/picker_api.ts";
import type { PickedMediaItem, PickingSession } from "../../google/types.ts";
import type { IndexPort } from "../../index/port.ts";
import { findSameItemElsewhere } from "../../index/pick_queries.ts";
import type { MediaRecord, MediaRow } from "../../index/types.ts";
import { isPickedVideo, pickedVideoStatus, recordFromPickedItem } from "./pick_records.ts";
import type { PickerUrlSource } from "./pick_urls.ts";
import { FAILED_VIDEO_REASON } from "../media_url.ts";

/** The Picker API calls the flow makes (`PickerApi`). */
export interface PickerClient {
  createSession(maxItems?: number): Promise<PickingSession>;
  getSession(id: string): Promise<PickingSession>;
  deleteSession(id: string): Promise<void>;
  pages(sessionId: string): AsyncIterable<PickedMediaItem[]>;
}

/** Why a pick failed, for scripts reading `--json` and for tests. */
export type PickFailure =
  | "timeout"
  | "expired"
  | "not_found"
  | "failed_precondition"
  | "resource_exhausted"
  | "create_failed";

/** A pick that could not go on; the message is one line saying what to do. */
export class PickError extends GphotosError {
  readonly reason: PickFailure;
  constructor(
    reason: PickFailure,
    message: string,
    options?: ErrorOptions & { exitCode?: number },
  ) {
    super(message, options?.exitCode ?? EXIT.failed, options);
    this.name = "PickError";
    this.reason = reason;
  }
}

const DEFAULT_POLL_MS = 5000;
/** Floor of the poll interval, so a "0s" interval cannot spin. */
const MIN_POLL_MS = 10;

/** Opens a picking session for at most `maxItems` items; a refusal is explained in one line. */
export async function openPickSession(
  api: PickerClient,
  maxItems: number,
): Promise<PickingSession> {
  try {
    return await api.createSession(maxItems);
  } catch (error) {
    throw explainPickError(error, "create");
  }
}

/**
 * Polls `sessions.get` at the session's `pollInterval` until the user is done (true), the signal
 * aborts (false), or `timeoutIn` runs out (a `PickError`).
 */
export async function waitForPicks(
  api: PickerClient,
  first: PickingSession,
  ctx: {
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    now: () => number;
    emit: EventSink;
    signal: AbortSignal | undefined;
  },
): Promise<boolean> {
  const started = ctx.now();
  let session = first;
  // Google's timeoutIn counts from now; keep our own deadline too, in case it never says "0s".
  const firstTimeout = parseDuration(session.pollingConfig?.timeoutIn);
  const deadline = firstTimeout === undefined ? undefined : started + firstTimeout;
  let polls = 0;
  while (session.mediaItemsSet !== true) {
    const left = timeLeft(session, deadline, ctx.now());
    if (left !== undefined && left <= 0) {
      throw new PickError(
        "timeout",
        `Picking timed out after ${formatSeconds(ctx.now() - started)} without the picked items: ` +
          `Google closed the picking session before "Done" was pressed; run "gphotos-sync pick" again`,
      );
    }
    const interval = Math.max(
      MIN_POLL_MS,
      parseDuration(session.pollingConfig?.pollInterval) ?? DEFAULT_POLL_MS,
    );
    if (ctx.signal?.aborted) return false;
    await ctx.sleep(left === undefined ? interval : Math.min(interval, left), ctx.signal);
    if (ctx.signal?.aborted) return false;
    try {
      session = await api.getSession(first.id);
    } catch (error) {
      // Ctrl-C cut the poll in flight: that is a stop, not Google's error.
      if (ctx.signal?.aborted) return false;
      throw explainPickError(error, "poll", first);
    }
    polls++;
  }
  ctx.emit({
    type: "info",
    message: `Picking done after ${polls} ${polls === 1 ? "poll" : "polls"}`,
  });
  return true;
}

function timeLeft(
  session: PickingSession,
  deadline: number | undefined,
  now: number,
): number | undefined {
  const google = parseDuration(session.pollingConfig?.timeoutIn);
  const ours = deadline === undefined ? undefined : deadline - now;
  if (google === undefined) return ours;
  if (ours === undefined) return google;
  return Math.min(google, ours);
}

/** Lists the items the user picked in a session, reporting progress. */
export async function listPicked(
  api: PickerClient,
  session: PickingSession,
  emit: EventSink = silent,
): Promise<PickedMediaItem[]> {
  const items: PickedMediaItem[] = [];
  try {
    for await (const page of api.pages(session.id)) {
      items.push(...page);
      emit({ type: "progress", phase: "pick", done: items.length });
    }
  } catch (error) {
    throw explainPickError(error, "list", session);
  }
  return items;
}

/** Settings of `landPicked`. */
export interface LandPickedOptions {
  index: IndexPort;
  /** Learns which index rows (of another source) stand for which picked ids. */
  urls: PickerUrlSource;
  /** `photos/YYYY-MM`. */
  flat?: boolean;
  onEvent?: EventSink;
}

/** Picked items in the index: each with its row, and how many were new, known or recognised. */
export interface LandedPicks {
  rows: { row: MediaRow; item: PickedMediaItem }[];
  /** Picked items new to the index. */
  added: number;
  /** Picked items the index already had under the same id. */
  known: number;
  /** Picked items the index had from another source (same name and capture time). */
  recognised: number;
}

/** Indexes the picked items; returns each item with its index row (new, known or recognised). */
export function landPicked(
  items: readonly PickedMediaItem[],
  opts: LandPickedOptions,
): LandedPicks {
  const { index, urls } = opts;
  const summary = { added: 0, known: 0, recognised: 0 };
  const records: MediaRecord[] = [];
  const rowIdOf = new Map<string, string>();
  const seenNew = new Set<string>();
  for (const item of items) {
    const rec = recordFromPickedItem(item);
    if (index.hasItem(item.id)) {
      // Ids are stable across sessions: picking an item again never adds a second row.
      summary.known++;
      records.push(rec);
      rowIdOf.set(item.id, item.id);
      continue;
    }
    const same = findSameItemElsewhere(index, rec);
    if (same) {
      summary.recognised++;
      rowIdOf.set(item.id, same.id);
      urls.alias(same.id, item.id);
      continue;
    }
    if (!seenNew.has(item.id)) {
      seenNew.add(item.id);
      records.push(rec);
    }
    rowIdOf.set(item.id, item.id);
  }
  const result = index.upsertItems(records, { flat: opts.flat });
  summary.added = result.added.length;
  index.touchItems(new Set(rowIdOf.values()));
  const emit = opts.onEvent ?? silent;
  for (const r of result.refused) emit({ type: "warning", message: r.reason });
  for (const row of result.added) {
    emit({ type: "item", phase: "pick", id: row.id, path: row.path, status: "added" });
  }
  const out: { row: MediaRow; item: PickedMediaItem }[] = [];
  const used = new Set<string>();
  for (const item of items) {
    const rowId = rowIdOf.get(item.id)!;
    if (used.has(rowId)) continue;
    used.add(rowId);
    const row = index.getItem(rowId);
    if (row) out.push({ row, item });
  }
  return { rows: out, ...summary };
}

/**
 * Why a picked video cannot be fetched now, or undefined. Only PROCESSING and FAILED say Google
 * cannot serve it: Google documents `processingStatus` but not that it is always there, so a video
 * without one (or UNSPECIFIED) is fetched like any other.
 */
export function pickedVideoSkipReason(item: PickedMediaItem): string | undefined {
  if (!isPickedVideo(item)) return undefined;
  const status = pickedVideoStatus(item);
  if (status === "PROCESSING") {
    return "video still processing in Google Photos (PROCESSING); pick it again once it is ready";
  }
  if (status === "FAILED") return FAILED_VIDEO_REASON;
  return undefined;
}

/** Turns a Picker API error into a one-line explanation with the right exit code. */
export function explainPickError(
  error: unknown,
  stage: "create" | "poll" | "list" | "download",
  session?: PickingSession,
  progress?: { done: number; of: number },
): unknown {
  if (error instanceof AuthError) {
    if (/insufficient authentication scopes/i.test(error.message)) {
      return new AuthError(
        'The saved token does not allow the Google Photos Picker; run "gphotos-sync auth TARGET ' +
          '--new-token" and allow access to the photos and videos you select',
        { cause: error },
      );
    }
    return error;
  }
  if (!(error instanceof ApiError)) return error;
  const google = `Google said ${error.status} ${error.code}`;
  if (error.code === "RESOURCE_EXHAUSTED") {
    return new PickError(
      "resource_exhausted",
      stage === "create"
        ? `Google refused a new picking session: this account has too many open sessions or the ` +
          `quota is spent (${google}); sessions close by themselves within an hour, try again later`
        : `Google's Picker quota is spent (${google}); try again later`,
      { cause: error },
    );
  }
  if (error.code === "FAILED_PRECONDITION") {
    return stage === "create"
      ? new PickError(
        "failed_precondition",
        `Google refused a picking session: the account logged in has no active Google Photos ` +
          `(${google}); run "gphotos-sync auth TARGET --new-token" with the account that holds ` +
          `your photos`,
        { cause: error, exitCode: EXIT.unauthorised },
      )
      : new PickError(
        "failed_precondition",
        `Google says picking is not finished in session "${session?.id}" (${google}); run ` +
          `"gphotos-sync pick" again`,
        { cause: error },
      );
  }
  if (stage === "create" || session === undefined) {
    // No session exists yet: the call that failed is sessions.create, not a session that vanished.
    if (error.status === 404 || error.status === 403) {
      return new PickError(
        "create_failed",
        `The Picker API call sessions.create failed (${error.message}); check ` +
          `GPHOTOS_SYNC_PICKER_URL if it is set, else try again later`,
        { cause: error },
      );
    }
    return error;
  }
  const fetched = progress === undefined
    ? "before its items were fetched"
    : `after ${progress.done} of ${progress.of} items were downloaded`;
  if (error.code === "NOT_FOUND" || error.status === 404) {
    return new PickError(
      "not_found",
      `The picking session "${session?.id}" no longer exists in Google ${fetched} (${google}); ` +
        `it was deleted elsewhere; run "gphotos-sync pick" again`,
      { cause: error },
    );
  }
  if (error.code === "PERMISSION_DENIED" || error.status === 403) {
    const when = session?.expireTime ? ` at ${session.expireTime}` : "";
    return new PickError(
      "expired",
      `The picking session expired${when} ${fetched} (${google}); run "gphotos-sync pick" ` +
        `again (what is on disk stays)`,
      { cause: error },
    );
  }
  return error;
}

/** Deletes the session; a failure is only a warning (Google ends sessions by themselves). */
export async function deletePickSession(
  api: PickerClient,
  id: string,
  emit: EventSink,
): Promise<boolean> {
  try {
    await api.deleteSession(id);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.code === "NOT_FOUND") return true;
    const text = error instanceof Error ? error.message : String(error);
    emit({ type: "warning", message: `Could not delete picking session "${id}": ${text}` });
    return false;
  }
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 120 ? `${Math.round(s / 60)} minutes` : `${s} s`;
}
