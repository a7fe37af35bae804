/**
 * Options of the original Python gphotos-sync that a copied cron line may still carry. Each one is
 * either taken with its old meaning or refused with one line naming what replaces it (exit 2),
 * never a bare "unknown option". They are hidden from `--help`; the README's "Coming from
 * gphotos-sync" table lists them.
 */
import { type Command, Option } from "commander";
import { UsageError } from "../errors.ts";

/** A legacy option that is refused, and the one line that says what to use instead. */
interface Refused {
  flags: string;
  instead: string;
}

/** Options that are gone: the message names the replacement. */
const REFUSED: Refused[] = [
  {
    flags: "--flush-index",
    instead: "the index is checked on every run and never needs flushing; to rebuild it, move " +
      "TARGET/gphotos.sqlite aside and run sync again",
  },
  { flags: "--db-path <DIR>", instead: "the index is always TARGET/gphotos.sqlite" },
  {
    flags: "--skip-files",
    instead: 'run "gphotos-sync albums TARGET" to refresh album folders without downloading',
  },
  {
    flags: "--compare-folder <DIR>",
    instead: 'run "gphotos-sync compare TARGET FOLDER"',
  },
  {
    flags: "--new-token",
    instead: 'log in again with "gphotos-sync auth TARGET --new-token"',
  },
  {
    flags: "--port <N>",
    instead: 'give the login port to auth: "gphotos-sync auth TARGET --port N"',
  },
  {
    flags: "--no-album-index",
    instead: "use --skip-albums (no album listing and no album folders)",
  },
  {
    flags: "--album-invert",
    instead: "album folders hold links named like their files, so there is no order to invert",
  },
  {
    flags: "--case-insensitive-fs",
    instead: "names that differ only in case always get (n) numbers, on every file system",
  },
  {
    flags: "--ntfs",
    instead: "names are always made safe for NTFS, exFAT, macOS and Linux",
  },
  {
    flags: "--max-filename <N>",
    instead: "names are always cut to 255 UTF-8 bytes, the limit of every common file system",
  },
  {
    flags: "--max-retries <N>",
    instead: "retries are bounded by time: use --timeout and --contimeout",
  },
  {
    flags: "--month-format <FMT>",
    instead: "album folders are YYYY/MM <Title>; use --use-flat-path or --omit-album-date",
  },
  {
    flags: "--path-format <FMT>",
    instead: "album folders are YYYY/MM <Title>; use --use-flat-path or --omit-album-date",
  },
];

/** `--photos-path` and `--albums-path`: only their old defaults still mean what they said. */
const FIXED_FOLDERS: { flags: string; folder: string }[] = [
  { flags: "--photos-path <DIR>", folder: "photos" },
  { flags: "--albums-path <DIR>", folder: "albums" },
];

/** Adds the original tool's options to `cmd` (sync, the original's only command). */
export function addLegacyOptions(cmd: Command): Command {
  const has = (long: string) => cmd.options.some((o) => o.long === long);
  // Progress is drawn whenever stderr is a terminal; the old flag asked for just that.
  if (!has("--progress")) {
    cmd.addOption(new Option("--progress", "accepted: progress shows on a terminal").hideHelp());
  }
  if (!has("--log-level")) {
    refuse(cmd, {
      flags: "--log-level <LEVEL>",
      instead: "use --verbose for a line per item or --quiet for none",
    });
  }
  if (has("--log-file")) {
    // The old spelling of the same option: both land in `logFile`.
    cmd.addOption(new Option("--logfile <FILE>").hideHelp());
    cmd.on(
      "option:logfile",
      (value: string) => cmd.setOptionValueWithSource("logFile", value, "cli"),
    );
  } else {
    refuse(cmd, {
      flags: "--logfile <FILE>",
      instead: 'messages go to stderr: append them to a file with "2>>gphotos.log"',
    });
  }
  for (const r of REFUSED) if (!has(longName(r.flags))) refuse(cmd, r);
  for (const f of FIXED_FOLDERS) {
    const name = longName(f.flags);
    cmd.addOption(new Option(f.flags).hideHelp());
    cmd.on(`option:${name.slice(2)}`, (value: string) => {
      if (value.replace(/[/\\]+$/, "") === f.folder) return;
      throw new UsageError(
        `Option "${name}" is gone: files always go to TARGET/${f.folder}/ ("${value}" was asked ` +
          "for); choose TARGET instead",
      );
    });
  }
  return cmd;
}

function refuse(cmd: Command, r: Refused): void {
  const name = longName(r.flags);
  cmd.addOption(new Option(r.flags).hideHelp());
  cmd.on(`option:${name.slice(2)}`, () => {
    throw new UsageError(`Option "${name}" of the original gphotos-sync is gone: ${r.instead}`);
  });
}

function longName(flags: string): string {
  return flags.split(" ")[0];
}
