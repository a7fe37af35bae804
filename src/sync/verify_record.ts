/**
 * The last `status --verify` result, kept as `TARGET/last-verify.json` so the status page can say
 * when the files were last checked. `status` opens the index read-only and takes no lock, so the
 * result lives beside the index, not in it.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../files/write_atomic.ts";
import type { VerifyResult } from "./verify.ts";

/** The file's name inside TARGET. */
export const LAST_VERIFY_FILE = "last-verify.json";

/** Paths of problems kept in the record; the full lists are in `status --verify --json`. */
const KEPT_PATHS = 200;

/** What the record holds. */
export interface VerifyRecord {
  /** ISO-8601 UTC, when the check ended. */
  at: string;
  checked: number;
  ok: number;
  missing: number;
  changed: number;
  interrupted: boolean;
  missingPaths: string[];
  changedPaths: string[];
}

/** The record of a verify result that ended at `at`. */
export function verifyRecord(result: VerifyResult, at: Date): VerifyRecord {
  return {
    at: at.toISOString(),
    checked: result.checked,
    ok: result.ok,
    missing: result.missing.length,
    changed: result.changed.length,
    interrupted: result.interrupted,
    missingPaths: result.missing.slice(0, KEPT_PATHS).map((p) => p.path),
    changedPaths: result.changed.slice(0, KEPT_PATHS).map((p) => p.path),
  };
}

/** Writes the record into TARGET, atomically. */
export async function saveVerifyRecord(target: string, record: VerifyRecord): Promise<void> {
  await writeFileAtomic(target, LAST_VERIFY_FILE, JSON.stringify(record, null, 2) + "\n");
}

/** The last record in TARGET, or undefined when verify never ran (or the file is unreadable). */
export async function readVerifyRecord(target: string): Promise<VerifyRecord | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(target, LAST_VERIFY_FILE));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  try {
    const obj = JSON.parse(text) as Partial<VerifyRecord>;
    if (typeof obj.at !== "string" || typeof obj.checked !== "number") return undefined;
    return {
      at: obj.at,
      checked: obj.checked,
      ok: Number(obj.ok ?? 0),
      missing: Number(obj.missing ?? 0),
      changed: Number(obj.changed ?? 0),
      interrupted: obj.interrupted === true,
      missingPaths: Array.isArray(obj.missingPaths) ? obj.missingPaths.map(String) : [],
      changedPaths: Array.isArray(obj.changedPaths) ? obj.changedPaths.map(String) : [],
    };
  } catch {
    // A damaged record only means the page cannot say when verify last ran.
    return undefined;
  }
}
