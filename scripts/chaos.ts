/**
 * `deno task chaos`: a faulty fake Google (429, 5xx, cut and stalled transfers, short-lived tokens
 * and URLs), `sync` SIGKILLed at random moments, then one clean run; then checks, each from the
 * fake's own bytes: every item byte-exact, no partial file under a final name, no temporary file
 * left, no run that hung, no index row whose file is not its item's bytes. Exit 1 when one fails.
 *
 * Options: `--items=N` (1000), `--kills=N` (20), `--quick` (100 items, 3 kills), `--seed=N`
 * (random, printed), `--hang-limit=S` (180), `--keep` (keep TARGET), `--record` (write the
 * `chaos` section of BENCHMARKS.md).
 */
import { generateAccount, mulberry32 } from "../tests/fixtures/generate.ts";
import { startFakeGoogle } from "../tests/fake_google/mod.ts";
import { ISSUE_FAULTS, setupTarget } from "../tests/helpers.ts";
import { denoCacheDir } from "./bench/_process.ts";
import {
  killLiveRuns,
  type Moment,
  type MomentKind,
  type RunOutcome,
  runSync,
} from "./chaos/_child.ts";
import {
  type CheckResult,
  faultTally,
  type Finding,
  runChecks,
  wantedItems,
} from "./chaos/_checks.ts";

interface Flags {
  items: number;
  kills: number;
  seed: number;
  quick: boolean;
  hangLimitS: number;
  keep: boolean;
  record: boolean;
}

/** The faults of every run but the last: the issue's profile plus 1% stalled transfers. */
const FAULTS = { ...ISSUE_FAULTS, stallRate: 0.01 } as const;
/** Every item this big, so a kill can land inside a transfer. */
const ITEM_BYTES = 64 * 1024;
const LATENCY_MS = 5;
const KINDS: readonly MomentKind[] = [
  "listing",
  "downloads",
  "album listing",
  "album links",
  "any time",
];

function usage(message: string): never {
  console.error(`chaos: ${message}`);
  console.error(
    "usage: deno task chaos [--quick] [--items=N] [--kills=N] [--seed=N] [--hang-limit=S] " +
      "[--keep] [--record]",
  );
  Deno.exit(2);
}

function parseFlags(args: string[]): Flags {
  const quick = args.includes("--quick");
  const flags: Flags = {
    items: quick ? 100 : 1000,
    kills: quick ? 3 : 20,
    seed: Math.floor(Math.random() * 2 ** 31),
    quick,
    hangLimitS: 180,
    keep: args.includes("--keep"),
    record: args.includes("--record"),
  };
  const numeric: Record<string, (n: number) => void> = {
    "--items": (n) => flags.items = n,
    "--kills": (n) => flags.kills = n,
    "--seed": (n) => flags.seed = n,
    "--hang-limit": (n) => flags.hangLimitS = n,
  };
  for (const arg of args) {
    if (["--quick", "--keep", "--record"].includes(arg)) continue;
    const [name, value] = arg.split("=", 2);
    const set = numeric[name];
    if (!set) usage(`unknown option "${arg}"`);
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 0) {
      usage(`option "${name}" needs a whole number, such as ${name}=20`);
    }
    set(n);
  }
  if (flags.items < 1) usage(`"--items" must be at least 1`);
  return flags;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function describe(m: Moment): string {
  return m.kind === "any time" ? `any time, ${m.n} ms in` : `${m.kind}, step ${m.n}`;
}

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args);
  const t0 = performance.now();
  console.error(`chaos: seed ${flags.seed} (repeat with --seed=${flags.seed})`);
  const account = generateAccount({
    items: flags.items,
    seed: flags.seed,
    albums: Math.max(3, Math.round(flags.items / 50)),
    itemBytes: ITEM_BYTES,
  });
  const fake = await startFakeGoogle({
    account,
    seed: flags.seed,
    latencyMs: LATENCY_MS,
    ...FAULTS,
  });
  const tt = await setupTarget(fake);
  const setup = {
    target: tt.target,
    env: { ...tt.env, DENO_DIR: await denoCacheDir() },
    fake,
    hangLimitMs: flags.hangLimitS * 1000,
  };
  const random = mulberry32(flags.seed ^ 0x6b696c6c);
  const { servable } = wantedItems(account.items, account.albums);
  const listed = account.items.filter((i) => i.inLibrary && !i.archived).length;
  const memberships = account.albums.reduce((n, a) => n + a.itemIds.length, 0);

  /**
   * A random moment of a random kind, within what a run does now: the steps of the last run that
   * ended by itself (none yet: the whole account's worth). A kind that run did not reach is
   * rolled again, so a kill is not spent on a moment that cannot come.
   */
  let lastWhole: Record<MomentKind, number> = {
    listing: Math.ceil(listed / 100) + 1,
    downloads: servable.length,
    "album listing": account.albums.length + 2,
    "album links": memberships,
    "any time": 2000 + flags.items * 8,
  };
  const nextMoment = (): Moment => {
    const kinds = KINDS.filter((k) => lastWhole[k] >= 1);
    const kind = kinds[Math.floor(random() * kinds.length)];
    const n = 1 + Math.floor(random() * lastWhole[kind]);
    return { kind, n, jitterMs: Math.floor(random() * 20) };
  };

  const runs: { moment?: Moment; outcome: RunOutcome }[] = [];
  let kills = 0;
  const maxAttempts = flags.kills * 4;
  while (kills < flags.kills && runs.length < maxAttempts) {
    const moment = nextMoment();
    const outcome = await runSync(setup, moment);
    runs.push({ moment, outcome });
    if (outcome.end === "killed") kills++;
    if (outcome.end === "exited") lastWhole = outcome.steps;
    const what = outcome.end === "exited" ? `exited ${outcome.code}` : outcome.end;
    console.error(
      `chaos: run ${runs.length} (${describe(moment)}): ${what} after ` +
        `${(outcome.ms / 1000).toFixed(1)} s [kills ${kills}/${flags.kills}]`,
    );
    if (outcome.end === "exited" && outcome.code !== 0 && outcome.code !== 4) {
      console.error(outcome.stderrTail.trim().split("\n").slice(-3).join("\n"));
    }
  }

  fake.setOptions({ rate429: 0, rate5xx: 0, cutRate: 0, stallRate: 0 });
  const clean = await runSync(setup);
  runs.push({ outcome: clean });
  console.error(
    `chaos: clean run: ${clean.end === "exited" ? `exited ${clean.code}` : clean.end} after ` +
      `${(clean.ms / 1000).toFixed(1)} s`,
  );
  if (clean.end === "exited" && clean.code !== 0) console.error(clean.stderrTail.trim());

  const checks = await runChecks(tt.target, fake);
  const faults = faultTally(fake);
  const elapsedS = (performance.now() - t0) / 1000;
  const report = renderReport(flags, { runs, kills, clean, checks, faults, elapsedS });
  console.log(report.text);
  if (flags.record) await record(flags, report.markdown);
  await Promise.race([fake.close(), sleep(5000)]);
  if (flags.keep || !report.ok) console.error(`chaos: TARGET kept at ${tt.target}`);
  else await tt.cleanup();
  return report.ok ? 0 : 1;
}

interface Outcome {
  runs: { moment?: Moment; outcome: RunOutcome }[];
  kills: number;
  clean: RunOutcome;
  checks: CheckResult;
  faults: { r429: number; r5xx: number; stalled: number };
  elapsedS: number;
}

/** Whether the clean run's exit code is right: 0, or 4 for items Google cannot serve alone. */
function cleanRunVerdict(clean: RunOutcome, checks: CheckResult): { ok: boolean; text: string } {
  if (clean.end !== "exited") return { ok: false, text: clean.end };
  if (clean.code === 0) return { ok: true, text: "0" };
  if (clean.code === 4 && checks.unservable.length > 0) {
    let failed: string[] = [];
    try {
      const summary = JSON.parse(clean.lastLine);
      failed = (summary.download?.failedItems ?? []).map((f: { id: string }) => f.id);
    } catch {
      return { ok: false, text: "4, no summary" };
    }
    const cannot = new Set(checks.unservable.map((i) => i.id));
    const others = failed.filter((id) => !cannot.has(id));
    const names = checks.unservable.map((i) => `${i.filename} (${i.videoStatus})`).join(", ");
    return others.length === 0
      ? { ok: true, text: `4: only items Google cannot serve: ${names}` }
      : { ok: false, text: `4: ${others.length} failed items Google can serve` };
  }
  return { ok: false, text: String(clean.code) };
}

function mark(ok: boolean): string {
  return ok ? "✅" : "❌";
}

function renderReport(flags: Flags, o: Outcome): { ok: boolean; text: string; markdown: string } {
  const c = o.checks;
  const hung = o.runs.filter((r) => r.outcome.end === "hung").length;
  const byKind = new Map<string, number>();
  for (const r of o.runs) {
    if (r.outcome.end === "killed") {
      byKind.set(r.moment!.kind, (byKind.get(r.moment!.kind) ?? 0) + 1);
    }
  }
  const exitedCodes = o.runs.slice(0, -1).filter((r) => r.outcome.end === "exited")
    .map((r) => r.outcome.code);
  const verdict = cleanRunVerdict(o.clean, c);
  const rows: [string, string, string, boolean][] = [
    [
      "items byte-exact",
      `${c.byteExact} of ${c.expected}`,
      "all",
      c.byteExact === c.expected,
    ],
    [
      "partial files under final names",
      String(c.partialUnderFinal.length),
      "0",
      c.partialUnderFinal.length === 0,
    ],
    ["leftover temporary files", String(c.leftoverTemps.length), "0", c.leftoverTemps.length === 0],
    [
      `runs that hung (killed after ${flags.hangLimitS} s)`,
      `${hung} of ${o.runs.length}`,
      "0",
      hung === 0,
    ],
    [
      "index rows whose file is not their item's bytes",
      String(c.badRows.length),
      "0",
      c.badRows.length === 0,
    ],
    [
      "SIGKILLs at random moments",
      `${o.kills} (${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ")})`,
      String(flags.kills),
      o.kills === flags.kills,
    ],
    ["clean run exit code", verdict.text, "0, or 4 for items Google cannot serve", verdict.ok],
  ];
  const ok = rows.every((r) => r[3]);
  const w0 = Math.max(...rows.map((r) => r[0].length), 5);
  const w1 = Math.max(...rows.map((r) => r[1].length), 6);
  const table = [
    `| ${"check".padEnd(w0)} | ${"result".padEnd(w1)} | must be |`,
    `| ${"-".repeat(w0)} | ${"-".repeat(w1)} | ------- |`,
    ...rows.map(([a, b, m, good]) => `| ${a.padEnd(w0)} | ${b.padEnd(w1)} | ${m} ${mark(good)} |`),
  ].join("\n");
  const details = [
    ...section("not byte-exact", c.notExact),
    ...section("partial under a final name", c.partialUnderFinal),
    ...section("temporary file left", c.leftoverTemps),
    ...section("index row with the wrong file", c.badRows),
  ];
  const summary = `${flags.items} items (${ITEM_BYTES / 1024} KiB each, ${c.expected} for sync ` +
    `to store), ${o.runs.length} runs in ${o.elapsedS.toFixed(0)} s; runs that ended by ` +
    `themselves before their moment: ${exitedCodes.length} (exit ${
      exitedCodes.join(", ") || "-"
    }); ` +
    `faults served: ${o.faults.r429} × 429, ${o.faults.r5xx} × 5xx, ${o.faults.stalled} stalled bodies`;
  const text = [
    `chaos: seed ${flags.seed}`,
    table,
    summary,
    ...details,
    ok ? "chaos: all checks passed" : `chaos: FAILED (repeat with --seed=${flags.seed})`,
  ].join("\n");
  return { ok, text, markdown: `${table}\n\n${summary}.` };
}

function section(title: string, findings: Finding[]): string[] {
  if (findings.length === 0) return [];
  return [
    `${title} (${findings.length}):`,
    ...findings.slice(0, 20).map((f) =>
      `  ${JSON.stringify(f.path)}${f.id ? ` [${f.id}]` : ""}: ${f.problem}`
    ),
    ...(findings.length > 20 ? [`  … and ${findings.length - 20} more`] : []),
  ];
}

/** Writes the `chaos` section of BENCHMARKS.md, replacing the last one. */
async function record(flags: Flags, table: string): Promise<void> {
  const file = new URL("../BENCHMARKS.md", import.meta.url);
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const cmd = `deno task chaos${flags.quick ? " --quick" : ""} --seed=${flags.seed}`;
  const machine = `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ` +
    `${Deno.build.os}/${Deno.build.arch}`;
  const block = `<!-- bench:chaos -->
## chaos: ${flags.items} items, ${flags.kills} SIGKILLs, then a clean run

${table}

${explanation(flags)}

Command: \`${cmd}\`, run ${date} UTC on ${machine}.
<!-- /bench:chaos -->`;
  let doc = await Deno.readTextFile(file);
  const re = /<!-- bench:chaos -->[\s\S]*?<!-- \/bench:chaos -->/;
  doc = re.test(doc) ? doc.replace(re, block) : `${doc.trimEnd()}\n\n${block}\n`;
  await Deno.writeTextFile(file, doc);
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", file.pathname] }).output();
}

function explanation(flags: Flags): string {
  return `\`sync TARGET\` as a CLI subprocess against the fake Google (${LATENCY_MS} ms a call) with ` +
    `10% 429 (half with Retry-After), 5% 500/503, 5% cut and 1% stalled media bodies (half the ` +
    `bytes, then the socket held open), 5 s access tokens and 30 s media URLs; the tool's backoff ` +
    `shortened to 5 ms. Each run is SIGKILLed at a random moment of a random kind: after N list ` +
    `calls, N media requests, N album API calls, N album links made, or N ms. A run that outlives ` +
    `${flags.hangLimitS} s is killed and counted as hung. Then one run with no faults. Every ` +
    `check hashes the files on disk against the fake's own bytes for each item; the index only ` +
    `says where to look.`;
}

if (import.meta.main) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      killLiveRuns();
      Deno.exit(130);
    });
  }
  try {
    Deno.exit(await main());
  } catch (err) {
    console.error(`chaos: ${(err as Error).stack ?? err}`);
    Deno.exit(1);
  }
}
