/**
 * A tar or tgz part: no index, so it is read front to back once, in pass one. JSON files are
 * parsed and media bodies handed over (`onStreamedMedia`) as they pass; `read()` refuses them.
 */
import { createTarDecoder } from "modern-tar";
import { UsageError } from "../../errors.ts";
import type { ChunkSink } from "../../files/byte_pump.ts";
import {
  describe,
  type FoundEntry,
  jsonTooLarge,
  makeEntry,
  readJsonInfo,
  type ScanOptions,
  type TakeoutEntry,
  type TakeoutPart,
} from "./part.ts";
import { isJsonName, isJunk, isRootNonSidecar, place } from "./tree_rules.ts";

/** A `.tar`, `.tgz` or `.tar.gz` part of the export. */
export class TarPart implements TakeoutPart {
  readonly path: string;
  readonly kind: "tar" | "tgz";

  /** `kind` says whether the tar is gzipped. */
  constructor(path: string, kind: "tar" | "tgz") {
    this.path = path;
    this.kind = kind;
  }

  /** Reads the tar front to back once: JSON parsed, media handed over. */
  async scan(opts: ScanOptions): Promise<FoundEntry[]> {
    const { problems, onStreamedMedia, signal, onProgress } = opts;
    const found: FoundEntry[] = [];
    const file = await Deno.open(this.path, { read: true });
    const total = (await file.stat()).size;
    let seen = 0;
    let stream: ReadableStream<Uint8Array> = file.readable;
    if (onProgress) stream = counted(stream, (n) => onProgress(n, total, seen));
    if (this.kind === "tgz") stream = gunzip(stream);
    // Strict: a body cut by the end of the data fails instead of ending short.
    const decoder = createTarDecoder({ strict: true });
    // Fed by hand, not piped: an error upstream would abort the decoder and drop the entries it
    // still buffers (up to 1 MB). Ending its input instead lets it deliver every whole entry and
    // fail on the one the cut went through.
    let upstreamError: unknown;
    const feeding = (async () => {
      const writer = decoder.writable.getWriter();
      const reader = stream.getReader();
      try {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (err) {
            upstreamError = err;
            break;
          }
          if (chunk.done) break;
          await writer.write(chunk.value);
        }
        await writer.close();
      } catch {
        // The decoder failed or was cancelled; the loop below reports it.
        await reader.cancel().catch(() => {});
      }
    })();
    let current: string | undefined;
    let currentFound: FoundEntry | undefined;
    let last: string | undefined;
    const report = (err: unknown) => {
      if (currentFound) {
        // Its bytes never arrived whole: leave it out, so its sidecar shows up as unpaired.
        found.splice(found.indexOf(currentFound), 1);
      }
      problems.push({
        source: this.path,
        entry: current ?? (last ? `after "${last}"` : undefined),
        message: `archive is truncated or corrupt: ${describe(upstreamError ?? err)}`,
      });
    };
    try {
      for await (const t of decoder.readable) {
        signal?.throwIfAborted();
        current = t.header.name;
        currentFound = undefined;
        const type = t.header.type ?? "file";
        const segments = t.header.name.split("/").filter((s) => s !== "" && s !== ".");
        const placed = type === "file" && segments.length > 0 && !isJunk(segments)
          ? place(segments, false)
          : undefined;
        seen++;
        if (!placed) {
          await t.body.cancel();
          last = current;
          current = undefined;
          continue;
        }
        const entry = makeEntry(placed, {
          size: t.header.size,
          mtime: t.header.mtime,
          source: this.path,
          kind: this.kind,
          inner: t.header.name,
          streamed: true,
        });
        const p: FoundEntry = { entry, known: placed.known, json: undefined };
        found.push(p);
        currentFound = p;
        if (isJsonName(entry.name)) {
          if (isRootNonSidecar(entry.dir, entry.name)) {
            await t.body.cancel();
          } else if (jsonTooLarge(entry, problems)) {
            await t.body.cancel();
            p.json = { kind: "other" };
          } else {
            // Read outside `readJsonInfo`: a body cut short is the archive's problem, not the file's.
            const text = await new Response(exactLength(t.body, t.header.size)).text();
            p.json = await readJsonInfo(entry, () => Promise.resolve(text), problems);
          }
        } else if (onStreamedMedia) {
          await onStreamedMedia(entry, exactLength(t.body, t.header.size));
        } else {
          await t.body.cancel();
        }
        opts.onFound?.(p);
        last = current;
        current = undefined;
        currentFound = undefined;
      }
      await feeding;
      // Cut exactly between two entries: the decoder saw a clean end, the gzip trailer did not.
      if (upstreamError) report(upstreamError);
    } catch (err) {
      if (signal?.aborted) {
        await decoder.readable.cancel().catch(() => {});
        throw err;
      }
      if (seen === 0) {
        throw new UsageError(
          `Cannot read "${this.path}": not a ${this.kind === "tgz" ? "gzipped " : ""}tar archive (${
            describe(upstreamError ?? err)
          })`,
          { cause: err },
        );
      }
      report(err);
      await decoder.readable.cancel().catch(() => {});
    } finally {
      await feeding.catch(() => {});
      try {
        file.close();
      } catch {
        // Already closed by the finished stream.
      }
    }
    return found;
  }

  /** Refuses: a tar's bodies are only readable while pass one passes them. */
  read(entry: TakeoutEntry, _sink: ChunkSink): Promise<void> {
    return Promise.reject(
      new TypeError(`Cannot reopen "${entry.inner}" of "${entry.source}": it was streamed`),
    );
  }

  /** Nothing stays open after the scan. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The archive's bytes as read from disk, counted (before gunzip: the bar is of the file). */
function counted(
  input: ReadableStream<Uint8Array>,
  report: (read: number) => void,
): ReadableStream<Uint8Array> {
  let read = 0;
  return input.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        report(read);
        controller.enqueue(chunk);
      },
    }),
  );
}

/** A body that fails unless it carries exactly `size` bytes. */
function exactLength(body: ReadableStream<Uint8Array>, size: number): ReadableStream<Uint8Array> {
  let got = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        got += chunk.byteLength;
        controller.enqueue(chunk);
      },
      flush() {
        if (got !== size) throw new Error(`entry is cut short: ${got} of ${size} bytes`);
      },
    }),
  );
}

const IDLE = Symbol("idle");

/**
 * Gunzips without losing data to an error. A stream that errors drops what it still queues, so
 * the decompressor is only closed (and checks the gzip trailer) once everything it produced has
 * been read: a cut archive then fails exactly where its readable data ends, and every entry before
 * the cut is delivered whole.
 */
export function gunzip(input: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const ds = new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>;
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  let inputDone = false;
  let waiting = false;
  let closing = false;
  let inputError: unknown;
  const closeWhenDrained = () => {
    if (inputDone && waiting && !closing) {
      closing = true;
      writer.close().catch(() => {});
    }
  };
  (async () => {
    try {
      for await (const chunk of input) await writer.write(chunk);
      inputDone = true;
      closeWhenDrained();
    } catch (err) {
      inputError = err;
      await writer.abort(err).catch(() => {});
    }
  })();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = reader.read();
        // A read on a non-empty queue is already settled; only an empty queue may trigger close.
        let result = await Promise.race([next, Promise.resolve(IDLE)]);
        if (result === IDLE) {
          waiting = true;
          closeWhenDrained();
          result = await next;
          waiting = false;
        }
        const { done, value } = result as ReadableStreamReadResult<Uint8Array>;
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        waiting = false;
        controller.error(inputError ?? err);
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      await input.cancel(reason).catch(() => {});
    },
  });
}
