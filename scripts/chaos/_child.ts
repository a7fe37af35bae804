/** One `sync` run as a subprocess, SIGKILLed at a chosen moment or when it outlives the hang limit. */
import { fileURLToPath } from "node:url";
import type { FakeGoogle } from "../../tests/fake_google/mod.ts";
import { CLI_PROCESS_ARGS } from "../../tests/helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where in a run a kill lands: the phase it waits for, then how far into it. */
export type MomentKind = "listing" | "downloads" | "album listing" | "album links" | "any time";

/** A kill moment: the `n`-th step of `kind` in this run, then `jitterMs` more. */
export interface Moment {
  kind: MomentKind;
  /** List calls, media requests, album API calls or link events; milliseconds for "any time". */
  n: number;
  jitterMs: number;
}

/** How one run ended. */
export interface RunOutcome {
  /** "killed": SIGKILL at its moment; "exited": ended by itself; "hung": outlived the limit. */
  end: "killed" | "exited" | "hung";
  code: number | null;
  ms: number;
  /** The last JSON line (the summary when the run exited by itself). */
  lastLine: string;
  /** The tail of stderr, for a report. */
  stderrTail: string;
  /** How many steps of each kind the run took (milliseconds for "any time"). */
  steps: Record<MomentKind, number>;
}

/** Runs under way, so Ctrl-C on the script does not leave them behind. */
const live = new Set<Deno.ChildProcess>();

/** Kills the runs under way (the script is being stopped). */
export function killLiveRuns(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** What a run needs: TARGET, the env pointing at the fake, Deno's cache, the fake to watch. */
export interface ChildSetup {
  target: string;
  env: Record<string, string>;
  fake: FakeGoogle;
  hangLimitMs: number;
}

function isListCall(path: string, method: string): boolean {
  return path === "/v1/mediaItems" && method === "GET";
}

function isAlbumCall(path: string): boolean {
  return path.startsWith("/v1/albums") || path.startsWith("/v1/sharedAlbums") ||
    path === "/v1/mediaItems:search";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `sync TARGET --json`; kills it at `moment` (none: let it finish) or at the hang limit. */
export async function runSync(setup: ChildSetup, moment?: Moment): Promise<RunOutcome> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...CLI_PROCESS_ARGS,
      "sync",
      setup.target,
      "--json",
      // A stalled body is given up after 10 s of silence (the default, 60 s, fits a slow home
      // line; the fake's line is fast), then resumed like a cut one.
      "--timeout",
      "10s",
    ],
    cwd: ROOT,
    env: setup.env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  // Both pipes are drained all along: a full pipe would stall the child and look like a hang.
  let linking = false;
  let linked = 0;
  let lastLine = "";
  const stdoutDone = (async () => {
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) lastLine = line;
        if (line.includes('"phase":"albums","total"')) linking = true;
        else if (linking && line.includes('"status":"linked"')) linked++;
      }
    }
    if (buf.trim()) lastLine = buf;
  })();
  let stderrTail = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      stderrTail = (stderrTail + chunk).slice(-4000);
    }
  })();

  const calls = setup.fake.calls;
  let seen = calls.length;
  const mediaAtStart = setup.fake.core.counts.media;
  let lists = 0;
  let albumCalls = 0;
  const reached = (): boolean => {
    count();
    if (!moment) return false;
    switch (moment.kind) {
      case "listing":
        return lists >= moment.n;
      case "downloads":
        return setup.fake.core.counts.media - mediaAtStart >= moment.n;
      case "album listing":
        return albumCalls >= moment.n;
      case "album links":
        return linking && linked >= moment.n;
      case "any time":
        return performance.now() - started >= moment.n;
    }
  };

  const count = () => {
    for (; seen < calls.length; seen++) {
      if (isListCall(calls[seen].path, calls[seen].method)) lists++;
      else if (isAlbumCall(calls[seen].path)) albumCalls++;
    }
  };
  let end: RunOutcome["end"] = "exited";
  while (!exited) {
    if (reached()) {
      if (moment!.jitterMs > 0) await sleep(moment!.jitterMs);
      if (!exited) {
        end = "killed";
        child.kill("SIGKILL");
      }
      break;
    }
    if (performance.now() - started > setup.hangLimitMs) {
      end = "hung";
      child.kill("SIGKILL");
      break;
    }
    await sleep(2);
  }
  const s = await status;
  live.delete(child);
  await Promise.all([stdoutDone, stderrDone]);
  count();
  // A kill that raced the child's own exit is no kill.
  if (end === "killed" && s.signal !== "SIGKILL") end = "exited";
  return {
    end,
    code: s.signal ? null : s.code,
    ms: performance.now() - started,
    lastLine,
    stderrTail,
    steps: {
      listing: lists,
      downloads: setup.fake.core.counts.media - mediaAtStart,
      "album listing": albumCalls,
      "album links": linked,
      "any time": performance.now() - started,
    },
  };
}
