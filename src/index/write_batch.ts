/**
 * Index writes committed in batches by age: a long run of small writes (a Takeout import's rows,
 * one file after another) costs one commit every so often rather than one per write. Each write is
 * still atomic on its own; what a batch holds is lost together if the process dies before its
 * commit, so only writes the next run makes again belong in one.
 */
import type { IndexPort } from "./port.ts";

/** A batch of the index's writes, committed when older than `maxMs` and at `end`. */
export class WriteBatch {
  #index: Pick<IndexPort, "beginBatch" | "commitBatch">;
  #maxMs: number;
  #started: number;

  constructor(index: Pick<IndexPort, "beginBatch" | "commitBatch">, maxMs: number) {
    this.#index = index;
    this.#maxMs = maxMs;
    index.beginBatch();
    this.#started = performance.now();
  }

  /** Commits and opens the next batch once this one is old enough; call between writes. */
  tick(): void {
    if (performance.now() - this.#started < this.#maxMs) return;
    this.#index.commitBatch();
    this.#index.beginBatch();
    this.#started = performance.now();
  }

  /** Commits what the batch holds. */
  end(): void {
    this.#index.commitBatch();
  }
}
