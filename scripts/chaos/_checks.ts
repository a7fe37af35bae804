/**
 * The chaos checks, each from the fake's own bytes: the index only says where a file should be
 * (and which final names look like temporary ones); what a file holds is hashed from disk.
 */
import { join } from "node:path";
import { sha256Hex } from "../../src/files/hash.ts";
import { MediaIndex } from "../../src/index/mod.ts";
import type { FakeItem } from "../../tests/fixtures/account_types.ts";
import type { FakeGoogle } from "../../tests/fake_google/mod.ts";

/** Folders at TARGET's root that only ever hold temporary files (old and new layout). */
const TEMP_FOLDERS = [".gphotos-tmp", ".gphotos-takeout-staging"];

/** Today's temporary files beside finals: `.NAME.HASH.gphotos-tmp`. */
function isTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".gphotos-tmp");
}

/** One finding, for the report. */
export interface Finding {
  id?: string;
  path: string;
  problem: string;
}

/** What the checks found. */
export interface CheckResult {
  /** Items a default `sync` must store: listed (not archived) or in an album, and servable. */
  expected: number;
  byteExact: number;
  notExact: Finding[];
  /** Items Google itself cannot serve (videos not READY), left out of `expected`. */
  unservable: FakeItem[];
  partialUnderFinal: Finding[];
  leftoverTemps: Finding[];
  badRows: Finding[];
}

/** The `=d`/`=dv` bytes the tool must store for an item. */
export function servedFor(fake: FakeGoogle, item: FakeItem): Uint8Array {
  return fake.servedBytes(item.id, item.mimeType.startsWith("video/") ? "dv" : "d");
}

/** The items a default `sync` downloads: in the plain listing, or in an own or shared album. */
export function wantedItems(
  items: FakeItem[],
  albums: { itemIds: string[] }[],
): { servable: FakeItem[]; unservable: FakeItem[] } {
  const inAlbum = new Set(albums.flatMap((a) => a.itemIds));
  const wanted = items.filter((i) => (i.inLibrary && !i.archived) || inAlbum.has(i.id));
  const ready = (i: FakeItem) =>
    !i.mimeType.startsWith("video/") || (i.videoStatus ?? "READY") === "READY";
  return { servable: wanted.filter(ready), unservable: wanted.filter((i) => !ready(i)) };
}

/** Every regular file under `dir` as a path relative to `root`; symlinks are not followed. */
async function filesUnder(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(join(root, rel)));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return out;
    throw err;
  }
  for (const e of entries) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await filesUnder(root, path));
    else if (e.isFile) out.push(path);
  }
  return out;
}

async function hashFile(path: string): Promise<string | undefined> {
  try {
    return sha256Hex(await Deno.readFile(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Runs every check on TARGET against the fake's account. */
export async function runChecks(target: string, fake: FakeGoogle): Promise<CheckResult> {
  const account = fake.core.options.account;
  const byId = new Map(account.items.map((i) => [i.id, i]));
  const want = new Map<string, string>();
  for (const item of account.items) want.set(item.id, sha256Hex(servedFor(fake, item)));
  // Any bytes the media host serves for any item, `=d` of a video (a still) included.
  const anyItemBytes = new Set(want.values());
  for (const item of account.items) {
    if (item.mimeType.startsWith("video/")) {
      anyItemBytes.add(sha256Hex(fake.servedBytes(item.id, "d")));
    }
  }
  const { servable, unservable } = wantedItems(account.items, account.albums);
  const index = MediaIndex.open(target);
  try {
    const notExact: Finding[] = [];
    let byteExact = 0;
    for (const item of servable) {
      const row = index.getItem(item.id);
      if (!row) {
        notExact.push({ id: item.id, path: item.filename, problem: "no index row" });
        continue;
      }
      const got = await hashFile(join(target, row.path));
      if (got === undefined) notExact.push({ id: item.id, path: row.path, problem: "no file" });
      else if (got !== want.get(item.id)) {
        notExact.push({ id: item.id, path: row.path, problem: "bytes differ from Google's" });
      } else byteExact++;
    }

    const badRows: Finding[] = [];
    const finals = new Set<string>();
    for (const row of index.downloadedItems()) {
      const item = byId.get(row.id);
      const got = await hashFile(join(target, row.path));
      if (!item) badRows.push({ id: row.id, path: row.path, problem: "no such item in Google" });
      else if (got === undefined) badRows.push({ id: row.id, path: row.path, problem: "no file" });
      else if (got !== want.get(row.id)) {
        badRows.push({ id: row.id, path: row.path, problem: "file holds other bytes" });
      } else finals.add(row.path);
    }

    const partialUnderFinal: Finding[] = [];
    const leftoverTemps: Finding[] = [];
    for (const path of await filesUnder(target, "")) {
      const name = path.split("/").pop()!;
      const inTempFolder = TEMP_FOLDERS.some((f) => path.startsWith(`${f}/`));
      // A final file whose item happens to be named like a temporary file is no temporary file.
      if (inTempFolder || (isTempName(name) && !finals.has(path))) {
        leftoverTemps.push({ path, problem: "temporary file left" });
        continue;
      }
      if (!path.startsWith("photos/")) continue;
      const got = await hashFile(join(target, path));
      if (got !== undefined && !anyItemBytes.has(got)) {
        const size = (await Deno.stat(join(target, path))).size;
        partialUnderFinal.push({ path, problem: `${size} bytes that are no item's bytes` });
      }
    }
    return {
      expected: servable.length,
      byteExact,
      notExact,
      unservable,
      partialUnderFinal,
      leftoverTemps,
      badRows,
    };
  } finally {
    index.close();
  }
}

/** Faults the fake served, from its call log: 429s, 5xx, and stalled bodies (half sent, then held). */
export function faultTally(fake: FakeGoogle): { r429: number; r5xx: number; stalled: number } {
  let r429 = 0;
  let r5xx = 0;
  let stalled = 0;
  const sizes = new Map<string, number>();
  for (const c of fake.calls) {
    if (c.status === 429) r429++;
    else if (c.status >= 500) r5xx++;
    if (c.kind !== "media" || c.itemId === undefined || c.bytesSent === undefined) continue;
    if (c.status !== 200 && c.status !== 206) continue;
    const param = c.path.endsWith("=dv") ? "dv" : c.path.endsWith("=d") ? "d" : undefined;
    if (!param) continue;
    const key = `${c.itemId}=${param}`;
    let size = sizes.get(key);
    if (size === undefined) sizes.set(key, size = fake.servedBytes(c.itemId, param).length);
    const start = c.range ? Number(/bytes=(\d+)-/.exec(c.range)?.[1] ?? 0) : 0;
    // A stalled body stops at exactly half its span; a cut one at a random byte.
    if (size - start > 1 && c.bytesSent === Math.max(1, Math.floor((size - start) / 2))) stalled++;
  }
  return { r429, r5xx, stalled };
}
