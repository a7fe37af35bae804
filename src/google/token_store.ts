/** The OAuth token file `TARGET/.gphotos.token`: JSON, mode 0600, replaced atomically. */
import { join } from "node:path";
import { AuthError } from "../errors.ts";
import { writeFileAtomic } from "../files/write_atomic.ts";

/** The token file's name inside TARGET. */
export const TOKEN_FILE = ".gphotos.token";

/** What the token file holds; only `refresh_token` is required (SPEC "What TARGET holds"). */
export interface StoredToken {
  refresh_token: string;
  access_token?: string;
  /** ISO-8601 UTC. */
  expires_at?: string;
  /** Space-separated granted scopes, as the token endpoint sent them. */
  scope?: string;
  token_type?: string;
}

/** The path of the token file of a TARGET. */
export function tokenPath(target: string): string {
  return join(target, TOKEN_FILE);
}

/** Reads the token file; undefined when there is none. A damaged file is an `AuthError`. */
export async function readToken(target: string): Promise<StoredToken | undefined> {
  const path = tokenPath(target);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new AuthError(`Cannot read token file "${path}": ${errorText(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AuthError(
      `Cannot read token file "${path}": file is not JSON; run "gphotos-sync auth ${target}" again`,
      { cause: error },
    );
  }
  if (
    typeof json !== "object" || json === null ||
    typeof (json as Record<string, unknown>).refresh_token !== "string"
  ) {
    throw new AuthError(
      `Cannot read token file "${path}": no "refresh_token" in it; run "gphotos-sync auth ${target}" again`,
    );
  }
  const raw = json as Record<string, unknown>;
  const token: StoredToken = { refresh_token: raw.refresh_token as string };
  for (const key of ["access_token", "expires_at", "scope", "token_type"] as const) {
    if (typeof raw[key] === "string") token[key] = raw[key] as string;
  }
  return token;
}

/** Writes the token file with the atomic writer (mode 0600), so it is never half written. */
export async function writeToken(target: string, token: StoredToken): Promise<void> {
  const ordered: StoredToken = {
    refresh_token: token.refresh_token,
    access_token: token.access_token,
    expires_at: token.expires_at,
    scope: token.scope,
    token_type: token.token_type,
  };
  await writeFileAtomic(target, TOKEN_FILE, JSON.stringify(ordered, null, 2) + "\n", {
    mode: 0o600,
  });
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}
