/** Finding and reading the user's OAuth client (`client_secret.json`, Google's "installed" shape). */
import { posix, win32 } from "node:path";
import type { Env } from "../config.ts";
import { UsageError } from "../errors.ts";

/** The OAuth client the user brings: a Google Cloud "Desktop app" client. */
export interface ClientSecret {
  clientId: string;
  clientSecret: string;
  /** The file it was read from. */
  path: string;
  /** `auth_uri` written in the file, if any; `GPHOTOS_SYNC_AUTH_URL` wins over it. */
  authUri?: string;
  /** `token_uri` written in the file, if any; `GPHOTOS_SYNC_TOKEN_URL` wins over it. */
  tokenUri?: string;
}

/** Where to look for the client secret. */
export interface FindClientSecretOptions {
  /** The `--secret FILE` option. */
  secret?: string;
  env: Env;
  /** The home folder; defaults to `HOME` (or `USERPROFILE` on Windows) from `env`. */
  home?: string;
  /** Defaults to `Deno.build.os`. */
  os?: typeof Deno.build.os;
}

/** The name of the file in the config folder. */
export const CLIENT_SECRET_FILE = "client_secret.json";

const HOW_TO_GET_ONE =
  'create an OAuth client of type "Desktop app" in Google Cloud Console (APIs & Services > Credentials), ' +
  "download its JSON and save it in one of those places";

/**
 * The client secret from `--secret`, else `GPHOTOS_SYNC_CLIENT_SECRET`, else the config folder.
 *
 * A place whose file does not exist is skipped; the first existing file must be valid. Every failure is
 * a one-line `UsageError` naming each place looked at.
 */
export async function findClientSecret(options: FindClientSecretOptions): Promise<ClientSecret> {
  const os = options.os ?? Deno.build.os;
  const places: { label: string; path?: string }[] = [
    { label: "--secret", path: nonEmpty(options.secret) },
    { label: "GPHOTOS_SYNC_CLIENT_SECRET", path: nonEmpty(options.env.GPHOTOS_SYNC_CLIENT_SECRET) },
  ];
  const dir = configDir({ env: options.env, home: options.home, os });
  places.push({
    label: "config folder",
    path: dir === undefined ? undefined : joinFor(os, dir, CLIENT_SECRET_FILE),
  });

  const looked: string[] = [];
  for (const place of places) {
    if (place.path === undefined) {
      looked.push(`${place.label} (not set)`);
      continue;
    }
    let text: string;
    try {
      text = await Deno.readTextFile(place.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound && place.label === "--secret") {
        // A file named on the command line is what the user meant: never fall back past it.
        throw new UsageError(
          `Client secret "${place.path}" given with --secret does not exist: check the path`,
          { cause: error },
        );
      }
      if (error instanceof Deno.errors.NotFound) {
        looked.push(`${place.label} "${place.path}" (not found)`);
        continue;
      }
      if (error instanceof Deno.errors.IsADirectory) {
        looked.push(`${place.label} "${place.path}" (a folder)`);
        continue;
      }
      throw new UsageError(
        `Cannot read client secret "${place.path}": ${oneLine(error)}`,
        { cause: error },
      );
    }
    looked.push(`${place.label} "${place.path}"`);
    return parseClientSecret(text, place.path, looked);
  }
  throw new UsageError(
    `No client secret found: looked at ${
      looked.join(", ")
    }; ${HOW_TO_GET_ONE} or pass --secret FILE`,
  );
}

/** The folder holding `client_secret.json` on this OS, or undefined when no home is known. */
export function configDir(
  options: { env: Env; home?: string; os?: typeof Deno.build.os },
): string | undefined {
  const os = options.os ?? Deno.build.os;
  const env = options.env;
  if (os === "windows") {
    const local = nonEmpty(env.LOCALAPPDATA);
    if (local !== undefined) return win32.join(local, "gphotos-sync", "gphotos-sync");
    const home = nonEmpty(options.home) ?? nonEmpty(env.USERPROFILE);
    return home === undefined
      ? undefined
      : win32.join(home, "AppData", "Local", "gphotos-sync", "gphotos-sync");
  }
  const home = nonEmpty(options.home) ?? nonEmpty(env.HOME);
  if (os === "darwin") {
    return home === undefined
      ? undefined
      : posix.join(home, "Library", "Application Support", "gphotos-sync");
  }
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg !== undefined && posix.isAbsolute(xdg)) return posix.join(xdg, "gphotos-sync");
  return home === undefined ? undefined : posix.join(home, ".config", "gphotos-sync");
}

/** Parses the JSON text of a client secret file; `looked` lists the places tried, for the message. */
export function parseClientSecret(text: string, path: string, looked: string[] = []): ClientSecret {
  const where = looked.length > 1 ? ` (looked at ${looked.join(", ")})` : "";
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`Cannot read client secret "${path}": file is not JSON${where}`);
  }
  if (!isRecord(json)) {
    throw new UsageError(`Cannot read client secret "${path}": file is not a JSON object${where}`);
  }
  const installed = json.installed;
  if (!isRecord(installed)) {
    if (isRecord(json.web)) {
      throw new UsageError(
        `Cannot use client secret "${path}": it is a "Web application" client, and the login needs a ` +
          `"Desktop app" client; create one in Google Cloud Console and download its JSON${where}`,
      );
    }
    throw new UsageError(
      `Cannot read client secret "${path}": no "installed" client in it; download the JSON of a ` +
        `"Desktop app" OAuth client from Google Cloud Console${where}`,
    );
  }
  const clientId = installed.client_id;
  const clientSecret = installed.client_secret;
  if (typeof clientId !== "string" || clientId === "") {
    throw new UsageError(
      `Cannot read client secret "${path}": "installed.client_id" is missing${where}`,
    );
  }
  if (typeof clientSecret !== "string" || clientSecret === "") {
    throw new UsageError(
      `Cannot read client secret "${path}": "installed.client_secret" is missing${where}`,
    );
  }
  const result: ClientSecret = { clientId, clientSecret, path };
  if (typeof installed.auth_uri === "string") result.authUri = installed.auth_uri;
  if (typeof installed.token_uri === "string") result.tokenUri = installed.token_uri;
  return result;
}

function joinFor(os: typeof Deno.build.os, dir: string, name: string): string {
  return os === "windows" ? win32.join(dir, name) : posix.join(dir, name);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim();
}
