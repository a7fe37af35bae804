import assert from "node:assert/strict";
import { join } from "node:path";
import { type ByteCheck, pumpStream, RangePump } from "../src/files/byte_pump.ts";

/** Counts bytes; `finish` throws unless `want` arrived. */
function lengthCheck(want: number): ByteCheck & { finished: boolean } {
  let got = 0;
  return {
    finished: false,
    update(chunk) {
      got += chunk.byteLength;
    },
    finish() {
      this.finished = true;
      if (got !== want) throw new Error(`got ${got} of ${want}`);
    },
  };
}

/** The files `Deno.open` opens while `fn` runs. */
async function spyOnOpen(fn: () => Promise<void>): Promise<Deno.FsFile[]> {
  const open = Deno.open;
  const opened: Deno.FsFile[] = [];
  const deno = Deno as { open: typeof Deno.open };
  deno.open = async (...args) => {
    const file = await open(...args);
    opened.push(file);
    return file;
  };
  try {
    await fn();
  } finally {
    deno.open = open;
  }
  return opened;
}

Deno.test("pumpStream() feeds chunks in order and runs the check at the end only", async (t) => {
  const body = () => ReadableStream.from([new Uint8Array([1, 2]), new Uint8Array([3])]);
  await t.step("every chunk, then finish", async () => {
    const seen: number[] = [];
    const check = lengthCheck(3);
    await pumpStream(body(), (c) => void seen.push(...c), check);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.ok(check.finished);
  });
  await t.step("a sink returning true stops it, unchecked", async () => {
    const check = lengthCheck(99);
    let calls = 0;
    await pumpStream(body(), () => ++calls > 0, check);
    assert.equal(calls, 1);
    assert.ok(!check.finished);
  });
  await t.step("the check's error is the pump's", async () => {
    await assert.rejects(pumpStream(body(), () => {}, lengthCheck(4)), /got 3 of 4/);
  });
});

Deno.test("RangePump reads a range exactly and closes the handles it kept", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-pump-" });
  const path = join(dir, "f.bin");
  const bytes = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => i % 251);
  await Deno.writeFile(path, bytes);
  const pump = new RangePump();
  try {
    await t.step("a range across several buffers, handle kept", async () => {
      const parts: Uint8Array<ArrayBuffer>[] = [];
      const range = { path, offset: 7, size: bytes.length - 9 };
      await pump.pump(range, (c) => void parts.push(c.slice()), { keepHandle: true });
      const got = new Uint8Array(await new Blob(parts).arrayBuffer());
      assert.deepEqual(got, bytes.subarray(7, bytes.length - 2));
      await pump.pump({ path, offset: 0, size: 4 }, () => {}, { keepHandle: true });
    });
    await t.step("a kept handle is reused, and closed by close()", async () => {
      const own = new RangePump();
      const head = { path, offset: 0, size: 4 };
      const opened = await spyOnOpen(async () => {
        await own.pump(head, () => {}, { keepHandle: true });
        await own.pump(head, () => {}, { keepHandle: true });
        await own.pump(head, () => {});
      });
      const isOpen = (f: Deno.FsFile) => {
        try {
          f.statSync();
          return true;
        } catch {
          return false;
        }
      };
      assert.deepEqual(opened.map(isOpen), [true, false], "one kept, one closed after its read");
      own.close();
      assert.deepEqual(opened.map(isOpen), [false, false]);
    });
    await t.step("a file shorter than the range fails, or is left to the check", async () => {
      const range = { path, offset: bytes.length - 3, size: 10 };
      await assert.rejects(pump.pump(range, () => {}), /ended 7 bytes early/);
      await assert.rejects(pump.pump(range, () => {}, { check: lengthCheck(10) }), /got 3 of 10/);
    });
  } finally {
    pump.close();
    await Deno.remove(dir, { recursive: true });
  }
});
