/**
 * A full garbage collection on request, for long batch work whose working set shrinks as it goes
 * (a Takeout import lets go of its archive listings once matched, and of each file once imported).
 * V8 sets the point of its next full collection from the largest heap it has seen, so without this
 * a process keeps its high-water heap, garbage included, to the end of the run; a collection of a
 * 100 MB heap takes tens of milliseconds. `gc` exists only in a context made after `--expose-gc`
 * is set, which Node's `vm` module can make at run time.
 */
import process from "node:process";

let collector: (() => void) | null | undefined;

function gcFunction(): (() => void) | null {
  if (collector !== undefined) return collector;
  collector = null;
  try {
    const v8 = process.getBuiltinModule("node:v8") as typeof import("node:v8");
    const vm = process.getBuiltinModule("node:vm") as typeof import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    if (typeof gc === "function") collector = gc as () => void;
  } catch {
    // A runtime without it: V8 collects on its own schedule, only later.
  }
  return collector;
}

/**
 * Below this much heap in use a forced collection costs more than it can give back (it also makes
 * V8 shrink its heap, and then grow it again): a small run is left to V8's own schedule.
 */
const WORTH_COLLECTING = 64 * 1024 * 1024;

/** Collects all garbage now, where the runtime allows it and the heap is large enough to matter. */
export function collectGarbage(): void {
  if (Deno.memoryUsage().heapUsed < WORTH_COLLECTING) return;
  gcFunction()?.();
}

/** Collects garbage once every `every` calls of `tick` (one call per file of a long run). */
export class GarbageCadence {
  #every: number;
  #count = 0;

  constructor(every: number) {
    this.#every = every;
  }

  tick(): void {
    if (++this.#count % this.#every === 0) collectGarbage();
  }
}
