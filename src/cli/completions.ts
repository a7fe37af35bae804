/**
 * `gphotos-sync completions bash|zsh|fish`: a completion script built from the Commander program
 * itself, so a new command or option is completed without anyone editing a script.
 */
import type { Command } from "commander";
import { EXIT, UsageError } from "../errors.ts";
import type { CliContext } from "./context.ts";

/** The shells a script can be printed for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** One option as the shells need it. */
interface OptionSpec {
  long: string;
  takesValue: boolean;
  /** The value is a path (`<FILE>`, `<DIR>`, …), so the shell may complete file names. */
  takesPath: boolean;
  description: string;
}

/** One command as the shells need it. */
interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
}

/** Prints the script for `shell`; an unknown shell is a usage mistake. */
export function runCompletions(shell: string, program: Command, ctx: CliContext): number {
  ctx.stdout(completionScript(shell, program));
  return EXIT.ok;
}

/** The completion script for `shell`, built from `program`'s commands and visible options. */
export function completionScript(shell: string, program: Command): string {
  const name = program.name();
  const commands = commandSpecs(program);
  switch (shell) {
    case "bash":
      return bashScript(name, commands);
    case "zsh":
      return zshScript(name, commands);
    case "fish":
      return fishScript(name, commands);
    default:
      throw new UsageError(`Unknown shell "${shell}": choose ${SHELLS.join(", ")}`);
  }
}

function commandSpecs(program: Command): CommandSpec[] {
  return program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    options: [
      ...c.options.filter((o) => !o.hidden && o.long).map((o) => ({
        long: o.long!,
        takesValue: o.required || o.optional,
        takesPath: /<(FILE|DIR|PATH|FOLDER)/.test(o.flags),
        description: o.description,
      })),
      {
        long: "--help",
        takesValue: false,
        takesPath: false,
        description: "show help for the command",
      },
    ],
  }));
}

/** The default command, which a bare TARGET runs. */
function defaultCommand(commands: CommandSpec[]): string {
  return commands.some((c) => c.name === "sync") ? "sync" : commands[0].name;
}

function bashScript(name: string, commands: CommandSpec[]): string {
  const fn = `_${name.replace(/\W/g, "_")}`;
  const cases = commands.map((c) =>
    `    ${c.name}) opts="${c.options.map((o) => o.long).join(" ")}" ;;`
  );
  return `# bash completion for ${name}: source it, or save it in
# ~/.local/share/bash-completion/completions/${name}
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd="" word i opts
  local commands="${commands.map((c) => c.name).join(" ")}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    [[ $word == -* ]] && continue
    # A first word that is no command is TARGET of the default command.
    if [[ " $commands " == *" $word "* ]]; then cmd=$word; else cmd=${defaultCommand(commands)}; fi
    break
  done
  case \${cmd:-${defaultCommand(commands)}} in
${cases.join("\n")}
  esac
  if [[ $cur == -* ]]; then
    [[ -z $cmd ]] && opts="$opts --version"
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "$commands" -- "$cur") $(compgen -d -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F ${fn} ${name}
`;
}

function zshScript(name: string, commands: CommandSpec[]): string {
  const fn = `_${name.replace(/\W/g, "_")}`;
  const zq = (s: string) => s.replace(/'/g, `'\\''`);
  const zdesc = (s: string) => zq(s.replace(/[[\]]/g, "").replace(/:/g, " -"));
  const spec = (o: OptionSpec) =>
    `'${o.long}[${zdesc(o.description)}]${
      o.takesValue ? `:${o.long.slice(2)}:${o.takesPath ? "_files" : " "}` : ""
    }'`;
  const cases = commands.map((c) =>
    `    ${c.name})\n      _arguments -s ${c.options.map(spec).join(" ")} '*:file:_files' ;;`
  );
  return `#compdef ${name}
# zsh completion for ${name}: source it, or save it as _${name} in a folder of $fpath
${fn}() {
  local -a commands
  commands=(
${commands.map((c) => `    '${c.name}:${zdesc(c.description)}'`).join("\n")}
  )
  if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then
    _describe -t commands command commands
    _files -/
    return
  fi
  local cmd=$words[2]
  # A first word that is no command is TARGET of the default command.
  if (( \${commands[(I)$cmd:*]} )); then
    shift words
    (( CURRENT-- ))
  else
    cmd=${defaultCommand(commands)}
  fi
  case $cmd in
${cases.join("\n")}
  esac
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
}

function fishScript(name: string, commands: CommandSpec[]): string {
  const fq = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const lines = [
    `# fish completion for ${name}: source it, or save it as`,
    `# ~/.config/fish/completions/${name}.fish`,
    `complete -c ${name} -l version -n __fish_use_subcommand -d 'print the version'`,
  ];
  for (const c of commands) {
    lines.push(
      `complete -c ${name} -n __fish_use_subcommand -a ${c.name} -d ${fq(c.description)}`,
    );
  }
  for (const c of commands) {
    // Options of the default command also follow a bare TARGET.
    const when = c.name === defaultCommand(commands)
      ? fq(`__fish_use_subcommand; or __fish_seen_subcommand_from ${c.name}`)
      : fq(`__fish_seen_subcommand_from ${c.name}`);
    for (const o of c.options) {
      lines.push(
        `complete -c ${name} -n ${when} -l ${o.long.slice(2)}${o.takesValue ? " -r" : ""} -d ${
          fq(o.description)
        }`,
      );
    }
  }
  return lines.join("\n") + "\n";
}
