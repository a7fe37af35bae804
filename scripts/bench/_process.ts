/** Runs a Deno subprocess and samples its peak resident memory (VmHWM on Linux). */

/** What a measured subprocess printed, returned and used. */
export interface MeasuredRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Peak resident set size in bytes (0 where /proc is unavailable). */
  peakRssBytes: number;
}

let cacheDir: Promise<string> | undefined;

/**
 * Deno's cache folder, so a child with another HOME still finds its npm packages offline. Asked
 * once per process: a timed run must not also time a `deno info` of its own.
 */
export function denoCacheDir(): Promise<string> {
  cacheDir ??= new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .output().then((out) => JSON.parse(new TextDecoder().decode(out.stdout)).denoDir);
  return cacheDir;
}

/** Runs `deno <args>` with `env` and samples its peak RSS every 50 ms until it exits. */
export async function peakRssOf(args: string[], env: Record<string, string>): Promise<MeasuredRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: { DENO_DIR: await denoCacheDir(), ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peak = 0;
  const sample = async () => {
    try {
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // The process ended between samples, or there is no /proc.
    }
  };
  const timer = setInterval(sample, 50);
  const out = child.output();
  const result = await out;
  clearInterval(timer);
  const dec = new TextDecoder();
  return {
    code: result.code,
    stdout: dec.decode(result.stdout),
    stderr: dec.decode(result.stderr),
    peakRssBytes: peak,
  };
}
