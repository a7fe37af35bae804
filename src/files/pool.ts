/**
 * The one bounded pool of the program: at most `size` tasks hold a slot at once. Hand-written
 * rather than `p-limit` because the download engine frees a slot before its task ends (the body
 * is in; renaming and recording need no network) and pulls work only when a slot is free (so a
 * priority queue decides what starts next); p-limit offers neither.
 */

/** Gives a slot back; calling it twice is harmless. */
export type Release = () => void;

/** A counting semaphore with FIFO waiters. */
export class Pool {
  readonly size: number;
  #held = 0;
  #waiters: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Pool size must be a whole number of at least 1, got ${size}`);
    }
    this.size = size;
  }

  /** Slots held now. */
  get active(): number {
    return this.#held;
  }

  /** A slot now, or undefined when all are held. */
  tryAcquire(): Release | undefined {
    if (this.#held >= this.size) return undefined;
    this.#held++;
    return this.#releaser();
  }

  /** Waits for a slot. */
  acquire(): Promise<Release> {
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      this.#waiters.push(() => {
        this.#held++;
        resolve(this.#releaser());
      });
    });
  }

  /** Runs `task` in a slot; the task may call `release` early to free the slot before it ends. */
  async run<T>(task: (release: Release) => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task(release);
    } finally {
      release();
    }
  }

  #releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#held--;
      this.#waiters.shift()?.();
    };
  }
}

/** Options of `forEachLimited`. */
export interface ForEachOptions {
  /** Stops taking new items; the tasks under way are awaited, then the abort reason is thrown. */
  signal?: AbortSignal;
}

/**
 * Calls `fn` on every item with at most `limit` calls at once, in item order of start; rejects
 * with the first error (items not yet started are then left alone).
 */
export async function forEachLimited<T>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  opts: ForEachOptions = {},
): Promise<void> {
  const pool = new Pool(Math.max(1, Math.floor(limit)));
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let i = 0;
  for (const item of items) {
    if (failure) break;
    const release = await pool.acquire();
    if (!failure && opts.signal?.aborted) failure = { error: opts.signal.reason };
    if (failure) {
      release();
      break;
    }
    const n = i++;
    const p: Promise<void> = fn(item, n)
      .catch((error) => {
        failure ??= { error };
      })
      .finally(() => {
        running.delete(p);
        release();
      });
    running.add(p);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}

/**
 * The items of `list` in order, each let go by the list once handed out: what a long run has
 * done with can be collected while the rest waits.
 */
export function* draining<T>(list: T[]): Generator<T> {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    (list as (T | undefined)[])[i] = undefined;
    yield item;
  }
}
