/** The set-up every Google-facing command shares: TARGET, lock, index, token, one pacer, the client. */
import { join, resolve } from "node:path";
import {
  type Endpoints,
  endpointsFromEnv,
  min429WaitSeconds,
  pacerTimingFromEnv,
} from "../config.ts";
import { AuthError, UsageError } from "../errors.ts";
import { acquireLock, type HeldLock, INDEX_FILE, MediaIndex } from "../index/mod.ts";
import { findClientSecret } from "../google/client_secret.ts";
import { TokenProvider } from "../google/auth.ts";
import { Pacer } from "../google/pacer.ts";
import { GoogleHttp } from "../google/http.ts";
import { timeoutsFrom } from "../google/timeouts.ts";
import { LibraryApi } from "../google/library_api.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { createReporter, type Reporter } from "./reporter.ts";

/** Options that shape a session. */
export interface SessionOptions extends GlobalOptions {
  command: string;
  secret?: string;
  /**
   * `--dry-run`: a private copy of the index, no lock and no run recorded, so nothing in TARGET
   * changes (a login token Google refreshes is still saved: it is the login, not the backup).
   */
  dryRun?: boolean;
}

/** An open TARGET with a Google client. Close it when the command ends. */
export interface Session {
  target: string;
  index: MediaIndex;
  endpoints: Endpoints;
  tokens: TokenProvider;
  pacer: Pacer;
  http: GoogleHttp;
  library: LibraryApi;
  reporter: Reporter;
  runId: number;
  /** Records the run's end and releases everything. */
  close(status: "ok" | "partial" | "failed" | "interrupted", summary?: unknown): void;
}

/** An open TARGET without Google: index and lock only. */
export interface LocalSession {
  target: string;
  index: MediaIndex;
  reporter: Reporter;
  runId: number;
  close(status: "ok" | "partial" | "failed" | "interrupted", summary?: unknown): void;
}

/**
 * Opens the index of a TARGET that must already have one, without the lock and without creating
 * anything: for commands that only read (`status`, `download --dry-run`).
 */
export async function openExistingIndex(target: string): Promise<MediaIndex> {
  const dir = resolve(target);
  await ensureTarget(dir, { create: false, missing: () => noBackup(target, dir) });
  try {
    await Deno.stat(join(dir, INDEX_FILE));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new UsageError(
      `No index in "${dir}": run "gphotos-sync ${target}" (or takeout, or pick) first`,
    );
  }
  return MediaIndex.openReadOnly(dir);
}

/** Creates TARGET if needed, takes the lock and opens the index. */
export async function openLocalSession(
  target: string,
  opts: SessionOptions,
  ctx: CliContext,
): Promise<LocalSession> {
  const dir = resolve(target);
  // Only an import may start a backup in a new folder; everything else needs one already there
  // (a token from auth, or an index), so a mistyped word never leaves a stray folder behind.
  await ensureTarget(dir, {
    create: opts.command === "takeout",
    missing: () => noBackup(target, dir),
  });
  const lock = await acquireLock(dir, opts.command);
  let index: MediaIndex;
  try {
    index = MediaIndex.open(dir);
  } catch (err) {
    lock.release();
    throw err;
  }
  const reporter = createReporter(ctx, opts);
  // The lock is ours, so no other run is alive: a run left without an end was killed.
  index.markKilledRuns();
  const runId = index.startRun(opts.command);
  return {
    target: dir,
    index,
    reporter,
    runId,
    close: closer(index, lock, reporter, runId, ctx.signal),
  };
}

/** Opens TARGET and builds the Google client from the client secret and the stored token. */
export async function openSession(
  target: string,
  opts: SessionOptions,
  ctx: CliContext,
): Promise<Session> {
  // Find the secret before touching TARGET, so a bad secret changes nothing on disk.
  const secret = await findClientSecret({ secret: opts.secret, env: ctx.env, home: ctx.home });
  const endpoints = endpointsFromEnv(ctx.env, secret);
  const dir = resolve(target);
  await ensureTarget(dir, {
    create: false,
    missing: () =>
      new AuthError(
        `Not logged in: "${dir}" does not exist; run "gphotos-sync auth ${target}" first ` +
          `(or "gphotos-sync takeout ${target} ARCHIVE..." to start from a Takeout export)`,
      ),
  });
  const local = opts.dryRun
    ? dryLocalSession(dir, opts, ctx)
    : await openLocalSession(target, opts, ctx);
  const signal = ctx.signal;
  const pacer = new Pacer({
    min429WaitS: min429WaitSeconds(ctx.env),
    ...pacerTimingFromEnv(ctx.env),
    signal,
  });
  const timeouts = timeoutsFrom(opts);
  const tokens = new TokenProvider({
    target: local.target,
    secret,
    endpoints,
    pacer,
    timeouts,
    signal,
  });
  const http = new GoogleHttp({ tokens, pacer, timeouts, signal });
  const library = new LibraryApi({ http, baseUrl: endpoints.library });
  return { ...local, endpoints, tokens, pacer, http, library };
}

/** A dry run's TARGET: a scratch copy of the index, no lock, no run; `close` only tidies up. */
function dryLocalSession(dir: string, opts: SessionOptions, ctx: CliContext): LocalSession {
  const index = MediaIndex.openScratch(dir);
  const reporter = createReporter(ctx, opts);
  let closed = false;
  return {
    target: dir,
    index,
    reporter,
    runId: 0,
    close: () => {
      if (closed) return;
      closed = true;
      try {
        reporter.close();
      } finally {
        index.close();
      }
    },
  };
}

function closer(
  index: MediaIndex,
  lock: HeldLock,
  reporter: Reporter,
  runId: number,
  signal: AbortSignal,
) {
  let closed = false;
  return (status: "ok" | "partial" | "failed" | "interrupted", summary?: unknown) => {
    if (closed) return;
    closed = true;
    // A command stopped by Ctrl-C fails on whatever it was doing; the run was interrupted.
    if (status === "failed" && signal.aborted) status = "interrupted";
    try {
      const s = summary as { apiCalls?: number; mediaFetches?: number } | undefined;
      index.finishRun(runId, {
        status,
        apiCalls: s?.apiCalls,
        mediaFetches: s?.mediaFetches,
        summary,
      });
    } finally {
      reporter.close();
      index.close();
      lock.release();
    }
  };
}

/**
 * Checks that TARGET is a folder; a missing one is made when `create`, else `missing()` is thrown.
 * A file in its place is a usage mistake whatever the command.
 */
export async function ensureTarget(
  dir: string,
  opts: { create: boolean; missing?: () => Error },
): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      if (err instanceof Deno.errors.NotADirectory) throw notAFolder(dir);
      throw err;
    }
    if (!opts.create) throw opts.missing?.() ?? noBackup(dir, dir);
    await Deno.mkdir(dir, { recursive: true });
    return;
  }
  if (!info.isDirectory) throw notAFolder(dir);
}

function notAFolder(dir: string): UsageError {
  return new UsageError(`TARGET "${dir}" is a file, not a folder: name the backup folder`);
}

function noBackup(target: string, dir: string): UsageError {
  return new UsageError(
    `No backup in "${dir}": the folder does not exist; run "gphotos-sync auth ${target}" ` +
      `or "gphotos-sync takeout ${target} ARCHIVE..." first`,
  );
}
