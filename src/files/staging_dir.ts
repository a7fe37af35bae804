/** The folder in TARGET where Takeout bodies read front to back wait until they are placed. */
import { join } from "node:path";

/** The staging folder, relative to TARGET. */
export const STAGING_DIR = ".gphotos-takeout-staging";

/** The staging folder of TARGET. */
export function stagingDirOf(target: string): string {
  return join(target, STAGING_DIR);
}

/**
 * Removes the staging folder and whatever is in it: staged files never carry a final name, so
 * what a killed run left there is safe to drop. A missing folder is fine.
 */
export async function clearStagingDir(target: string): Promise<void> {
  await Deno.remove(stagingDirOf(target), { recursive: true }).catch(() => {});
}
