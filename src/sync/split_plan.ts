/**
 * The byte ranges of one transfer split into parallel requests (as rclone's multi-thread streams
 * and aria2 do): the head streams into the temporary file from byte 0, each other range into the
 * same file at its offset. Free transfer slots take a range to resume or split the range with the
 * most bytes left; the ranges are recorded in the index before a byte lands at a new offset.
 */

/** One range: bytes `start..pos` are on disk, `pos..end` are still to come. */
export interface ByteRange {
  start: number;
  end: number;
  pos: number;
  /** A request is writing it. */
  busy: boolean;
}

/** Ranges are split on this boundary, so writes stay aligned. */
const ALIGN = 64 * 1024;

/** The ranges of one item's temporary file. */
export class SplitPlan {
  readonly total: number;
  /** In offset order; the first is the head, written by the item's own stream. */
  #ranges: ByteRange[];
  /** Ranges with a request under way, counted also after a reset dropped them. */
  #busy = 0;
  /** The server ignored a Range header: no more splitting for this item. */
  #closed = false;
  /** The server answered a range with that range: until then one helper tries, not many. */
  #proven: boolean;
  #waiters: (() => void)[] = [];
  readonly #save: (ranges: [number, number, number][] | null) => void;

  constructor(
    total: number,
    save: (ranges: [number, number, number][] | null) => void,
    resumed?: readonly (readonly [number, number, number])[],
  ) {
    this.total = total;
    this.#save = save;
    this.#ranges = resumed?.length
      ? resumed.map(([start, end, pos]) => ({ start, end, pos, busy: false }))
      : [{ start: 0, end: total, pos: 0, busy: false }];
    this.#ranges[0].busy = true;
    this.#proven = this.#ranges.length > 1;
  }

  /** The range the item's own stream writes, from byte 0. */
  get head(): ByteRange {
    return this.#ranges[0];
  }

  /** Ranges beside the head were made: the file must be hashed whole. */
  get split(): boolean {
    return this.#ranges.length > 1;
  }

  /** Every byte is in. */
  get complete(): boolean {
    return this.#ranges.every((r) => r.pos >= r.end);
  }

  /** Ranges as recorded: `[start, end, pos]`. */
  snapshot(): [number, number, number][] {
    return this.#ranges.map((r) => [r.start, r.end, r.pos]);
  }

  /** Records the ranges' progress (positions only move forward after the bytes are written). */
  checkpoint(): void {
    if (this.split) this.#save(this.snapshot());
  }

  /**
   * Work for a free slot: a range left by a killed run, else the second half of the range with the
   * most bytes to go when that is above `minBytes`; marked busy and recorded. Undefined when none.
   */
  offer(minBytes: number): ByteRange | undefined {
    if (this.#closed || (!this.#proven && this.#busy > 0)) return undefined;
    const idle = this.#ranges.find((r, i) => i > 0 && !r.busy && r.pos < r.end);
    if (idle) return this.#take(idle);
    let widest: ByteRange | undefined;
    for (const r of this.#ranges) {
      if (r.busy && (!widest || r.end - r.pos > widest.end - widest.pos)) widest = r;
    }
    if (!widest || widest.end - widest.pos <= minBytes) return undefined;
    const mid = Math.ceil((widest.pos + (widest.end - widest.pos) / 2) / ALIGN) * ALIGN;
    if (mid <= widest.pos || mid >= widest.end) return undefined;
    const fresh: ByteRange = { start: mid, end: widest.end, pos: mid, busy: false };
    widest.end = mid;
    this.#ranges.splice(this.#ranges.indexOf(widest) + 1, 0, fresh);
    // Before the first byte lands at the new offset: a killed run must not read the gap as data.
    this.#save(this.snapshot());
    return this.#take(fresh);
  }

  /** The next range for the item's own stream once its head is in: undefined when all are taken. */
  next(): ByteRange | undefined {
    const idle = this.#ranges.find((r, i) => i > 0 && !r.busy && r.pos < r.end);
    return idle ? this.#take(idle) : undefined;
  }

  /** A request on `range` ended (done, cut or refused). */
  release(range: ByteRange): void {
    if (!range.busy) return;
    range.busy = false;
    this.#busy--;
    this.checkpoint();
    this.#wake();
  }

  /**
   * A range whose request was refused before its first byte: back to the head when it follows it
   * (the head's open-ended request simply goes on), else released for the item's own stream.
   */
  giveBack(range: ByteRange): void {
    const head = this.#ranges[0];
    if (this.#ranges[1] === range && range.pos === range.start && head.end === range.start) {
      head.end = range.end;
      this.#ranges.splice(1, 1);
      range.end = range.pos;
      if (range.busy) {
        range.busy = false;
        this.#busy--;
      }
      this.#save(this.split ? this.snapshot() : null);
      this.#wake();
      return;
    }
    this.release(range);
  }

  /** The server answered a range request with that range; true the first time. */
  proven(): boolean {
    if (this.#proven) return false;
    this.#proven = true;
    return true;
  }

  /** The server does not serve ranges: stop offering them. */
  close(): void {
    this.#closed = true;
  }

  /** Waits until a range is released. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Back to one range from byte 0 (the file changed, or the server ignores Range): requests on
   * other ranges stop at their next chunk; resolves once none writes any more.
   */
  async reset(): Promise<void> {
    this.#closed = true;
    for (const r of this.#ranges.slice(1)) r.end = r.pos;
    this.#ranges = [{ start: 0, end: this.total, pos: 0, busy: true }];
    this.#save(null);
    while (this.#busy > 0) await this.changed();
  }

  #take(range: ByteRange): ByteRange {
    range.busy = true;
    this.#busy++;
    return range;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * The ranges a killed run recorded, if the temporary file can hold them: a file shorter than a
 * recorded position lost bytes the ranges claim, and is started over.
 */
export function usableRanges(
  ranges: [number, number, number][] | null | undefined,
  total: number | null | undefined,
  fileSize: number,
): [number, number, number][] | undefined {
  if (!ranges?.length || total === null || total === undefined) return undefined;
  if (ranges[0][0] !== 0 || ranges.at(-1)![1] !== total) return undefined;
  for (let i = 1; i < ranges.length; i++) if (ranges[i][0] !== ranges[i - 1][1]) return undefined;
  if (ranges.some(([, , pos]) => pos > fileSize)) return undefined;
  return ranges;
}
