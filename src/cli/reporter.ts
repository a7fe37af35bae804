/** Renders core events: a progress bar on a terminal, nothing when piped, JSON lines with --json. */
import type { RunEvent } from "../events.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { formatBytes, formatDuration } from "../format.ts";

export { formatBytes, formatDuration } from "../format.ts";

/** An event sink plus the final summary. */
export interface Reporter {
  event(e: RunEvent): void;
  /** A message for the user (stderr; a JSON event with --json). */
  info(message: string): void;
  warn(message: string): void;
  /** Prints the summary: a table on stdout, or the last JSON line. */
  summary(obj: Record<string, unknown>, lines: string[]): void;
  /** Clears the bar. */
  close(): void;
}

/** Makes the reporter for a command's options; every line also goes to `--log-file`. */
export function createReporter(ctx: CliContext, opts: GlobalOptions): Reporter {
  const started = ctx.startedAt ?? performance.now();
  if (opts.json) return new JsonReporter(ctx);
  return new TerminalReporter(ctx, opts, started);
}

/** `-v` → 1, `-vv` → 2; a plain `verbose: true` (tests, older callers) is 1. */
function verbosity(opts: GlobalOptions): number {
  return typeof opts.verbose === "number" ? opts.verbose : opts.verbose ? 1 : 0;
}

/** Writes an event to the log file at the level its kind deserves. */
function logEvent(ctx: CliContext, e: RunEvent): void {
  const log = ctx.log;
  if (!log) return;
  switch (e.type) {
    case "phase":
      log.write("info", `${e.phase}: started${e.total !== undefined ? ` (${e.total})` : ""}`);
      break;
    case "progress":
      log.write(
        "debug",
        `${e.phase}: ${e.done}${e.total !== undefined ? `/${e.total}` : ""}` +
          (e.bytes !== undefined ? ` ${formatBytes(e.bytes)}` : ""),
      );
      break;
    case "item":
      log.write(
        e.status === "failed" ? "error" : "info",
        `${e.phase}: ${e.status}: ${e.path ?? e.id}${e.reason ? ` (${e.reason})` : ""}`,
      );
      break;
    case "warning":
      log.write("warn", e.message);
      break;
    case "info":
      log.write("info", e.message);
      break;
  }
}

/** At most this often a phase's progress is printed as JSON; its last one comes before the summary. */
const JSON_PROGRESS_MS = 100;

/** JSON lines are written in batches of up to this many characters ... */
const JSON_BATCH_CHARS = 64 * 1024;
/** ... or once the oldest waiting line is this old. */
const JSON_BATCH_MS = 50;

/**
 * Lines for a context's stdout not yet written: one write per batch, not per line (5,000 unchanged
 * entries of a re-import spent 60 ms writing a line each). Flushed by size, by age, by a summary,
 * by `close`, and when the process exits however it exits. One per context, so the lines of every
 * reporter of a run keep their order.
 */
class LineBuffer {
  #out: (text: string) => void;
  #pending = "";
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(out: (text: string) => void) {
    this.#out = out;
  }

  write(line: string): void {
    if (this.#pending === "") waiting.add(this);
    this.#pending += line;
    if (this.#pending.length >= JSON_BATCH_CHARS) {
      this.flush();
    } else if (this.#timer === undefined) {
      const timer = setTimeout(() => this.flush(), JSON_BATCH_MS);
      // A waiting line never keeps the process alive: exiting flushes it.
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    waiting.delete(this);
    if (this.#pending === "") return;
    const text = this.#pending;
    this.#pending = "";
    this.#out(text);
  }
}

/** Buffers holding lines, all written when the process exits, however it exits. */
const waiting = new Set<LineBuffer>();
globalThis.addEventListener("unload", () => {
  for (const buffer of [...waiting]) buffer.flush();
});

const lineBuffers = new WeakMap<CliContext, LineBuffer>();

function lineBufferOf(ctx: CliContext): LineBuffer {
  let buffer = lineBuffers.get(ctx);
  if (!buffer) lineBuffers.set(ctx, buffer = new LineBuffer((text) => ctx.stdout(text)));
  return buffer;
}

/** Writes the JSON lines still waiting for `ctx`'s stdout. */
export function flushLines(ctx: CliContext): void {
  lineBuffers.get(ctx)?.flush();
}

class JsonReporter implements Reporter {
  #ctx: CliContext;
  /** Per phase: when its progress was last printed, and a newer one held back since. */
  #progress = new Map<string, { at: number; held?: RunEvent }>();
  #lines: LineBuffer;
  constructor(ctx: CliContext) {
    this.#ctx = ctx;
    this.#lines = lineBufferOf(ctx);
  }
  event(e: RunEvent): void {
    logEvent(this.#ctx, e);
    if (e.type === "progress") {
      // A line per item would cost a re-import of 100,000 unchanged entries seconds of writes.
      const now = performance.now();
      const last = this.#progress.get(e.phase);
      const finished = e.total !== undefined && e.done >= e.total;
      if (last && now - last.at < JSON_PROGRESS_MS && !finished) {
        last.held = e;
        return;
      }
      this.#progress.set(e.phase, { at: now });
    }
    this.#lines.write(JSON.stringify(e) + "\n");
  }
  #flushProgress(): void {
    for (const p of this.#progress.values()) {
      if (p.held) this.#lines.write(JSON.stringify(p.held) + "\n");
      p.held = undefined;
    }
  }
  info(message: string): void {
    this.event({ type: "info", message });
  }
  warn(message: string): void {
    this.event({ type: "warning", message });
  }
  summary(obj: Record<string, unknown>): void {
    this.#flushProgress();
    const line = JSON.stringify({ type: "summary", ...obj });
    this.#ctx.log?.write("info", `summary: ${line}`);
    this.#lines.write(line + "\n");
    this.#lines.flush();
  }
  close(): void {
    this.#flushProgress();
    this.#lines.flush();
  }
}

/** One phase's line of progress. */
interface PhaseLine {
  phase: string;
  started: number;
  done: number;
  total?: number;
  bytes?: number;
  totalBytes?: number;
}

class TerminalReporter implements Reporter {
  #ctx: CliContext;
  #opts: GlobalOptions;
  #verbose: number;
  #started: number;
  /** Phases in the order they began; each keeps its own counts. */
  #phases = new Map<string, PhaseLine>();
  /** Lines of progress on screen now (the cursor is at the end of the last). */
  #drawn = 0;
  #lastDraw = 0;

  constructor(ctx: CliContext, opts: GlobalOptions, started: number) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#verbose = verbosity(opts);
    this.#started = started;
  }

  event(e: RunEvent): void {
    logEvent(this.#ctx, e);
    switch (e.type) {
      case "phase":
        this.#phases.set(e.phase, {
          phase: e.phase,
          started: performance.now(),
          done: 0,
          total: e.total,
          totalBytes: e.totalBytes,
        });
        if (this.#verbose) this.#line(`${e.phase}…`);
        this.#draw(true);
        break;
      case "progress": {
        let p = this.#phases.get(e.phase);
        if (!p) {
          p = { phase: e.phase, started: performance.now(), done: 0 };
          this.#phases.set(e.phase, p);
        }
        p.done = e.done;
        if (e.total !== undefined) p.total = e.total;
        if (e.bytes !== undefined) p.bytes = e.bytes;
        if (e.totalBytes !== undefined) p.totalBytes = e.totalBytes;
        if (this.#verbose >= 2 && !this.#ctx.isTerminal) {
          this.#line(progressLine({ ...p, elapsedS: elapsedS(p.started), width: 0 }));
        }
        this.#draw(e.done === p.total);
        break;
      }
      case "item":
        // Failures are printed even with --quiet: a cron job's mail must show what went wrong.
        if (e.status === "failed") {
          this.#line(`failed: ${e.path ?? e.id}: ${e.reason ?? "unknown error"}`);
        } else if (this.#verbose) {
          this.#line(`${e.status}: ${e.path ?? e.id}${e.reason ? ` (${e.reason})` : ""}`);
        }
        break;
      case "warning":
        this.warn(e.message);
        break;
      case "info":
        this.info(e.message);
        break;
    }
  }

  info(message: string): void {
    this.#ctx.log?.write("info", message);
    if (this.#opts.quiet) return;
    this.#line(message);
  }

  warn(message: string): void {
    this.#ctx.log?.write("warn", message);
    this.#line(`warning: ${message}`);
  }

  summary(_obj: Record<string, unknown>, lines: string[]): void {
    this.#clear();
    const all = [...lines, `elapsed: ${formatDuration(elapsedS(this.#started))}`];
    if (this.#ctx.log) { for (const l of all) this.#ctx.log.write("info", l); }
    if (this.#opts.quiet) return;
    this.#ctx.stdout(all.join("\n") + "\n");
  }

  close(): void {
    this.#clear();
  }

  /** A message line on stderr, above the progress lines (drawn again on the next progress). */
  #line(text: string): void {
    this.#clear();
    this.#ctx.stderr(text + "\n");
  }

  #draw(force: boolean): void {
    if (!this.#ctx.isTerminal || this.#opts.quiet || this.#phases.size === 0) return;
    const now = performance.now();
    // Throttled, except when a message just erased the lines: they come back at once.
    if (!force && this.#drawn > 0 && now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const lines = [...this.#phases.values()].map((p) =>
      progressLine({ ...p, elapsedS: (now - p.started) / 1000, width: 24 })
    );
    this.#clear();
    this.#ctx.stderr(lines.map((l) => "\r\x1b[K" + l).join("\n"));
    this.#drawn = lines.length;
  }

  /** Erases the progress lines and leaves the cursor where the first one began. */
  #clear(): void {
    if (this.#drawn === 0) return;
    const up = this.#drawn > 1 ? `\x1b[${this.#drawn - 1}A` : "";
    this.#ctx.stderr(`${up}\r\x1b[J`);
    this.#drawn = 0;
  }
}

function elapsedS(since: number): number {
  return (performance.now() - since) / 1000;
}

/** One line of progress: bar, counts, bytes, rate and ETA. Pure, for tests. */
export function progressLine(p: {
  phase: string;
  done: number;
  total?: number;
  bytes?: number;
  totalBytes?: number;
  elapsedS: number;
  width: number;
}): string {
  const parts = [p.phase.padEnd(8)];
  const fraction = p.totalBytes && p.bytes !== undefined
    ? p.bytes / p.totalBytes
    : p.total
    ? p.done / p.total
    : undefined;
  if (fraction !== undefined && p.width > 0) {
    const filled = Math.max(0, Math.min(p.width, Math.round(fraction * p.width)));
    parts.push(`[${"#".repeat(filled)}${"-".repeat(p.width - filled)}]`);
  }
  parts.push(p.total !== undefined ? `${p.done}/${p.total}` : `${p.done}`);
  const elapsed = Math.max(p.elapsedS, 0.001);
  if (p.bytes !== undefined) {
    parts.push(formatBytes(p.bytes), `${formatBytes(p.bytes / elapsed)}/s`);
  } else {
    parts.push(`${(p.done / elapsed).toFixed(1)}/s`);
  }
  if (fraction !== undefined && fraction > 0 && fraction < 1) {
    parts.push(`ETA ${formatDuration(elapsed * (1 - fraction) / fraction)}`);
  }
  return parts.join(" ");
}
