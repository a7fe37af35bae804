/** What a command needs from the outside world; tests drive the CLI in-process by faking it. */
import type { Env } from "../config.ts";
import { browserCommand } from "./browser_command.ts";

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
}

/** Options every command takes. */
export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
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
