/** An extracted export (a folder): walked in name order in pass one, files read in pass two. */
import { basename, join, relative, resolve } from "node:path";
import type { ChunkSink, RangePump } from "../../files/byte_pump.ts";
import {
  describe,
  type FoundEntry,
  makeEntry,
  readJsonInfo,
  type ScanOptions,
  type TakeoutEntry,
  type TakeoutPart,
} from "./part.ts";
import { isJsonName, isJunk, isRootNonSidecar, place } from "./tree_rules.ts";

/** A folder part of the export. */
export class FolderPart implements TakeoutPart {
  readonly path: string;
  readonly kind = "folder" as const;
  #top: string;
  #pump: RangePump;

  /** `pump` reads the files in pass two. */
  constructor(path: string, pump: RangePump) {
    this.path = path;
    this.#top = resolve(path);
    this.#pump = pump;
  }

  /** Walks the folder and reads its JSON files. */
  async scan(opts: ScanOptions): Promise<FoundEntry[]> {
    const { problems, signal } = opts;
    const top = this.#top;
    const base = basename(top);
    const found: FoundEntry[] = [];
    const walk = async (dir: string): Promise<void> => {
      let items: Deno.DirEntry[];
      try {
        items = await Array.fromAsync(Deno.readDir(dir));
      } catch (err) {
        problems.push({ source: this.path, entry: relative(top, dir), message: describe(err) });
        return;
      }
      items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const item of items) {
        signal?.throwIfAborted();
        const full = join(dir, item.name);
        if (item.isDirectory) {
          if (!isJunk([item.name])) await walk(full);
          continue;
        }
        if (!item.isFile) continue;
        const rel = relative(top, full).split(/[\\/]/);
        if (isJunk(rel)) continue;
        const placed = place([base, ...rel], true);
        if (!placed) continue;
        let info: Deno.FileInfo;
        try {
          info = await Deno.stat(full);
        } catch (err) {
          problems.push({ source: this.path, entry: rel.join("/"), message: describe(err) });
          continue;
        }
        const entry = makeEntry(placed, {
          size: info.size,
          mtime: info.mtime ?? undefined,
          source: this.path,
          kind: "folder",
          inner: rel.join("/"),
        });
        const p: FoundEntry = { entry, known: placed.known, json: undefined };
        if (isJsonName(entry.name) && !isRootNonSidecar(entry.dir, entry.name)) {
          p.json = opts.knownJson?.(entry) ??
            await readJsonInfo(entry, () => Deno.readTextFile(full), problems);
        }
        found.push(p);
        opts.onFound?.(p);
      }
    };
    await walk(top);
    return found;
  }

  /** Reads the file as it is now: its size may have changed since pass one. */
  async read(entry: TakeoutEntry, sink: ChunkSink): Promise<void> {
    const path = join(this.#top, entry.inner);
    const size = (await Deno.stat(path)).size;
    await this.#pump.pump({ path, offset: 0, size }, sink);
  }

  /** Nothing stays open between reads. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
