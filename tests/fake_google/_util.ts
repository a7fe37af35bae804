/** Small helpers shared by the fake's modules: seeded randomness, hashing, responses. */
import { Buffer } from "node:buffer";

/** A seeded PRNG (mulberry32) returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next(): number {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit string hash (FNV-1a with a final mix), stable across runs. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A random base64url-alphabet string of `length` characters drawn from `rng`. */
export function randomString(rng: () => number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(rng() * 64)];
  return out;
}

/** Base64url (no padding) of a UTF-8 string. */
export function b64urlEncode(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** Decodes base64url into UTF-8, or undefined when the input is not base64url. */
export function b64urlDecode(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  return Buffer.from(text, "base64url").toString("utf8");
}

/** Resolves after `ms` milliseconds (at once for 0 or less). */
export function delay(ms: number): Promise<void> {
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Google's canonical status names by HTTP code, for error bodies. */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
};

/** Messages copied from real Google answers (google-api.md §1.7). */
export const MESSAGES = {
  unauthenticated: "Request had invalid authentication credentials. Expected OAuth 2 access " +
    "token, login cookie or other valid authentication credential. See " +
    "https://developers.google.com/identity/sign-in/web/devconsole-project.",
  insufficientScopes: "Request had insufficient authentication scopes.",
  invalidArgument: "Request contains an invalid argument.",
  notFound: "Requested entity was not found.",
  methodNotFound: "Method not found.",
  invalidMediaItemId: "Invalid media item ID.",
  internal: "Internal error encountered.",
  unavailable: "The service is currently unavailable.",
} as const;

/** The daily-quota 429 message for a project number. */
export function quotaMessage(projectNumber: string, perMinute = false): string {
  const limit = perMinute ? "All requests per minute per user" : "All requests per day";
  return `Quota exceeded for quota metric 'All requests' and limit '${limit}' of service ` +
    `'photoslibrary.googleapis.com' for consumer 'project_number:${projectNumber}'.`;
}

/** A JSON response, pretty-printed like Google's default `prettyPrint=true`. */
export function jsonResponse(status: number, body: unknown, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=UTF-8");
  return new Response(JSON.stringify(body, null, 2) + "\n", { status, headers: h });
}

/** Google's error envelope `{"error":{"code","message","status"}}`. */
export function googleError(
  code: number,
  message: string,
  options?: { status?: string; headers?: HeadersInit },
): Response {
  const status = options?.status ?? STATUS_NAMES[code] ?? "UNKNOWN";
  return jsonResponse(code, { error: { code, message, status } }, options?.headers);
}

/** An HTML error page like Google's front ends serve (media host, consent screen). */
export function htmlError(
  code: number,
  title: string,
  detail: string,
  headers?: HeadersInit,
): Response {
  const h = new Headers(headers);
  h.set("content-type", "text/html; charset=UTF-8");
  const body = `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n` +
    `  <title>Error ${code} (${escapeHtml(title)})!!1</title>\n` +
    `  <p><b>${code}.</b> <ins>That’s an error.</ins>\n` +
    `  <p>${escapeHtml(detail)} <ins>That’s all we know.</ins>\n`;
  return new Response(body, { status: code, headers: h });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
