/** What a command needs from the outside world; tests drive the CLI in-process by faking it. */
import type { Env } from "../config.ts";
import { browserCommand } from "./browser_command.ts";
import type { LogFile } from "./log_file.ts";

/** The world a command runs in. */
export interface CliContext {
  env: Env;
  /** Results: tables, `--json` events. */
  stdout: (text: string) => void;
  /** Messages and progress. */
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bars only there). */
  isTerminal: boolean;
  /** Opens a URL in the user's browser. */
  openBrowser: (url: string) => Promise<void>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Home directory, for the config dir. */
  home?: string;
  /** `--log-file`: set by `main` once the options are parsed. */
  log?: LogFile;
  /** When the command started (`performance.now()`), for the summary's elapsed time. */
  startedAt?: number;
}

/** Options every command takes. */
export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  /** `-v` 1 (a line per item), `-vv` 2 (also every progress step). */
  verbose?: boolean | number;
  /** `--log-file FILE`. */
  logFile?: string;
  /** `--log-level`: the least a log line must be (default info). */
  logLevel?: string;
  /** `--timeout` of the commands that talk to Google: API call and body idle deadline, in ms. */
  timeout?: number;
  /** `--contimeout`: no response headers within this many ms, in ms. */
  contimeout?: number;
}

/** The real world: Deno's stdout/stderr, environment, browser. */
export function realContext(signal: AbortSignal): CliContext {
  const enc = new TextEncoder();
  return {
    env: Deno.env.toObject(),
    stdout: (text) => writeAll(Deno.stdout, enc.encode(text)),
    stderr: (text) => writeAll(Deno.stderr, enc.encode(text)),
    isTerminal: Deno.stderr.isTerminal(),
    openBrowser: openInBrowser,
    signal,
    home: Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE"),
  };
}

/**
 * The Ctrl-C handler: the first aborts `controller` so the run stops cleanly (temp files kept for
 * resuming, sessions deleted, exit 130); the second calls `exit(130)` at once.
 */
export function interruptHandler(
  controller: AbortController,
  exit: (code: number) => void,
): () => void {
  let interrupts = 0;
  return () => {
    if (++interrupts > 1) {
      exit(130);
      return;
    }
    controller.abort(new Error("Interrupted"));
  };
}

/** Listens for SIGINT with `interruptHandler`; platforms without it end at the first Ctrl-C. */
export function listenForInterrupts(controller: AbortController): void {
  try {
    Deno.addSignalListener("SIGINT", interruptHandler(controller, (code) => Deno.exit(code)));
  } catch {
    // Some platforms cannot listen for SIGINT; Ctrl-C then ends the process at once.
  }
}

function writeAll(w: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += w.writeSync(data.subarray(off));
}

/** Opens a URL with the platform's opener; failure is not fatal (the URL is printed too). */
export async function openInBrowser(url: string): Promise<void> {
  const cmd = browserCommand(url, Deno.build.os);
  try {
    const child = new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      stdout: "null",
      stderr: "null",
    }).spawn();
    await child.status;
  } catch {
    // No opener (a server, a container): the user copies the printed URL.
  }
}
