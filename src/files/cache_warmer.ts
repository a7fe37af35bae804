/**
 * Bringing into the OS caches, in the background, what a run is about to read: the index file
 * (one sequential read instead of SQLite's scattered page reads from a cold disk) and the sizes of
 * many files it will check, stat'ed on another thread. Every error is ignored.
 */

/** Bytes of a file read ahead at most: a huge index is not worth holding in the cache whole. */
const WARM_FILE_LIMIT = 256 * 1024 * 1024;
const WARM_READ_BYTES = 1024 * 1024;

/** Reads the start of `path` (up to 256 MiB) once, into one reused buffer. */
export async function warmFile(path: string, limit = WARM_FILE_LIMIT): Promise<void> {
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path, { read: true });
    const buf = new Uint8Array(WARM_READ_BYTES);
    for (let done = 0; done < limit;) {
      const n = await file.read(buf);
      if (n === null) break;
      done += n;
    }
  } catch {
    // Missing or unreadable: the run finds out for itself.
  } finally {
    file?.close();
  }
}

/**
 * A worker's code: stats every path it is sent, synchronously (a few microseconds each once cached,
 * a disk read each when cold), and sends back each one's size, -1 for anything but a file. A blob,
 * not a module file, so a compiled binary needs nothing included for it.
 */
const STAT_WORKER = `
self.onmessage = (e) => {
  const { root, relPaths } = e.data;
  const sizes = new Float64Array(relPaths.length);
  for (let i = 0; i < relPaths.length; i++) {
    try {
      const info = Deno.statSync(root + "/" + relPaths[i]);
      sizes[i] = info.isFile ? info.size : -1;
    } catch {
      sizes[i] = -1;
    }
  }
  self.postMessage(sizes, [sizes.buffer]);
  self.close();
};
`;

/** Paths below which stats are done on the main thread in less time than a worker takes to start. */
const WORKER_MIN_PATHS = 500;

/**
 * A background stat of many files: `done` says how it ended: all done, stopped, or failed (never
 * thrown); `sizes` holds, once done, each path's size as the worker found it (-1: no file).
 */
export interface Warming {
  done: Promise<"done" | "stopped" | "failed">;
  stop(): void;
  readonly sizes: Float64Array | undefined;
}

/**
 * Stats `relPaths` (relative to `root`, each already known to stay inside it) on another thread,
 * so the cold disk reads of their inodes overlap the run's own work. The caller may take a size
 * found as the file's (it was true a moment ago, like any stat); a file not found is worth a stat
 * of its own (this run may have written it since). Returns at once.
 */
export function warmStats(root: string, relPaths: string[]): Warming {
  const warming: Warming & { sizes: Float64Array | undefined } = {
    done: Promise.resolve("done"),
    stop() {},
    sizes: undefined,
  };
  if (relPaths.length < WORKER_MIN_PATHS) return warming;
  const { promise: done, resolve } = Promise.withResolvers<"done" | "stopped" | "failed">();
  let worker: Worker | undefined;
  let url: string | undefined;
  const end = (how: "done" | "stopped" | "failed") => {
    worker?.terminate();
    worker = undefined;
    if (url) URL.revokeObjectURL(url);
    url = undefined;
    resolve(how);
  };
  try {
    url = URL.createObjectURL(new Blob([STAT_WORKER], { type: "application/javascript" }));
    worker = new Worker(url, { type: "module" });
    worker.onmessage = (e: MessageEvent<Float64Array>) => {
      if (e.data instanceof Float64Array && e.data.length === relPaths.length) {
        warming.sizes = e.data;
      }
      end("done");
    };
    worker.onerror = (e) => {
      e.preventDefault();
      end("failed");
    };
    // Joined there, not here: the main thread only hands the list over.
    worker.postMessage({ root, relPaths });
  } catch {
    end("failed");
  }
  warming.done = done;
  warming.stop = () => end("stopped");
  return warming;
}
