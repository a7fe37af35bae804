/**
 * Bringing into the OS caches, in the background, what a run is about to read: the index file
 * (one sequential read instead of SQLite's scattered page reads from a cold disk) and the inodes of
 * files it will check with synchronous stats. Nothing here changes what the run sees: the run reads
 * and stats for itself, only faster; every error is ignored.
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
 * a disk read each when cold), and says when it is done. A blob, not a module file, so a compiled
 * binary needs nothing included for it.
 */
const STAT_WORKER = `
self.onmessage = (e) => {
  const { root, relPaths } = e.data;
  for (const rel of relPaths) {
    try { Deno.statSync(root + "/" + rel); } catch { /* gone: the run sees it too */ }
  }
  self.postMessage(true);
  self.close();
};
`;

/** Paths below which stats are done on the main thread in less time than a worker takes to start. */
const WORKER_MIN_PATHS = 500;

/** A background warm-up: `done` says how it ended: all done, stopped, or failed (never thrown). */
export interface Warming {
  done: Promise<"done" | "stopped" | "failed">;
  stop(): void;
}

/**
 * Stats `relPaths` (relative to `root`) on another thread, so the cold disk reads of their inodes
 * overlap the run's own work; the run's stats of them later find the inodes cached. Returns at
 * once.
 */
export function warmStats(root: string, relPaths: string[]): Warming {
  if (relPaths.length < WORKER_MIN_PATHS) return { done: Promise.resolve("done"), stop() {} };
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
    worker.onmessage = () => end("done");
    worker.onerror = (e) => {
      e.preventDefault();
      end("failed");
    };
    // Joined there, not here: the main thread only hands the list over.
    worker.postMessage({ root, relPaths });
  } catch {
    end("failed");
  }
  return { done, stop: () => end("stopped") };
}
