/** `--log-file FILE`: every message of a run as a timestamped line, filtered by `--log-level`. */
import { UsageError } from "../errors.ts";

/** How much a log file holds, from most to least. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One of `LOG_LEVELS`. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Where a run's lines go besides the terminal. */
export interface LogFile {
  write(level: LogLevel, message: string): void;
  close(): void;
}

/**
 * Opens FILE for appending (a cron job's runs follow each other in one file). Writes are
 * synchronous so the last line before a crash or `Deno.exit` is there.
 */
export function openLogFile(path: string, level: LogLevel = "info"): LogFile {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { append: true, create: true });
  } catch (err) {
    throw new UsageError(`Cannot open log file "${path}": ${(err as Error).message}`);
  }
  const min = LOG_LEVELS.indexOf(level);
  const enc = new TextEncoder();
  let open = true;
  return {
    write(at, message) {
      if (!open || LOG_LEVELS.indexOf(at) < min) return;
      const stamp = localStamp(new Date());
      const text = message.split("\n").map((l) => `${stamp} ${at.toUpperCase().padEnd(5)} ${l}\n`)
        .join("");
      const data = enc.encode(text);
      let off = 0;
      while (off < data.length) off += file.writeSync(data.subarray(off));
    },
    close() {
      if (!open) return;
      open = false;
      file.close();
    },
  };
}

/** `2026-11-29 17:30:05.123` in the local zone, as people read a log. */
export function localStamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
