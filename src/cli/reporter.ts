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

/** Makes the reporter for a command's options. */
export function createReporter(ctx: CliContext, opts: GlobalOptions): Reporter {
  if (opts.json) return new JsonReporter(ctx);
  return new TerminalReporter(ctx, opts);
}

class JsonReporter implements Reporter {
  #ctx: CliContext;
  constructor(ctx: CliContext) {
    this.#ctx = ctx;
  }
  event(e: RunEvent): void {
    this.#ctx.stdout(JSON.stringify(e) + "\n");
  }
  info(message: string): void {
    this.event({ type: "info", message });
  }
  warn(message: string): void {
    this.event({ type: "warning", message });
  }
  summary(obj: Record<string, unknown>): void {
    this.#ctx.stdout(JSON.stringify({ type: "summary", ...obj }) + "\n");
  }
  close(): void {}
}

class TerminalReporter implements Reporter {
  #ctx: CliContext;
  #opts: GlobalOptions;
  #bar = false;
  #phase = "";
  #started = 0;
  #lastDraw = 0;
  #total?: number;
  #totalBytes?: number;

  constructor(ctx: CliContext, opts: GlobalOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
  }

  event(e: RunEvent): void {
    switch (e.type) {
      case "phase":
        this.#clear();
        this.#phase = e.phase;
        this.#started = performance.now();
        this.#total = e.total;
        this.#totalBytes = e.totalBytes;
        if (this.#opts.verbose) this.#ctx.stderr(`${e.phase}…\n`);
        break;
      case "progress":
        if (e.total !== undefined) this.#total = e.total;
        if (e.totalBytes !== undefined) this.#totalBytes = e.totalBytes;
        this.#draw(e.done, e.bytes);
        break;
      case "item":
        if (e.status === "failed" && !this.#opts.quiet) {
          this.#clear();
          this.#ctx.stderr(`failed: ${e.path ?? e.id}: ${e.reason ?? "unknown error"}\n`);
        } else if (this.#opts.verbose) {
          this.#clear();
          this.#ctx.stderr(
            `${e.status}: ${e.path ?? e.id}${e.reason ? ` (${e.reason})` : ""}\n`,
          );
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
    if (this.#opts.quiet) return;
    this.#clear();
    this.#ctx.stderr(message + "\n");
  }

  warn(message: string): void {
    this.#clear();
    this.#ctx.stderr(`warning: ${message}\n`);
  }

  summary(_obj: Record<string, unknown>, lines: string[]): void {
    this.#clear();
    if (this.#opts.quiet) return;
    this.#ctx.stdout(lines.join("\n") + "\n");
  }

  close(): void {
    this.#clear();
  }

  #draw(done: number, bytes?: number): void {
    if (!this.#ctx.isTerminal || this.#opts.quiet) return;
    const now = performance.now();
    if (now - this.#lastDraw < 100 && done !== this.#total) return;
    this.#lastDraw = now;
    this.#ctx.stderr(
      "\r\x1b[K" + progressLine({
        phase: this.#phase,
        done,
        total: this.#total,
        bytes,
        totalBytes: this.#totalBytes,
        elapsedS: (now - this.#started) / 1000,
        width: 24,
      }),
    );
    this.#bar = true;
  }

  #clear(): void {
    if (this.#bar) {
      this.#ctx.stderr("\r\x1b[K");
      this.#bar = false;
    }
  }
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
  if (fraction !== undefined) {
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
