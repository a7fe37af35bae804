/** `gphotos.lock`: one writer per TARGET. The OS lock dies with the process, so a killed run never blocks the next. */
import { join } from "node:path";
import { LockError } from "../errors.ts";

/** File name of the lock inside TARGET. */
export const LOCK_FILE = "gphotos.lock";

/** A held lock; release it when the run ends. */
export interface HeldLock {
  release(): void;
}

/** Takes the exclusive lock on TARGET or throws LockError (exit 1) naming the holder. */
export async function acquireLock(target: string, command: string): Promise<HeldLock> {
  const path = join(target, LOCK_FILE);
  const file = await Deno.open(path, { read: true, write: true, create: true });
  let locked = false;
  try {
    locked = await file.tryLock(true);
  } catch (err) {
    file.close();
    throw new LockError(`Cannot lock "${path}": ${(err as Error).message}`, { cause: err });
  }
  if (!locked) {
    let holder = "";
    try {
      holder = (await Deno.readTextFile(path)).trim();
    } catch {
      // The holder note is a courtesy; the OS lock is what counts.
    }
    file.close();
    throw new LockError(
      `Another gphotos-sync run is working on "${target}"${
        holder ? ` (${holder})` : ""
      }: wait for it to finish`,
    );
  }
  const note = new TextEncoder().encode(
    `pid ${Deno.pid}, ${command}, since ${new Date().toISOString()}\n`,
  );
  await file.truncate(0);
  await file.write(note);
  return {
    release() {
      try {
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
}
