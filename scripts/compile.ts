/**
 * `deno task compile`: single binaries for every platform with the narrowest permissions.
 *
 * `deno compile` embeds a runtime (`denort`) it normally downloads from dl.deno.land. Where that
 * cannot be reached, point `DENORT_BIN` at a denort binary (for the host target), or
 * `DENORT_BIN_<TARGET>` (e.g. `DENORT_BIN_X86_64_PC_WINDOWS_MSVC`) at one per target.
 * Usage: deno task compile [--target TRIPLE ...] [--out DIR]
 */
import { join } from "node:path";

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** The permissions the binary runs with: files, environment, network, the browser opener. */
const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-net",
  "--allow-run=xdg-open,open,cmd",
  "--allow-sys=hostname,osRelease,homedir",
];

function hostTarget(): string {
  const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
  switch (Deno.build.os) {
    case "darwin":
      return `${arch}-apple-darwin`;
    case "windows":
      return `${arch}-pc-windows-msvc`;
    default:
      return `${arch}-unknown-linux-gnu`;
  }
}

function parseArgs(args: string[]): { targets: string[]; out: string } {
  const targets: string[] = [];
  let out = "dist";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--target") targets.push(args[++i]);
    else if (args[i] === "--out") out = args[++i];
    else throw new Error(`Unknown argument "${args[i]}": expected --target TRIPLE or --out DIR`);
  }
  for (const t of targets) {
    if (!(TARGETS as readonly string[]).includes(t)) {
      throw new Error(`Unknown target "${t}": expected one of ${TARGETS.join(", ")}`);
    }
  }
  return { targets: targets.length ? targets : [...TARGETS], out };
}

/** Which denort binary to use for a target, if the environment names one. */
function denortFor(target: string): string | undefined {
  const specific = Deno.env.get(`DENORT_BIN_${target.toUpperCase().replaceAll("-", "_")}`);
  if (specific) return specific;
  const generic = Deno.env.get("DENORT_BIN");
  return generic && target === hostTarget() ? generic : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const { targets, out } = parseArgs(Deno.args);
  await Deno.mkdir(out, { recursive: true });
  const built: string[] = [];
  const failed: string[] = [];
  for (const target of targets) {
    const denort = denortFor(target);
    if (denort !== undefined && !(await exists(denort))) {
      failed.push(`${target}: the denort binary "${denort}" does not exist`);
      continue;
    }
    const name = `gphotos-sync-${target}${target.includes("windows") ? ".exe" : ""}`;
    const output = join(out, name);
    const env: Record<string, string> = {};
    if (denort) env.DENORT_BIN = denort;
    const cmd = new Deno.Command(Deno.execPath(), {
      args: ["compile", ...PERMISSIONS, "--target", target, "--output", output, "mod.ts"],
      env,
      stdout: "piped",
      stderr: "piped",
    });
    const res = await cmd.output();
    if (res.success) {
      built.push(output);
      console.log(`built ${output}`);
      continue;
    }
    const err = new TextDecoder().decode(res.stderr);
    const offline = /dns error|lookup address|Name or service not known|connect|download/i.test(
      err,
    );
    failed.push(
      offline && !denort
        ? `${target}: deno compile needs the denort runtime for ${target}, which it downloads from ` +
          `dl.deno.land and this machine cannot reach; set DENORT_BIN (host target ${hostTarget()}) ` +
          `or DENORT_BIN_${
            target.toUpperCase().replaceAll("-", "_")
          } to a denort ${Deno.version.deno} binary`
        : `${target}: ${err.trim().split("\n").find((l) => /error/i.test(l)) ?? err.trim()}`,
    );
  }
  for (const f of failed) console.error(`cannot build ${f}`);
  console.error(`${built.length} built, ${failed.length} not built`);
  return failed.length ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
