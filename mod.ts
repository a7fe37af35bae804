#!/usr/bin/env -S deno run --allow-read --allow-write --allow-env --allow-net --allow-run --allow-sys
/**
 * gphotos-sync: a complete, verifiable local backup of a Google Photos library.
 * Parses arguments, dispatches to src/cli/, and maps errors to exit codes.
 */
import { main } from "./src/cli/program.ts";
import { realContext } from "./src/cli/context.ts";

export { main } from "./src/cli/program.ts";
export type { CliContext } from "./src/cli/context.ts";

if (import.meta.main) {
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    // The first Ctrl-C lets the run stop cleanly (temp files removed, sessions deleted); the second ends it.
    if (++interrupts > 1) Deno.exit(130);
    controller.abort(new Error("Interrupted"));
  };
  try {
    Deno.addSignalListener("SIGINT", onInterrupt);
  } catch {
    // Some platforms cannot listen for SIGINT; Ctrl-C then ends the process at once.
  }
  const code = await main(Deno.args, realContext(controller.signal));
  Deno.exit(code);
}
