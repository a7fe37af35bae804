#!/usr/bin/env -S deno run --allow-read --allow-write --allow-env --allow-net --allow-run --allow-sys
/**
 * gphotos-sync: a complete, verifiable local backup of a Google Photos library.
 * Parses arguments, dispatches to src/cli/, and maps errors to exit codes.
 */
import { main } from "./src/cli/program.ts";
import { listenForInterrupts, realContext } from "./src/cli/context.ts";

export { main } from "./src/cli/program.ts";
export type { CliContext } from "./src/cli/context.ts";

if (import.meta.main) {
  const controller = new AbortController();
  listenForInterrupts(controller);
  const code = await main(Deno.args, realContext(controller.signal));
  Deno.exit(code);
}
