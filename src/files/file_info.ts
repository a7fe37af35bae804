/** What is at a path, without following a final symlink; a missing path is an answer, not an error. */

/** `Deno.lstat`, or undefined when nothing is there. */
export async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Whether anything (a file, a folder, a link) is at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  return (await lstatOrUndefined(path)) !== undefined;
}
