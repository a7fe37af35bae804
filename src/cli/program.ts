/** The command line: a readable menu of subcommands. Each command's code loads only when it runs. */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { parseBandwidth } from "../sync/bandwidth_limit.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { LOG_LEVELS, type LogLevel, openLogFile } from "./log_file.ts";
import { EXIT, GphotosError, isDiskFull } from "../errors.ts";
import { parseDuration } from "../google/timeouts.ts";
import { addLegacyOptions } from "./legacy_options.ts";
import { flushLines } from "./reporter.ts";

/** The program's version. */
export const VERSION = "0.1.0";

type Opts = Record<string, unknown>;

/** Runs the CLI with `args` (without the program name) and returns the exit code. */
export async function main(args: string[], ctx: CliContext): Promise<number> {
  let exitCode: number = EXIT.ok;
  // `--json` runs end with a summary line whatever happens: see that one was written.
  let json = args.includes("--json");
  let summarised = false;
  const run: CliContext = {
    ...ctx,
    startedAt: ctx.startedAt ?? performance.now(),
    stdout: (text) => {
      // A batch of JSON lines (reporter.ts) may end with the summary.
      if (text.startsWith('{"type":"summary"') || text.includes('\n{"type":"summary"')) {
        summarised = true;
      }
      ctx.stdout(text);
    },
  };
  const program = buildProgram(run, (code) => {
    exitCode = code;
  });
  program.hook("preAction", (_program, action) => {
    const o = action.opts() as GlobalOptions;
    json = o.json === true;
    if (o.logFile) run.log = openLogFile(o.logFile, o.logLevel as LogLevel | undefined);
    run.log?.write("info", `gphotos-sync ${VERSION}: ${args.join(" ")}`);
  });
  const failed = (code: number, error: string) => {
    flushLines(run);
    if (json) {
      run.stdout(JSON.stringify({ type: "summary", ok: false, exitCode: code, error }) + "\n");
    }
    return code;
  };
  let code: number;
  const typo = await mistypedCommand(
    firstOperand(args, program),
    program.commands.map((c) => c.name()),
  );
  if (typo) {
    const message = `unknown command "${typo.word}": did you mean ${typo.suggestion}?`;
    ctx.stderr(`error: ${message}\n`);
    return failed(EXIT.usage, message);
  }
  try {
    await program.parseAsync(args, { from: "user" });
    code = ctx.signal.aborted && exitCode !== EXIT.ok ? EXIT.interrupted : exitCode;
    flushLines(run);
    if (json && !summarised) {
      run.stdout(JSON.stringify({ type: "summary", ok: code === EXIT.ok, exitCode: code }) + "\n");
    }
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; every other parse failure is a usage mistake.
      code = err.exitCode === 0 ? EXIT.ok : failed(EXIT.usage, err.message.replace(/^error: /, ""));
    } else if (ctx.signal.aborted) {
      // What failed then failed because of the Ctrl-C: say that, not the abort's echo.
      const message = "interrupted: stopped by Ctrl-C; run the command again to finish";
      ctx.stderr(message + "\n");
      run.log?.write("error", message);
      code = failed(EXIT.interrupted, "stopped by Ctrl-C");
    } else {
      code = reportError(err, run);
      failed(code, err instanceof Error ? err.message : String(err));
    }
  } finally {
    flushLines(run);
    run.log?.close();
  }
  return code;
}

/** Prints an error as one line and maps it to an exit code. */
export function reportError(err: unknown, ctx: CliContext): number {
  ctx.log?.write("error", err instanceof Error ? err.message : String(err));
  if (err instanceof GphotosError) {
    ctx.stderr(`error: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (isDiskFull(err)) {
    // A write outside the index and the downloads (a link, the token): the path is in the message.
    ctx.stderr(`error: Disk full (${message}): free space on the backup's disk and run again\n`);
    return EXIT.failed;
  }
  ctx.stderr(`error: ${message}\n`);
  if (ctx.env.GPHOTOS_SYNC_DEBUG && err instanceof Error && err.stack) {
    ctx.stderr(err.stack + "\n");
  }
  return EXIT.failed;
}

/**
 * `sync` is the default command, so `gphotos-sync stauts` would back up into a folder "stauts".
 * A first word that is no command, no existing path and has no path separator, but is within two
 * edits of a command name, is taken for a typo instead.
 */
async function mistypedCommand(
  word: string | undefined,
  commands: string[],
): Promise<{ word: string; suggestion: string } | undefined> {
  if (word === undefined || commands.includes(word) || /[/\\.~]/.test(word)) return undefined;
  try {
    await Deno.lstat(word);
    return undefined;
  } catch {
    // Not a path that exists: it may be a typo.
  }
  let best: { name: string; d: number } | undefined;
  for (const name of commands) {
    const d = editDistance(word.toLowerCase(), name);
    if (d <= 2 && d < word.length && (!best || d < best.d)) best = { name, d };
  }
  return best ? { word, suggestion: best.name } : undefined;
}

/** The first word that is neither an option nor an option's value (`--album pics ~/P` → `~/P`). */
function firstOperand(args: string[], program: Command): string | undefined {
  const takesValue = new Set(
    program.commands.flatMap((c) => c.options).filter((o) => o.required || o.optional)
      .map((o) => o.long),
  );
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith("-")) return args[i];
    if (takesValue.has(args[i])) i++;
  }
  return undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

function buildProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command("gphotos-sync")
    .description("Keep a complete, verifiable local backup of a Google Photos library")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout(s),
      writeErr: (s) => ctx.stderr(s),
    })
    .showSuggestionAfterError(true);

  const run = (fn: () => Promise<number>) => async () => {
    setExit(await fn());
  };

  common(
    withTimeouts(withSyncOptions(
      program.command("sync", { isDefault: true })
        .description("index, then download, then albums (the default command)")
        .argument("<TARGET>", "backup folder"),
    )),
  ).action((target: string, opts: Opts) =>
    run(async () => (await import("./sync.ts")).runSync(target, opts, ctx))()
  );

  common(
    withTimeouts(
      program.command("auth")
        .description("log in to Google and store the token in TARGET")
        .argument("<TARGET>", "backup folder")
        .option("--secret <FILE>", "client_secret.json of your Desktop OAuth client")
        .option("--port <N>", "port of the loopback listener (default: any free port)", parsePort)
        .option("--no-browser", "print the login URL instead of opening a browser")
        .option("--new-token", "log in again even if a token exists"),
    ),
  ).action((target: string, opts: Opts) =>
    run(async () => (await import("./auth.ts")).runAuth(target, opts, ctx))()
  );

  common(
    withTimeouts(withIndexOptions(
      program.command("index")
        .description("list the library into the index")
        .argument("<TARGET>", "backup folder")
        .option("--secret <FILE>", "client_secret.json"),
    )),
  ).action((target: string, opts: Opts) =>
    run(async () => (await import("./index_library.ts")).runIndex(target, opts, ctx))()
  );

  common(
    withTimeouts(withDownloadOptions(
      program.command("download")
        .description("fetch what the index has and the disk lacks")
        .argument("<TARGET>", "backup folder")
        .option("--secret <FILE>", "client_secret.json"),
    )),
  ).action((target: string, opts: Opts) =>
    run(async () => (await import("./download.ts")).runDownload(target, opts, ctx))()
  );

  common(
    withTimeouts(withAlbumOptions(
      program.command("albums")
        .description("index albums and bring album folders up to date")
        .argument("<TARGET>", "backup folder")
        .option("--secret <FILE>", "client_secret.json")
        .option("--rescan", "list every album's items again, changed or not")
        .option("-n, --dry-run", "list albums and report the folder changes; change nothing"),
    )),
  ).action((target: string, opts: Opts) =>
    run(async () => (await import("./albums.ts")).runAlbums(target, opts, ctx))()
  );

  common(
    program.command("compare")
      .description("check the library against a historical backup folder")
      .argument("<TARGET>", "backup folder")
      .argument("<FOLDER>", "the historical backup to check")
      .option("--use-hardlinks", "hard links instead of symlinks in comparison/")
      .option("--fail-on-missing", "exit 4 when the backup holds files the library lacks")
      .option("-n, --dry-run", "compare and report; write no comparison/ folder and no index rows"),
  ).action((target: string, folder: string, opts: Opts) =>
    run(async () => (await import("./compare.ts")).runCompare(target, folder, opts, ctx))()
  );

  common(
    withTimeouts(
      program.command("pick")
        .description("choose items in Google's picker, then download them")
        .argument("<TARGET>", "backup folder")
        .option("--secret <FILE>", "client_secret.json")
        .option("--max-items <N>", "most items to pick (at most 2000)", parsePositive, 2000)
        .option("--no-browser", "print the picker URL (and a QR code) instead of opening a browser")
        .addOption(
          new Option("--max-threads <N>", "parallel downloads").argParser(parsePositive).default(
            16,
          ),
        )
        .addOption(new Option("--concurrency <N>").argParser(parsePositive).hideHelp())
        .option(
          "--bwlimit <RATE>",
          "bandwidth limit for all downloads together, e.g. 4M (bytes/s)",
          parseBwlimit,
        )
        .option("--use-flat-path", "photos/YYYY-MM instead of photos/YYYY/MM"),
    ),
  ).action((target: string, opts: Opts) =>
    run(async () => (await import("./pick.ts")).runPick(target, opts, ctx))()
  );

  common(
    program.command("takeout")
      .description("import Google Takeout archives (.zip, .tgz) or extracted folders")
      .argument("<TARGET>", "backup folder")
      .argument("<PATH...>", "Takeout parts: .zip, .tgz/.tar.gz or folders")
      .option("--include-trash", "also import items from the Trash")
      .option("--xmp", "write an XMP sidecar beside each file")
      .option("--use-flat-path", "photos/YYYY-MM instead of photos/YYYY/MM")
      .option("--use-hardlinks", "hard links instead of symlinks in album folders")
      .option("--omit-album-date", "album folders without a date")
      .option("--album-date-by-first-photo", "date album folders by their oldest item")
      .option("-n, --dry-run", "report what would be imported, matched and skipped; write nothing"),
  ).action((target: string, paths: string[], opts: Opts) =>
    run(async () => (await import("./takeout.ts")).runTakeout(target, paths, opts, ctx))()
  );

  common(
    program.command("status")
      .description("what the index holds and what is missing")
      .argument("<TARGET>", "backup folder")
      .option("--verify", "re-hash every file against the index")
      .option("--html [FILE]", "write a self-contained status page (default TARGET/status.html)")
      .option("--timeline", "items per month in the terminal, one line per year"),
  ).action((target: string, opts: Opts) =>
    run(async () => (await import("./status.ts")).runStatus(target, opts, ctx))()
  );

  program.command("completions")
    .description("print a shell completion script: bash, zsh or fish")
    .argument("<SHELL>", "bash, zsh or fish")
    .action((shell: string) =>
      run(async () => (await import("./completions.ts")).runCompletions(shell, program, ctx))()
    );

  program.addHelpText(
    "after",
    `
Examples:
  gphotos-sync auth ~/Photos                 log in once (needs your client_secret.json)
  gphotos-sync ~/Photos                      index, download and link albums
  gphotos-sync takeout ~/Photos takeout-*.zip
  gphotos-sync status ~/Photos --verify
  gphotos-sync status ~/Photos --html        write ~/Photos/status.html, open it in a browser

Exit codes: 0 done, 1 failed, 2 usage or bad input, 3 not authorised (run auth),
4 finished but some items failed (see status), 130 interrupted (Ctrl-C).`,
  );
  // Last, so options other parts of the program gave sync are known and not defined twice.
  addLegacyOptions(program.commands.find((c) => c.name() === "sync")!);
  return program;
}

function common(cmd: Command): Command {
  // Output and exit handling are inherited from the program when a subcommand is created.
  return cmd
    .option("--json", "newline-delimited JSON events on stdout; the last line is a summary")
    .option("-q, --quiet", "no progress and no summary; errors and failed items still print")
    .option("-v, --verbose", "a line for every item; -vv also every progress step", countUp, 0)
    .option("--log-file <FILE>", "also append every message, timestamped, to FILE")
    .addOption(
      new Option("--log-level <LEVEL>", "least level --log-file keeps (default: info)")
        .choices(LOG_LEVELS),
    );
}

function countUp(_value: string, previous: number): number {
  return previous + 1;
}

/** Deadlines of the commands that talk to Google (rclone's names). */
function withTimeouts(cmd: Command): Command {
  return cmd
    .option(
      "--timeout <DURATION>",
      "give up an API call after this long, a download after this long without a byte (default: 2m and 60s)",
      parseTimeout,
    )
    .option(
      "--contimeout <DURATION>",
      "give up a request that gets no answer within this long (default: 30s)",
      parseTimeout,
    );
}

function withIndexOptions(cmd: Command): Command {
  return cmd
    .option("--start-date <YYYY-MM-DD>", "only items captured on or after this day")
    .option("--end-date <YYYY-MM-DD>", "only items captured on or before this day")
    .option("--skip-video", "leave videos out")
    .option("--favourites-only", "only items marked favourite")
    .option("--archived", "also index archived items")
    .option("--rescan", "refresh every item's metadata (every run lists the whole library anyway)")
    .option("--use-flat-path", "photos/YYYY-MM instead of photos/YYYY/MM")
    .option(
      "--do-delete",
      "delete the files of items no listing returns (plain, archived, every album); only when all ran completely",
    );
}

function withDownloadOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--max-threads <N>", "parallel downloads").argParser(parsePositive).default(16),
    )
    .addOption(new Option("--concurrency <N>", "alias of --max-threads").argParser(parsePositive))
    .option(
      "--bwlimit <RATE>",
      "bandwidth limit for all downloads together, e.g. 4M (bytes/s)",
      parseBwlimit,
    )
    .option("--retry-download", "re-check files marked downloaded and fetch missing or wrong ones")
    .option("--skip-video", "leave videos out")
    .option(
      "--checksum",
      "with --retry-download: hash each file and fetch again those whose SHA-256 differs",
    )
    .option("-n, --dry-run", "list what would be fetched; change nothing");
}

function withAlbumOptions(cmd: Command): Command {
  return cmd
    .option("--album <NAME>", "only the album with this title")
    .option("--album-regex <REGEX>", "only albums whose title matches (case-insensitive)")
    .option("--skip-shared-albums", "leave shared albums out")
    .option("--album-date-by-first-photo", "date album folders by their oldest item")
    .option("--omit-album-date", "album folders without a date: albums/<Title>")
    .option("--use-flat-path", "albums/YYYY-MM <Title> and photos/YYYY-MM")
    .option("--use-hardlinks", "hard links instead of symlinks");
}

function withSyncOptions(cmd: Command): Command {
  withIndexOptions(cmd);
  cmd.option("--secret <FILE>", "client_secret.json")
    .addOption(
      new Option("--max-threads <N>", "parallel downloads").argParser(parsePositive).default(16),
    )
    .addOption(new Option("--concurrency <N>", "alias of --max-threads").argParser(parsePositive))
    .option(
      "--bwlimit <RATE>",
      "bandwidth limit for all downloads together, e.g. 4M (bytes/s)",
      parseBwlimit,
    )
    .option("--retry-download", "re-check files marked downloaded and fetch missing or wrong ones")
    .option(
      "--checksum",
      "with --retry-download: hash each file and fetch again those whose SHA-256 differs",
    )
    .option("-n, --dry-run", "list and report what would be fetched and linked; change nothing")
    .option("--skip-index", "use the index as it is; start downloading at once")
    .option("--index-only", "build the index only; no downloads")
    .option("--skip-albums", "do not index or link albums")
    .option("--album <NAME>", "only the album with this title")
    .option("--album-regex <REGEX>", "only albums whose title matches (case-insensitive)")
    .option("--skip-shared-albums", "leave shared albums out")
    .option("--album-date-by-first-photo", "date album folders by their oldest item")
    .option("--omit-album-date", "album folders without a date: albums/<Title>")
    .option("--use-hardlinks", "hard links instead of symlinks");
  return cmd;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  }
  return n;
}

/** `--bwlimit`: rclone's syntax (`4M`, `512K`; a bare number is KiB), in bytes a second. */
function parseBwlimit(value: string): number {
  const n = parseBandwidth(value);
  if (n === undefined) {
    throw new InvalidArgumentError(
      `"${value}" is not a rate such as 4M, 512K or 1G (bytes a second)`,
    );
  }
  return n;
}

/** A duration such as `30s`, `2m`, `1m30s` or plain seconds, in milliseconds. */
function parseTimeout(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new InvalidArgumentError(`"${value}" is not a duration such as 30s, 2m or 90`);
  }
  return ms;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`port "${value}" is not 0 to 65535`);
  }
  return n;
}
