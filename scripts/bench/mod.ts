/**
 * `deno task bench [NAME...] [--quick]`: runs the benchmarks (index, download, compare, takeout,
 * status; all
 * by default) and writes each one's section into BENCHMARKS.md, replacing that section only.
 * `--quick` runs smaller sizes, for a smoke test; the recorded results come from full runs.
 * `--concurrency=4,16` limits the download benchmark to those `--max-threads` values (C = 1 alone
 * takes about 18 minutes at 2 MiB/s).
 */

/** Options given on the command line. */
interface BenchFlags {
  quick: boolean;
  concurrencies?: number[];
}

type Bench = (flags: BenchFlags) => Promise<string>;

const BENCHES: Record<string, Bench> = {
  index: async ({ quick }) =>
    (await import("./index.ts")).benchIndex(quick ? { items: 10_000 } : {}),
  download: async ({ quick, concurrencies }) => {
    const mod = await import("./download.ts");
    return await mod.benchDownload({ quick, concurrencies });
  },
  compare: async ({ quick }) =>
    (await import("./compare.ts")).benchCompare(
      quick ? { files: 5_000, largeFiles: 1, largeBytes: 64 * 1024 * 1024 } : {},
    ),
  takeout: async ({ quick }) => {
    const mod = await import("./takeout.ts");
    return await mod.benchTakeout({ quick });
  },
  status: async ({ quick }) =>
    (await import("./status_page.ts")).benchStatusPage(quick ? { items: 10_000 } : {}),
};

const FILE = new URL("../../BENCHMARKS.md", import.meta.url);

async function main(): Promise<void> {
  const quick = Deno.args.includes("--quick");
  const cArg = Deno.args.find((a) => a.startsWith("--concurrency="));
  const concurrencies = cArg?.slice("--concurrency=".length).split(",").map(Number);
  if (concurrencies?.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new Error(`Bad ${cArg}: expected whole numbers from 1, such as --concurrency=4,16`);
  }
  const names = Deno.args.filter((a) => !a.startsWith("--"));
  for (const n of names) {
    if (!(n in BENCHES)) {
      throw new Error(`Unknown benchmark "${n}": expected ${Object.keys(BENCHES).join(", ")}`);
    }
  }
  const chosen = names.length ? names : Object.keys(BENCHES);
  let doc: string;
  try {
    doc = await Deno.readTextFile(FILE);
  } catch {
    doc = header();
  }
  for (const name of chosen) {
    console.error(`bench ${name}${quick ? " (quick)" : ""}…`);
    const started = new Date().toISOString().slice(0, 16).replace("T", " ");
    const extra = name === "download" && cArg ? ` ${cArg}` : "";
    const cmd = `deno task bench ${name}${quick ? " --quick" : ""}${extra}`;
    const body = await BENCHES[name]({ quick, concurrencies });
    console.log(body);
    const block =
      `<!-- bench:${name} -->\n${body.trim()}\n\nCommand: \`${cmd}\`, run ${started} UTC on ${machine()}.\n<!-- /bench:${name} -->`;
    const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
    doc = re.test(doc) ? doc.replace(re, block) : `${doc.trimEnd()}\n\n${block}\n`;
    await Deno.writeTextFile(FILE, doc);
    // The file is checked by `deno fmt --check` like the rest of the tree.
    await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", FILE.pathname] }).output();
    doc = await Deno.readTextFile(FILE);
  }
}

function header(): string {
  return `# Benchmarks

Produced by \`deno task bench\` (all) or \`deno task bench NAME\` (one of index, download, compare,
takeout, status); each section says the command and the machine it ran on. Everything runs against the
in-process fake Google on 127.0.0.1, with the latency and bandwidth each section names.
`;
}

function machine(): string {
  return `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch}`;
}

if (import.meta.main) {
  try {
    await main();
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    Deno.exit(1);
  }
}
