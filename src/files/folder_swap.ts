/**
 * The one place a whole folder is renamed into place (such as `TARGET/comparison/`): built beside
 * its final name, then swapped in, so a killed run leaves the old folder or the new, never half.
 */
import { pathExists } from "./file_info.ts";

/** Options of `swapFolder`. */
export interface SwapFolderOptions {
  /** Tag of the aside name `<final>.old-<tag>` the old folder waits under until the new is in. */
  tag: string;
}

/**
 * Renames the finished folder `built` over `final`: the old one moves aside first and is removed
 * only once the new one is in; if the new cannot go in, the old one is put back.
 */
export async function swapFolder(
  built: string,
  final: string,
  opts: SwapFolderOptions,
): Promise<void> {
  let old: string | undefined;
  if (await pathExists(final)) {
    old = `${final}.old-${opts.tag}`;
    await Deno.rename(final, old);
  }
  try {
    await Deno.rename(built, final);
  } catch (err) {
    if (old) await Deno.rename(old, final).catch(() => {});
    throw err;
  }
  if (old) await Deno.remove(old, { recursive: true });
}
