/**
 * `stat`, `lstat` and `readLink` for many files in a row (an unchanged re-import checks every known
 * file is still there, and every album link).
 * On a local disk a synchronous stat takes a few microseconds, while an asynchronous one costs some
 * 35 µs of the main thread to dispatch and settle: 5,000 files took 170 ms asynchronously and 22 ms
 * synchronously (100 and 200 ms with a cold cache, BENCHMARKS.md). So stats are synchronous while
 * they are quick, and asynchronous from the first slow one on (a network mount, a busy disk), and
 * the event loop gets a turn every few milliseconds, so Ctrl-C is never held back.
 */

/** A synchronous stat slower than this makes the rest asynchronous. */
const SLOW_MS = 10;
/** Synchronous stats run at most this long before the event loop gets a turn. */
const TURN_MS = 20;

/** Reads that pick synchronous or asynchronous calls by how quick they are (see module). */
export class QuickStat {
  #async = false;
  #since = performance.now();
  #slowMs: number;
  #turnMs: number;

  constructor(opts: { slowMs?: number; turnMs?: number } = {}) {
    this.#slowMs = opts.slowMs ?? SLOW_MS;
    this.#turnMs = opts.turnMs ?? TURN_MS;
  }

  /** Whether a slow stat made this one asynchronous. */
  get asynchronous(): boolean {
    return this.#async;
  }

  /** `Deno.stat(path)`, with Deno.stat's errors. */
  stat(path: string): Promise<Deno.FileInfo> {
    return this.#call(() => Deno.statSync(path), () => Deno.stat(path));
  }

  /** `Deno.lstat(path)`, with its errors. */
  lstat(path: string): Promise<Deno.FileInfo> {
    return this.#call(() => Deno.lstatSync(path), () => Deno.lstat(path));
  }

  /** `Deno.readLink(path)`, with its errors (album links are checked a few thousand at a time). */
  readLink(path: string): Promise<string> {
    return this.#call(() => Deno.readLinkSync(path), () => Deno.readLink(path));
  }

  async #call<T>(sync: () => T, later: () => Promise<T>): Promise<T> {
    if (this.#async) return await later();
    if (performance.now() - this.#since >= this.#turnMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.#since = performance.now();
    }
    const start = performance.now();
    try {
      return sync();
    } finally {
      if (performance.now() - start >= this.#slowMs) this.#async = true;
    }
  }
}
