/** Shared test plumbing: a logged-in TARGET against the fake Google, and the CLI driven in-process. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../mod.ts";
import type { CliContext } from "../src/cli/context.ts";
import { SCOPES } from "../src/google/types.ts";
import type { FakeGoogle } from "./fake_google/mod.ts";

/** A TARGET folder with a token the fake honours, and the env that points the tool at the fake. */
export interface TestTarget {
  /** Temp folder holding `target` and the secret. */
  root: string;
  target: string;
  secretPath: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * Makes a TARGET logged in to `fake` (no browser), in a new temp folder or in `root`. Tests get a
 * fast backoff; `realPacing` keeps the tool's own (benchmarks).
 */
export async function setupTarget(
  fake: FakeGoogle,
  opts: { scopes?: string[]; login?: boolean; root?: string; realPacing?: boolean } = {},
): Promise<TestTarget> {
  const root = opts.root ?? await Deno.makeTempDir({ prefix: "gphotos-test-" });
  const target = join(root, "target");
  await Deno.mkdir(target);
  const secretPath = join(root, "client_secret.json");
  await Deno.writeTextFile(secretPath, fake.clientSecretJson());
  if (opts.login !== false) {
    const scopes = opts.scopes ?? [SCOPES.library, SCOPES.picker];
    const token = { refresh_token: fake.issueRefreshToken(scopes), scope: scopes.join(" ") };
    await Deno.writeTextFile(join(target, ".gphotos.token"), JSON.stringify(token), {
      mode: 0o600,
    });
  }
  const env: Record<string, string> = {
    ...fake.env(),
    GPHOTOS_SYNC_CLIENT_SECRET: secretPath,
    HOME: root,
    XDG_CONFIG_HOME: join(root, "config"),
  };
  // Real backoff starts at 1 s; the fake's faults are retried at a test's pace.
  if (!opts.realPacing) env.GPHOTOS_SYNC_BACKOFF_MS = "5";
  return {
    root,
    target,
    secretPath,
    env,
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

/** What an in-process CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with `env` (never the real environment). */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  opts: { signal?: AbortSignal; openBrowser?: (url: string) => Promise<void> } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const ctx: CliContext = {
    env,
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    isTerminal: false,
    openBrowser: opts.openBrowser ?? followInBrowser,
    signal: opts.signal ?? new AbortController().signal,
    home: env.HOME,
  };
  const code = await main(args, ctx);
  return { code, stdout, stderr };
}

/** A "browser" that follows the consent page's redirect to the loopback listener. */
export async function followInBrowser(url: string): Promise<void> {
  const res = await fetch(url, { redirect: "follow" });
  await res.body?.cancel();
}

/** Every file under `dir` (relative paths, "/"-separated), not following symlinks. */
export async function walkFiles(dir: string, base = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(dir, base))) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...await walkFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Hex SHA-256 of bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What is under TARGET/albums: "dir", "file", or "-> <symlink text>", by relative path. */
export async function albumTree(target: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    for await (const e of Deno.readDir(join(target, rel))) {
      const path = `${rel}/${e.name}`;
      if (e.isSymlink) out[path] = `-> ${await Deno.readLink(join(target, path))}`;
      else if (e.isDirectory) {
        out[path] = "dir";
        await walk(path);
      } else out[path] = "file";
    }
  }
  try {
    await walk("albums");
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out;
}

/**
 * The download issue's fault profile: 10% 429 (half with a short Retry-After), 5% 500, 5% cut
 * transfers, 5 s access tokens and 30 s media URLs.
 */
export const ISSUE_FAULTS = {
  rate429: 0.1,
  retryAfterShare: 0.5,
  retryAfterValue: "0.01",
  rate5xx: 0.05,
  cutRate: 0.05,
  accessTokenLifetimeS: 5,
  baseUrlLifetimeS: 30,
} as const;

/**
 * Whether this machine lets a test mount in a user namespace of its own (`unshare -rm`, from
 * util-linux): `script` gets a fresh empty folder and must exit 0 once its mount worked.
 */
export async function canMountInNamespace(script: (dir: string) => string): Promise<boolean> {
  const dir = await Deno.makeTempDir({ prefix: "mount-probe-" });
  try {
    const { success } = await new Deno.Command("unshare", {
      args: ["-rm", "sh", "-c", script(dir)],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  } finally {
    await Deno.remove(dir);
  }
}

/** A CLI context that keeps what is printed, on a terminal or not. */
export function fakeContext(isTerminal: boolean) {
  const out = { stdout: "", stderr: "" };
  const ctx: CliContext = {
    env: {},
    stdout: (s) => {
      out.stdout += s;
    },
    stderr: (s) => {
      out.stderr += s;
    },
    isTerminal,
    openBrowser: async () => {},
    signal: new AbortController().signal,
  };
  return { ctx, out };
}

/** `deno run` arguments that start the CLI as a process of its own, with the test suite's permissions. */
export const CLI_PROCESS_ARGS = [
  "run",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-net=127.0.0.1",
  "--allow-sys=hostname,osRelease,homedir",
  fileURLToPath(new URL("../mod.ts", import.meta.url)),
];
