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
  const summary = {
    command: "auth",
    tokenPath: result.tokenPath,
    granted: result.granted,
    missing: result.missing,
  };
  const lines = [`Logged in; token saved in "${result.tokenPath}" (mode 0600)`];
  if (result.refreshTokenExpiresInS !== undefined) {
    lines.push(
      `Google limits this token to ${
        Math.round(result.refreshTokenExpiresInS / 86400)
      } days: your OAuth consent screen is in "Testing"; publish the app to keep it`,
    );
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
