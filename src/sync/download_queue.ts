/**
 * The download engine's queue: big first. Google's listing gives no byte size, but a video or a
 * photo of many pixels is likely to be a long transfer; starting those first lets the short ones
 * fill the gaps instead of leaving one late video alone at the end of a run.
 */
import type { MediaRow } from "../index/types.ts";
import { isVideo } from "../media/media_type.ts";

interface Entry {
  row: MediaRow;
  video: boolean;
  pixels: number;
  /** Order of arrival (index order), so equal items start in a deterministic order. */
  seq: number;
}

/** A priority queue of items to fetch: videos, then more pixels, then order of arrival. */
export class DownloadQueue {
  #heap: Entry[] = [];
  #seq = 0;

  /** Items waiting. */
  get length(): number {
    return this.#heap.length;
  }

  /** Adds an item. */
  push(row: MediaRow): void {
    const entry = { row, video: isVideo(row), pixels: pixelsOf(row), seq: this.#seq++ };
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!before(entry, heap[up])) break;
      heap[i] = heap[up];
      i = up;
    }
    heap[i] = entry;
  }

  /** Takes the item to start next, or undefined when none waits. */
  shift(): MediaRow | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (heap.length === 0) return top.row;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const c = r < heap.length && before(heap[r], heap[l]) ? r : l;
      if (!before(heap[c], last)) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = last;
    return top.row;
  }
}

function before(a: Entry, b: Entry): boolean {
  if (a.video !== b.video) return a.video;
  if (a.pixels !== b.pixels) return a.pixels > b.pixels;
  return a.seq < b.seq;
}

function pixelsOf(row: MediaRow): number {
  const w = row.width ?? 0;
  const h = row.height ?? 0;
  return w > 0 && h > 0 ? w * h : 0;
}
