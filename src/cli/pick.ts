/** `gphotos-sync pick TARGET`: choose items in Google's picker, then download them. */
import qrcode from "qrcode-terminal";
import { EXIT } from "../errors.ts";
import { PICKER_MAX_ITEMS, PickerApi } from "../google/picker_api.ts";
import type { Tally } from "../google/pacer.ts";
import type { PickingSession } from "../google/types.ts";
import { pickAndDownload, type PickSummary } from "../sync/run_pick.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { quotaFields, threadsFrom, transferFields } from "./download.ts";
import { formatBytes } from "./reporter.ts";
import { openSession } from "./session.ts";

/** Options of `pick`. */
export interface PickCommandOptions extends GlobalOptions {
  secret?: string;
  /** Most items to pick (default and cap 2000). */
  maxItems?: number;
  /** False with `--no-browser`: only print the URL and the QR code. */
  browser?: boolean;
  maxThreads?: number;
  /** Alias of `maxThreads`; wins when given. */
  concurrency?: number;
  /** Bytes a second for all transfers together. */
  bwlimit?: number;
  useFlatPath?: boolean;
}

/**
 * Runs `pick`; returns the exit code: 0 done, 4 some items failed, 130 interrupted, 1 the session
 * failed (timed out, expired, gone, too many sessions), 3 not authorised (no Picker scope, or the
 * account has no Google Photos).
 */
export async function runPick(
  target: string,
  opts: PickCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const session = await openSession(target, { ...opts, command: "pick" }, ctx);
  let status: "ok" | "partial" | "failed" | "interrupted" = "failed";
  let summary: Record<string, unknown> | undefined;
  try {
    if ((opts.maxItems ?? 0) > PICKER_MAX_ITEMS) {
      session.reporter.warn(
        `--max-items "${opts.maxItems}" is above Google's limit; a session takes at most ${PICKER_MAX_ITEMS} items`,
      );
    }
    const picker = new PickerApi({ http: session.http, baseUrl: session.endpoints.picker });
    const result = await pickAndDownload(picker, {
      target: session.target,
      index: session.index,
      http: session.http,
      maxItems: Math.min(opts.maxItems ?? PICKER_MAX_ITEMS, PICKER_MAX_ITEMS),
      maxThreads: threadsFrom(opts),
      bwlimit: opts.bwlimit,
      flat: opts.useFlatPath,
      onEvent: (e) => session.reporter.event(e),
      onSession: (s) => showSession(s, opts, ctx, session.reporter),
      signal: ctx.signal,
      tally: session.pacer.tally,
    });
    const tally = session.pacer.tally;
    summary = pickSummaryObject(result, tally);
    session.reporter.summary(summary, pickSummaryLines(result, tally));
    status = result.interrupted ? "interrupted" : result.failed.length > 0 ? "partial" : "ok";
    return result.interrupted
      ? EXIT.interrupted
      : result.failed.length > 0
      ? EXIT.partial
      : EXIT.ok;
  } finally {
    session.close(status, summary);
  }
}

/** Shows where to pick: the URL (always, even with --quiet: the user must act), a QR code, a browser. */
function showSession(
  s: PickingSession,
  opts: PickCommandOptions,
  ctx: CliContext,
  reporter: { info(message: string): void },
): void {
  const open = opts.browser !== false;
  if (opts.json) {
    reporter.info(`Pick your items in Google Photos: ${s.pickerUri}`);
  } else {
    let text = `Pick your items in Google Photos, then press Done:\n\n  ${s.pickerUri}\n\n`;
    if (!opts.quiet) {
      qrcode.generate(s.pickerUri, { small: true }, (qr: string) => {
        text += `Or scan this with your phone:\n${qr}\n`;
      });
    }
    text += open
      ? "Opening your browser; waiting for you to finish picking (Ctrl-C stops)...\n"
      : "Waiting for you to finish picking (Ctrl-C stops)...\n";
    ctx.stderr(text);
  }
  if (open) {
    // Some openers wait for the browser to close; polling must not wait with them.
    ctx.openBrowser(s.pickerUri).catch(() => {});
  }
}

/** Calls of a pick run: the Picker's own, and any Library ones. */
export type PickTally = Pick<
  Tally,
  "apiCalls" | "mediaFetches" | "pickerCalls" | "pickerMediaFetches"
>;

/** The Picker's per-minute quotas per project (google-api.md §3.5). */
export const PICKER_QUOTA = { calls: 100_000, mediaFetches: 1_000_000 } as const;

/** The pick summary as a JSON object (the last `--json` line). */
export function pickSummaryObject(
  r: PickSummary,
  tally: PickTally,
): Record<string, unknown> {
  return {
    command: "pick",
    sessionId: r.sessionId,
    picked: r.picked,
    added: r.added,
    known: r.known,
    recognised: r.recognised,
    alreadyOnDisk: r.alreadyOnDisk,
    ...transferFields(r),
    sessionDeleted: r.sessionDeleted,
    ...quotaFields(tally),
    pickerCalls: tally.pickerCalls,
    pickerMediaFetches: tally.pickerMediaFetches,
    pickerCallsPerMinuteQuota: PICKER_QUOTA.calls,
    pickerMediaFetchesPerMinuteQuota: PICKER_QUOTA.mediaFetches,
  };
}

/** The pick summary for people. */
export function pickSummaryLines(
  r: PickSummary,
  tally: PickTally,
): string[] {
  const already = r.known + r.recognised;
  const lines = [
    `pick: ${r.picked} picked, ${r.added} new, ${already} already in the index` +
    (r.recognised ? ` (${r.recognised} from another source)` : "") +
    (r.alreadyOnDisk ? `, ${r.alreadyOnDisk} already on disk` : ""),
    `download: ${r.downloaded} downloaded (${
      formatBytes(r.bytes)
    }), ${r.skipped.length} skipped, ` +
    `${r.failed.length} failed` + (r.recorded ? `, ${r.recorded} found complete on disk` : ""),
  ];
  if (r.interrupted) {
    lines.push(
      r.picked === 0
        ? "interrupted: nothing was picked"
        : "interrupted: run pick again and choose the same items to finish (nothing is fetched twice)",
    );
  }
  for (const s of r.skipped.slice(0, 20)) lines.push(`  skipped ${s.path}: ${s.reason}`);
  if (r.skipped.length > 20) lines.push(`  ... and ${r.skipped.length - 20} more skipped`);
  for (const f of r.failed.slice(0, 20)) lines.push(`  failed ${f.path}: ${f.error}`);
  if (r.failed.length > 20) {
    lines.push(`  ... and ${r.failed.length - 20} more failed (see "gphotos-sync status")`);
  }
  lines.push(
    r.sessionDeleted
      ? `picking session ${r.sessionId} deleted`
      : `picking session ${r.sessionId} could not be deleted; Google ends it by itself`,
  );
  lines.push(
    `Picker API calls: ${tally.pickerCalls} of ${
      PICKER_QUOTA.calls.toLocaleString("en")
    } a minute; Picker media fetches: ${tally.pickerMediaFetches} of ${
      PICKER_QUOTA.mediaFetches.toLocaleString("en")
    } a minute (the Picker's quotas, not the Library API's daily ones)`,
  );
  return lines;
}
