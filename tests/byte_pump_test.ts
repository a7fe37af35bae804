import assert from "node:assert/strict";
import { join } from "node:path";
import { constants } from "node:fs";
import { type ByteCheck, pumpStream, RangePump } from "../src/files/byte_pump.ts";
import { PositionalFile } from "../src/files/positional_file.ts";

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

/** The files `PositionalFile.open` opens while `fn` runs. */
async function spyOnOpen(fn: () => Promise<void>): Promise<PositionalFile[]> {
  const open = PositionalFile.open;
  const opened: PositionalFile[] = [];
  PositionalFile.open = async (path, opts) => {
    const file = await open(path, opts);
    opened.push(file);
    return file;
  };
  try {
    await fn();
  } finally {
    PositionalFile.open = open;
  }
  return opened;
}

/** Whether `path` is on an ext4 file system (which takes direct reads). */
async function isExt4(path: string): Promise<boolean> {
  const out = await new Deno.Command("stat", { args: ["-f", "-c", "%T", path] }).output();
  return out.success && new TextDecoder().decode(out.stdout).trim() === "ext2/ext3";
}

/** Whether reads of `file` are still accepted. */
async function isOpen(file: PositionalFile): Promise<boolean> {
  try {
    await file.read(new Uint8Array(1), 0);
    return true;
  } catch {
    return false;
  }
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
      assert.equal(opened.length, 2);
      assert.deepEqual(
        await Promise.all(opened.map(isOpen)),
        [true, false],
        "one kept, one closed after its read",
      );
      own.close();
      assert.deepEqual(await Promise.all(opened.map(isOpen)), [false, false]);
    });
    await t.step(
      "ranges read side by side share one handle, each from its own offset",
      async () => {
        const own = new RangePump();
        const ranges = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
          path,
          offset: i * 300_001,
          size: 400_000,
        }));
        const got: Uint8Array[] = [];
        const opened = await spyOnOpen(async () => {
          await Promise.all(ranges.map(async (range, i) => {
            const parts: Uint8Array<ArrayBuffer>[] = [];
            await own.pump(range, async (c) => {
              parts.push(c.slice());
              await new Promise((r) => setTimeout(r, 1));
            }, { keepHandle: true });
            got[i] = new Uint8Array(await new Blob(parts).arrayBuffer());
          }));
        });
        own.close();
        assert.equal(opened.length, 1);
        ranges.forEach((r, i) =>
          assert.deepEqual(got[i], bytes.subarray(r.offset, r.offset + r.size))
        );
      },
    );
    await t.step("direct reads give exactly the range, whatever its alignment", async () => {
      const own = new RangePump();
      const mib = 1024 * 1024;
      const ranges: [number, number][] = [
        [0, 0],
        [0, 1],
        [1, 4095],
        [4095, 2],
        [4096, 4096],
        [100, mib + 5000],
        [3 * mib - 10, 15],
        [4097, 2 * mib + 3],
      ];
      const opened = await spyOnOpen(async () => {
        for (const [offset, size] of ranges) {
          const parts: Uint8Array<ArrayBuffer>[] = [];
          const check = lengthCheck(size);
          await own.pump({ path, offset, size }, (c) => void parts.push(c.slice()), {
            keepHandle: true,
            direct: true,
            check,
          });
          const got = new Uint8Array(await new Blob(parts).arrayBuffer());
          assert.deepEqual(got, bytes.subarray(offset, offset + size), `${offset}+${size}`);
          assert.ok(check.finished);
        }
        // Past the end: what the file has, and the check says the rest is missing.
        await assert.rejects(
          own.pump({ path, offset: bytes.length - 3, size: 10 }, () => {}, {
            keepHandle: true,
            direct: true,
            check: lengthCheck(10),
          }),
          /got 3 of 10/,
        );
      });
      own.close();
      // On a file system that takes O_DIRECT (ext4, xfs) the reads above went around the cache.
      assert.equal(opened.length, 1);
      if (Deno.build.os === "linux" && (await isExt4(path))) assert.equal(opened[0].direct, true);
    });
    await t.step("without O_DIRECT (macOS, Windows) a direct range reads as usual", async () => {
      const fsConstants = constants as { O_DIRECT?: number };
      const saved = fsConstants.O_DIRECT;
      fsConstants.O_DIRECT = 0;
      try {
        const own = new RangePump();
        const parts: Uint8Array<ArrayBuffer>[] = [];
        const opened = await spyOnOpen(() =>
          own.pump({ path, offset: 4095, size: 70_000 }, (c) => void parts.push(c.slice()), {
            keepHandle: true,
            direct: true,
          })
        );
        own.close();
        assert.equal(opened[0].direct, false);
        const got = new Uint8Array(await new Blob(parts).arrayBuffer());
        assert.deepEqual(got, bytes.subarray(4095, 4095 + 70_000));
      } finally {
        fsConstants.O_DIRECT = saved;
      }
    });
    await t.step("a file closed under a read in flight is closed once it lands", async () => {
      const file = await PositionalFile.open(path);
      const buf = new Uint8Array(1024);
      const reading = file.read(buf, 10);
      file.close();
      assert.equal(await reading, 1024);
      assert.deepEqual(buf, bytes.subarray(10, 1034));
      assert.equal(await isOpen(file), false);
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
