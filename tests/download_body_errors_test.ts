/** The engine retries a body that could not be read, and fails at once on a write that failed. */
import assert from "node:assert/strict";
import { DiskFullError } from "../src/errors.ts";
import { MediaIndex } from "../src/index/mod.ts";
import type { MediaRow } from "../src/index/types.ts";
import { TempFile } from "../src/files/atomic_file.ts";
import { DownloadEngine, type MediaFetcher } from "../src/sync/download_engine.ts";

const WHOLE = new Uint8Array(10_000).map((_, i) => (i * 31) % 256);

/** A server whose first answer sends 4,000 bytes and then breaks; later ones honour Range. */
function cuttingServer() {
  const ranges: (string | null)[] = [];
  const http: MediaFetcher = {
    media(_url, options) {
      const range = new Headers(options?.headers).get("range");
      ranges.push(range);
      if (ranges.length === 1) {
        let sent = false;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent) controller.error(new TypeError("error reading a body from connection"));
            sent = true;
            controller.enqueue(WHOLE.slice(0, 4_000));
          },
        });
        return Promise.resolve(
          new Response(body, { headers: { "content-length": String(WHOLE.length) } }),
        );
      }
      const from = Number(/bytes=(\d+)-/.exec(range ?? "")?.[1] ?? 0);
      return Promise.resolve(
        new Response(WHOLE.slice(from), {
          status: from > 0 ? 206 : 200,
          headers: {
            "content-length": String(WHOLE.length - from),
            ...(from > 0
              ? { "content-range": `bytes ${from}-${WHOLE.length - 1}/${WHOLE.length}` }
              : {}),
          },
        }),
      );
    },
  };
  return { http, ranges };
}

async function withItem(fn: (target: string, index: MediaIndex) => Promise<void>): Promise<void> {
  const target = await Deno.makeTempDir();
  const index = MediaIndex.open(target);
  try {
    index.upsertItems([{
      id: "item1",
      source: "library",
      originalName: "p.jpg",
      mimeType: "image/jpeg",
      mediaType: "photo",
      captureTime: "2020-01-02T03:04:05Z",
      dateSource: "api",
    }]);
    await fn(target, index);
  } finally {
    index.close();
    await Deno.remove(target, { recursive: true });
  }
}

const urls = {
  needsBearer: false,
  urlFor: (r: MediaRow) => Promise.resolve({ baseUrl: `https://x/${r.id}` }),
  invalidate() {},
};

Deno.test("DownloadEngine retries a body read error and resumes with Range", async () => {
  await withItem(async (target, index) => {
    const { http, ranges } = cuttingServer();
    const engine = new DownloadEngine({ target, index, http, urls, cutBackoffMs: 1 });
    await engine.addFromIndex();
    const summary = await engine.finish();
    assert.deepEqual(summary.failed, []);
    assert.equal(summary.downloaded, 1);
    assert.deepEqual(ranges, [null, "bytes=4000-"]);
    const row = index.getItem("item1")!;
    assert.deepEqual(await Deno.readFile(`${target}/${row.path}`), WHOLE);
  });
});

Deno.test("DownloadEngine stops the run at once when the disk is full", async () => {
  await withItem(async (target, index) => {
    const { http, ranges } = cuttingServer();
    const write = TempFile.prototype.write;
    // A full disk, without filling one: the file write fails the way the OS reports it.
    TempFile.prototype.write = () =>
      Promise.reject(
        Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" }),
      );
    let thrown: unknown;
    try {
      const engine = new DownloadEngine({ target, index, http, urls, cutBackoffMs: 1 });
      await engine.addFromIndex();
      await engine.finish().catch((err) => thrown = err);
    } finally {
      TempFile.prototype.write = write;
    }
    assert.equal(ranges.length, 1, "not retried");
    assert.ok(thrown instanceof DiskFullError, String(thrown));
    assert.ok(thrown.message.includes(`"${target}"`), thrown.message);
    assert.match(thrown.message, /the run still (needs|has 1 item)/);
    // Recording a failure needs the disk too, and the item did not fail: it waits for space.
    assert.deepEqual(index.failures(), []);
    assert.equal(index.pendingItems().length, 1);
  });
});
