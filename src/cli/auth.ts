/** `gphotos-sync auth TARGET`: log in through the browser and store the token. */
import { resolve } from "node:path";
import { endpointsFromEnv } from "../config.ts";
import { EXIT } from "../errors.ts";
import { type ClientSecret, findClientSecret } from "../google/client_secret.ts";
import { login } from "../google/auth.ts";
import { timeoutsFrom } from "../google/timeouts.ts";
import { readToken } from "../google/token_store.ts";
import { acquireLock, MediaIndex } from "../index/mod.ts";
import { ensureTarget } from "./session.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { createReporter } from "./reporter.ts";

/** Options of `auth`. */
export interface AuthOptions extends GlobalOptions {
  secret?: string;
  port?: number;
  /** False with `--no-browser`. */
  browser?: boolean;
  newToken?: boolean;
}

/** Runs `auth`; returns the exit code. */
export async function runAuth(target: string, opts: AuthOptions, ctx: CliContext): Promise<number> {
  const dir = resolve(target);
  const secret = await findClientSecret({ secret: opts.secret, env: ctx.env, home: ctx.home });
  await ensureTarget(dir, { create: true });
  // Like every command that writes to TARGET; it also keeps a sync from reading a half-made login.
  const lock = await acquireLock(dir, "auth");
  try {
    MediaIndex.markKilledRunsIn(dir);
    return await loginAndReport(dir, secret, opts, ctx);
  } finally {
    lock.release();
  }
}

async function loginAndReport(
  dir: string,
  secret: ClientSecret,
  opts: AuthOptions,
  ctx: CliContext,
): Promise<number> {
  const reporter = createReporter(ctx, opts);
  // The old token stays until the new one is saved (atomically, by login): an interrupted login
  // leaves the backup logged in as before.
  if (!opts.newToken && (await readToken(dir))?.refresh_token) {
    reporter.info(`Replacing the token in "${dir}" (use --new-token to say so explicitly)`);
  }
  const useBrowser = opts.browser !== false;
  const result = await login({
    target: dir,
    secret,
    endpoints: endpointsFromEnv(ctx.env, secret),
    port: opts.port,
    onUrl: (url) => {
      // The URL always goes to stderr, so a user without a browser here can open it elsewhere.
      ctx.stderr(
        useBrowser
          ? `Opening your browser to log in. If it does not open, visit:\n${url}\n`
          : `Open this URL in a browser to log in:\n${url}\n${headlessHint(url, opts.port)}`,
      );
    },
    openBrowser: useBrowser ? ctx.openBrowser : () => {},
    timeouts: timeoutsFrom(opts),
    // Ctrl-C ends the wait for the browser and closes the listener.
    signal: ctx.signal,
  });
  const expiresAt = result.refreshTokenExpiresInS === undefined
    ? null
    : new Date(Date.now() + result.refreshTokenExpiresInS * 1000);
  const summary = {
    command: "auth",
    tokenPath: result.tokenPath,
    granted: result.granted,
    missing: result.missing,
    loginExpiresAt: expiresAt?.toISOString() ?? null,
  };
  const lines = [`Logged in; token saved in "${result.tokenPath}" (mode 0600)`];
  if (result.refreshTokenExpiresInS !== undefined) {
    lines.push(timeLimitedLoginLine(result.refreshTokenExpiresInS, dir, Date.now()));
  }
  if (result.missing.length) {
    // Granular consent: the login worked, but what needs the unticked scope will be refused.
    reporter.warn(
      `Google did not grant ${result.missing.join(" and ")}: commands that need it will fail; ` +
        "run auth again and tick every box on the consent screen",
    );
  }
  reporter.summary(summary, lines);
  return EXIT.ok;
}

/**
 * On a NAS or server the browser runs elsewhere, but Google redirects it to 127.0.0.1 here: an SSH
 * tunnel from the browser's machine carries that redirect to this listener.
 */
export function headlessHint(url: string, port: number | undefined): string {
  let listening: string | undefined;
  try {
    listening = new URL(new URL(url).searchParams.get("redirect_uri") ?? "").port || undefined;
  } catch {
    // No redirect URI in the URL: the hint then names the option only.
  }
  const n = port ? String(port) : listening ?? "N";
  const pin = port ? "" : ` (pin the port with "--port ${n}" so the tunnel can be set up first)`;
  return `Logging in from another machine (a NAS, a server)? On the machine with the browser run\n` +
    `  ssh -L ${n}:127.0.0.1:${n} ${hostName()}\n` +
    `then open the URL there${pin}.\n`;
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "this-host";
  }
}

/**
 * What to say when Google sent `refresh_token_expires_in`: the access is time-limited, either
 * because the user chose a time limit on the consent screen or because the app is in "Testing".
 * Google does not say which, so neither is claimed.
 */
export function timeLimitedLoginLine(expiresInS: number, target: string, now: number): string {
  const at = new Date(now + expiresInS * 1000);
  return `Google gave time-limited access: this login expires ${localTime(at)} local time ` +
    `(in ${roughDuration(expiresInS)}); then commands fail until you log in again. For a ` +
    `lasting login, publish the app's OAuth consent screen in Google Cloud Console (apps in ` +
    `"Testing" get 7-day logins) and, if Google's consent screen offers a time limit, choose ` +
    `ongoing access; then run "gphotos-sync auth ${target} --new-token"`;
}

/** "7 days", "23 hours", "45 minutes". */
function roughDuration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds >= 2 * 86400) return plural(Math.round(seconds / 86400), "day");
  if (seconds >= 2 * 3600) return plural(Math.round(seconds / 3600), "hour");
  return plural(Math.max(1, Math.round(seconds / 60)), "minute");
}

function localTime(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
