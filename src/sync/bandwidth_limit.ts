/**
 * `--bwlimit`: one token bucket shared by every transfer of a run, so the sum of all bodies stays
 * under the limit however many run at once. Without a limit no bucket exists and a body read
 * costs nothing extra.
 */

/** Bytes a second from rclone's syntax: `4M`, `512K`, `1.5G`, `100B`; a bare number is KiB. */
export function parseBandwidth(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmg]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  const scale = unit === "b" ? 1 : unit === "m" ? 2 ** 20 : unit === "g" ? 2 ** 30 : 2 ** 10;
  const bytes = Math.floor(Number(m[1]) * scale);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

/** Options of `TokenBucket`. */
export interface TokenBucketOptions {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Paces byte counts to a rate: each taker waits until the bytes it took are paid for. */
export class TokenBucket {
  readonly rate: number;
  readonly #burst: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  /** Bytes that may pass now; negative when takers owe time. */
  #tokens = 0;
  #last: number;

  constructor(bytesPerSecond: number, options: TokenBucketOptions = {}) {
    if (!(bytesPerSecond > 0)) {
      throw new RangeError(`Bandwidth limit must be above 0, got ${bytesPerSecond}`);
    }
    this.rate = bytesPerSecond;
    // A tenth of a second of credit: idle time saves little, so a burst cannot beat the limit.
    this.#burst = Math.max(64 * 1024, bytesPerSecond / 10);
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#now = options.now ?? (() => performance.now());
    this.#last = this.#now();
  }

  /** Counts `bytes` just received and waits as long as the limit asks. */
  take(bytes: number): Promise<void> | undefined {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.rate / 1000);
    this.#last = now;
    this.#tokens -= bytes;
    if (this.#tokens >= 0) return undefined;
    // Every taker waits out the debt as it stands after its own bytes: the sum keeps the rate.
    return this.#sleep(-this.#tokens * 1000 / this.rate);
  }
}
