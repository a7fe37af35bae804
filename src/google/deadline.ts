/**
 * The deadlines of one request: fetch has none of its own, so a connection that stops answering
 * (no headers, a body that stops half way, an API call that never ends) would hold the run forever.
 * A passed deadline aborts the request and becomes a `NetworkError`, which the pacer retries and
 * the download engine resumes with a Range like a cut transfer; the run's own abort (Ctrl-C) is
 * passed on as it is, never retried.
 */
import { NetworkError } from "./pacer.ts";
import { formatDuration } from "./timeouts.ts";

/** One request's abort signal: the run's signals, or a deadline that passed. */
export class Deadlines {
  /** Give this to `fetch`: it also ends the body. */
  readonly signal: AbortSignal;
  readonly #own = new AbortController();
  readonly #runs: AbortSignal[];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #why: string | undefined;

  constructor(...runs: (AbortSignal | undefined)[]) {
    this.#runs = runs.filter((s): s is AbortSignal => s !== undefined);
    this.signal = this.#runs.length === 0
      ? this.#own.signal
      : AbortSignal.any([...this.#runs, this.#own.signal]);
  }

  /** Starts a deadline of `ms` that says `why` when it passes; the function returned calls it off. */
  arm(ms: number, why: string): () => void {
    const timer = setTimeout(() => this.#expire(why), ms);
    this.#timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.#timers.delete(timer);
    };
  }

  /** Calls off every deadline: the answer is complete. */
  end(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /**
   * `work`, or the abort's reason as soon as the signal aborts: `fetch` ends its request and body on
   * the abort, but a fetch or body from elsewhere may not.
   */
  async race<T>(work: Promise<T>): Promise<T> {
    const signal = this.signal;
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      if (signal.aborted) {
        work.catch(() => {}); // Its failure is the abort's echo: no unhandled rejection.
        throw signal.reason;
      }
      return await Promise.race([work, aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  /**
   * What an error of this request means: the run's abort as an interruption, a passed deadline as a
   * `NetworkError` saying which, anything else unchanged.
   */
  explain(error: unknown, what: string): unknown {
    const run = this.#runs.find((s) => s.aborted);
    if (run) return interruption(run);
    if (this.#why !== undefined) {
      return new NetworkError(`${what} failed: ${this.#why}`, { cause: error });
    }
    return error;
  }

  #expire(why: string): void {
    if (this.#why !== undefined || this.signal.aborted) return;
    this.#why = why;
    this.end();
    this.#own.abort(new DOMException(why, "TimeoutError"));
  }
}

/** The error a stopped run throws: the signal's own reason when it is an error. */
export function interruption(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException("The run was interrupted", "AbortError");
}

/**
 * `body`, passed through unchanged (BYOB reads included), but with a deadline on every read: no
 * byte for `idleMs` aborts the request, and the read fails with a `NetworkError` ("stalled").
 */
export function idleWatched(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  deadlines: Deadlines,
  what: string,
): ReadableStream<Uint8Array> {
  const why = `the transfer stalled: no byte for ${formatDuration(idleMs)}`;
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream (a body built in memory): read chunks as they come.
  }
  const plain = byob ? undefined : body.getReader();
  const read = async <T>(reading: () => Promise<T>): Promise<T> => {
    const disarm = deadlines.arm(idleMs, why);
    try {
      return await deadlines.race(reading());
    } catch (error) {
      (byob ?? plain!).cancel(error).catch(() => {});
      throw deadlines.explain(error, what);
    } finally {
      disarm();
    }
  };
  const source: UnderlyingByteSource = {
    type: "bytes",
    // Every read then comes with a buffer: BYOB readers lend theirs, others get one of this size.
    autoAllocateChunkSize: 65_536,
    async pull(controller) {
      const request = controller.byobRequest;
      const view = request?.view;
      if (!request || !view) throw new TypeError("A byte stream pull without a BYOB request");
      if (byob) {
        // Read straight into the consumer's buffer: no copy, no garbage per chunk.
        const into = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        const { value, done } = await read(() => byob.read(into));
        if (done) {
          controller.close();
          if (value) request.respondWithNewView(value);
          else request.respond(0);
          return;
        }
        request.respondWithNewView(value);
        return;
      }
      const { value, done } = await read(() => plain!.read());
      if (done) {
        controller.close();
        request.respond(0);
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      deadlines.end();
      return (byob ?? plain!).cancel(reason);
    },
  };
  return new ReadableStream(source);
}

/**
 * Fetches within the deadlines of an API call (headers within `connectMs`, the whole answer within
 * `totalMs`) and returns the answer read into memory, for callers that read it later on their own
 * (oauth4webapi's token requests).
 */
export async function fetchWhole(
  send: typeof fetch,
  url: string | URL,
  init: RequestInit,
  opts: { connectMs: number; totalMs: number; signal?: AbortSignal; what: string },
): Promise<Response> {
  const deadlines = new Deadlines(opts.signal, init.signal ?? undefined);
  deadlines.arm(opts.totalMs, `no complete answer within ${formatDuration(opts.totalMs)}`);
  const headersDue = deadlines.arm(
    opts.connectMs,
    `no answer within ${formatDuration(opts.connectMs)}`,
  );
  try {
    const response = await deadlines.race(send(url, { ...init, signal: deadlines.signal }));
    headersDue();
    const bytes = await deadlines.race(response.arrayBuffer());
    return new Response([204, 205, 304].includes(response.status) ? null : bytes, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } catch (error) {
    throw deadlines.explain(error, opts.what);
  } finally {
    deadlines.end();
  }
}
