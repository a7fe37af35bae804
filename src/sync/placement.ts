/**
 * Where a complete download lands. A file already under an item's name that the index does not
 * record as that item's (the index was lost, or it is the user's) is never overwritten and never
 * taken on its name alone: it is adopted only when it holds the item's bytes, else the item takes
 * its own ` (n)`. Placements of one name run one at a time, since they move each other's numbers.
 */
import { lstatOrUndefined } from "../files/file_info.ts";
import type { EventSink } from "../events.ts";
import type { MediaIndex } from "../index/media_index.ts";
import type { MediaRow } from "../index/types.ts";
import { resolveInside, type TempFile } from "../files/atomic_file.ts";
import { type FileDigest, hashFile } from "../files/hash.ts";
import { recordTransferDone } from "../index/transfer_queries.ts";
import { dupBaseName } from "../layout/mod.ts";

/** What became of one fetched item, and where its file is. */
export interface Fetched {
  outcome: "downloaded" | "recorded";
  path: string;
}

/** How one complete temporary file is placed. */
export interface PlaceHow {
  digest: FileDigest;
  mtime: Date | undefined;
  /** `--retry-download`: the file under the item's name is its own, changed since: replace it. */
  overwrite: boolean;
  /** Fetched this run (else finished from a killed run's temporary file). */
  fetched: boolean;
}

/** What placing needs of the engine. */
export interface PlacementContext {
  target: string;
  index: MediaIndex;
  emit: EventSink;
  /** Records the item's file in the index (inside the name's turn). */
  record: (row: MediaRow, digest: FileDigest) => void;
}

/** Places complete downloads under their names, adopting files that hold the item's bytes. */
export class Placement {
  readonly #ctx: PlacementContext;
  /** The last placement of each name (folder and base name), so they run one at a time. */
  readonly #placing = new Map<string, Promise<void>>();

  constructor(context: PlacementContext) {
    this.#ctx = context;
  }

  /**
   * Puts a complete temporary file of Google's bytes under the item's name. A file already there
   * that the index does not record as this item's (an index lost, a user's file) is never
   * overwritten: it is adopted when its size and SHA-256 equal the fetched bytes, else the item
   * takes the next free ` (n)`. The whole fetch is the cheapest proof: Google gives no size or
   * hash in its listing, a size probe would save nothing when the sizes differ (the item must be
   * fetched for its own name anyway), and equal sizes need every byte to compare hashes.
   */
  place(row: MediaRow, temp: TempFile, how: PlaceHow): Promise<Fetched> {
    return this.#oneAtATime(row, () => this.#placeNow(row.id, temp, how));
  }

  async #placeNow(
    id: string,
    temp: TempFile,
    how: PlaceHow,
  ): Promise<Fetched> {
    const { digest, mtime } = how;
    // Read again: another item of this name may have moved it while its bytes came.
    let current = this.#ctx.index.getItem(id)!;
    const row = current;
    for (;;) {
      const finalPath = resolveInside(this.#ctx.target, current.path);
      // `--retry-download` replaces a file the index records as this item's, changed since.
      const info = how.overwrite ? undefined : await lstatOrUndefined(finalPath);
      if (info === undefined) {
        // Items listed in one page get their numbers before any file is checked: a file moved past
        // by another item may be this one's.
        const found = how.overwrite ? undefined : await this.#ownBelow(current, digest);
        if (found) {
          await temp.discard();
          this.#ctx.record(found.row, found.digest);
          return { outcome: "recorded", path: found.row.path };
        }
        // Before the rename: a run killed after it can prove the file is this item's.
        recordTransferDone(this.#ctx.index, row.id, digest);
        await temp.commit({ path: current.path, mtime });
        this.#ctx.record(current, digest);
        return { outcome: how.fetched ? "downloaded" : "recorded", path: current.path };
      }
      if (info.isFile && info.size === digest.size) {
        const there = await hashFile(finalPath);
        if (there.sha256 === digest.sha256) {
          await temp.discard();
          this.#ctx.record(current, there);
          return { outcome: "recorded", path: current.path };
        }
      }
      current = this.#ctx.index.movePastTakenPath(row.id);
      this.#ctx.emit({
        type: "info",
        message: `"${row.path}" holds other bytes than item "${row.id}": kept, the item goes to ` +
          `"${current.path}"`,
      });
    }
  }

  /**
   * A file under a lower number of the item's name that holds its bytes, free in the index or
   * held by an item not downloaded yet (which then moves past it, as it would on finding it):
   * the item moves there. Whichever order items of one name are checked in, each ends on its file.
   */
  async #ownBelow(
    row: MediaRow,
    digest: FileDigest,
  ): Promise<{ row: MediaRow; digest: FileDigest } | undefined> {
    for (const { dupNo, path, pendingHolder } of this.#ctx.index.pathsBelow(row.id)) {
      const abs = resolveInside(this.#ctx.target, path);
      const info = await lstatOrUndefined(abs);
      if (!info?.isFile || info.size !== digest.size) continue;
      const there = await hashFile(abs);
      if (there.sha256 !== digest.sha256) continue;
      if (pendingHolder !== undefined) this.#ctx.index.movePastTakenPath(pendingHolder);
      return { row: this.#ctx.index.moveToNumber(row.id, dupNo), digest: there };
    }
    return undefined;
  }

  /** Runs `fn` after every earlier placement of the same name: their numbers move each other. */
  async #oneAtATime<T>(row: MediaRow, fn: () => Promise<T>): Promise<T> {
    const key = `${row.folder}\0${dupBaseName(row.originalName).toLowerCase()}`;
    const before = this.#placing.get(key) ?? Promise.resolve();
    const mine = before.then(fn, fn);
    const tail = mine.then(() => {}, () => {});
    this.#placing.set(key, tail);
    try {
      return await mine;
    } finally {
      if (this.#placing.get(key) === tail) this.#placing.delete(key);
    }
  }
}
