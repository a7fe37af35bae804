import assert from "node:assert/strict";
import { join } from "node:path";
import { HashBuffers, hashChunks, hashFile, sha256, sha256Hex } from "../src/files/hash.ts";

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

Deno.test("sha256Hex() gives the standard digests", () => {
  // FIPS 180-2 test vectors.
  assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(sha256Hex(new TextEncoder().encode("abc")), sha256Hex("abc"));
  assert.equal(sha256().update("a").update(new TextEncoder().encode("bc")).hex(), sha256Hex("abc"));
});

Deno.test("hashFile() streams any size through a reused buffer", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const buffer = new Uint8Array(64);
    for (const size of [0, 1, 63, 64, 65, 64 * 5, 64 * 5 + 7, 300_000]) {
      await t.step(`${size} bytes`, async () => {
        const data = bytes(size, size + 1);
        const path = join(dir, `f${size}`);
        await Deno.writeFile(path, data);
        const want = { size, sha256: await subtleHex(data) };
        assert.deepEqual(await hashFile(path, { buffer }), want);
        assert.deepEqual(await hashFile(path), want, "default buffer");
      });
    }
    await t.step(
      "onChunk sees every chunk with its offset, before the buffer is reused",
      async () => {
        const data = bytes(200, 9);
        const path = join(dir, "chunks");
        await Deno.writeFile(path, data);
        const seen: [number, number][] = [];
        let head = new Uint8Array();
        await hashFile(path, {
          buffer,
          onChunk: (chunk, offset) => {
            seen.push([offset, chunk.length]);
            if (offset === 0) head = chunk.slice();
          },
        });
        assert.deepEqual(seen, [[0, 64], [64, 64], [128, 64], [192, 8]]);
        assert.deepEqual(head, data.subarray(0, 64));
      },
    );
    await t.step("an aborted signal stops it", async () => {
      const path = join(dir, "f300000");
      const controller = new AbortController();
      controller.abort(new Error("stop"));
      await assert.rejects(hashFile(path, { signal: controller.signal }), /stop/);
    });
    await t.step("a missing file is NotFound", async () => {
      await assert.rejects(hashFile(join(dir, "nope")), Deno.errors.NotFound);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hashChunks() hashes what a pump yields, even from a reused buffer", async () => {
  const data = bytes(1000, 3);
  const digest = await hashChunks(async (sink) => {
    const buf = new Uint8Array(300);
    for (let i = 0; i < data.length; i += 300) {
      const part = data.subarray(i, i + 300);
      buf.set(part);
      await sink(buf.subarray(0, part.length));
    }
  });
  assert.deepEqual(digest, { size: 1000, sha256: await subtleHex(data) });
});

Deno.test("HashBuffers lends one buffer per task in flight and reuses them", async () => {
  const buffers = new HashBuffers(16);
  const lent = new Set<Uint8Array>();
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const held = [1, 2, 3].map(() =>
    buffers.use(async (b) => {
      assert.ok(!lent.has(b), "a buffer in use is not lent twice");
      lent.add(b);
      await gate;
    })
  );
  release();
  await Promise.all(held);
  assert.equal(lent.size, 3);
  const again = new Set<Uint8Array>();
  for (let i = 0; i < 5; i++) await buffers.use((b) => Promise.resolve(again.add(b)));
  assert.equal(again.size, 1, "one at a time needs one buffer");
  assert.ok(lent.has([...again][0]), "and it is one made before");
});

/** An independent SHA-256 (Web Crypto) to check ours against. */
async function subtleHex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
