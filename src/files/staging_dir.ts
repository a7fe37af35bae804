/** The folder in TARGET where Takeout bodies read front to back wait until they are placed. */
import { join } from "node:path";
import { TEMP_DIR } from "./temp_names.ts";

/** The staging folder, relative to TARGET: under the temporary folder, where no item can land. */
export const STAGING_DIR = `${TEMP_DIR}/staging`;

/** Where an older version staged; removed like the staging folder (no item can be there either). */
const LEGACY_STAGING_DIR = ".gphotos-takeout-staging";

/** The staging folder of TARGET. */
export function stagingDirOf(target: string): string {
  return join(target, STAGING_DIR);
}

/**
 * Removes the staging folder and whatever is in it: staged files never carry a final name, so
 * what a killed run left there is safe to drop. A missing folder is fine.
 */
export async function clearStagingDir(target: string): Promise<void> {
  // Through a symlink put in place of the temporary folder, the staging folder would not be ours.
  if ((await Deno.lstat(join(target, TEMP_DIR)).catch(() => undefined))?.isDirectory) {
    await Deno.remove(stagingDirOf(target), { recursive: true }).catch(() => {});
  }
  await Deno.remove(join(target, LEGACY_STAGING_DIR), { recursive: true }).catch(() => {});
}
