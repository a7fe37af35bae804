import assert from "node:assert/strict";
import { hashFile, sha256Hex } from "../src/files/hash.ts";
import { basename, dirname, join } from "node:path";
import {
  BodyReadError,
  cleanTempFiles,
  IncompleteFileError,
  isTempName,
  TEMP_DIR,
  TempFile,
  tempNameFor,
  tempPathFor,
  tempSizeFor,
} from "../src/files/atomic_file.ts";
import { writeAtomic, writeFileAtomic } from "../src/files/write_atomic.ts";
import { forgetChecks } from "../src/files/inside_target.ts";

function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

function failingStream(chunk: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(chunk);
      } else {
        controller.error(new TypeError("connection reset"));
      }
    },
  });
}

function sha(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...(await listAll(join(dir, e.name))).map((n) => `${e.name}/${n}`));
    else out.push(e.name);
  }
  return out.sort();
}

Deno.test("writeAtomic() streams to a temporary file and renames it into place", async (t) => {
  const target = await Deno.makeTempDir();
  try {
    await t.step("writes, hashes, sets mtime, leaves no temporary file", async () => {
      const a = new TextEncoder().encode("hello ");
      const b = new TextEncoder().encode("world");
      const mtime = new Date("2019-05-04T03:02:01Z");
      const digest = await writeAtomic(target, "photos/2019/05/a.jpg", streamOf(a, b), {
        mtime,
        expectedSize: 11,
      });
      const bytes = await Deno.readFile(join(target, "photos/2019/05/a.jpg"));
      assert.equal(new TextDecoder().decode(bytes), "hello world");
      assert.deepEqual(digest, { size: 11, sha256: sha(bytes) });
      const info = await Deno.stat(join(target, "photos/2019/05/a.jpg"));
      assert.equal(info.mtime?.getTime(), mtime.getTime());
      assert.deepEqual(await listAll(target), ["photos/2019/05/a.jpg"]);
      assert.deepEqual(await hashFile(join(target, "photos/2019/05/a.jpg")), digest);
    });

    await t.step("refuses a byte count that differs from the declared length", async () => {
      await assert.rejects(
        writeAtomic(target, "photos/2019/05/short.jpg", streamOf(new Uint8Array(5)), {
          expectedSize: 6,
        }),
        IncompleteFileError,
      );
      assert.deepEqual(await listAll(join(target, "photos/2019/05")), ["a.jpg"]);
    });

    await t.step("a failing stream leaves no final file and no temporary file", async () => {
      await assert.rejects(
        writeAtomic(target, "photos/2019/05/cut.jpg", failingStream(new Uint8Array(7))),
        (err: Error) => err instanceof BodyReadError && err.cause instanceof TypeError,
      );
      assert.deepEqual(await listAll(join(target, "photos/2019/05")), ["a.jpg"]);
    });

    await t.step("refuses paths that escape TARGET", async () => {
      for (const bad of ["../x.jpg", "photos/../../x.jpg", "/etc/x.jpg", "photos\\..\\..\\x"]) {
        await assert.rejects(writeAtomic(target, bad, streamOf()), RangeError, bad);
      }
      const outside = await Deno.makeTempDir();
      try {
        await Deno.symlink(outside, join(target, "photos/link"));
        await assert.rejects(
          writeAtomic(target, "photos/link/x.jpg", streamOf(new Uint8Array(1))),
          RangeError,
        );
        assert.deepEqual(await listAll(outside), []);
        // A symlink planted under the temporary name is not written through.
        const victim = join(outside, "victim.txt");
        await Deno.writeTextFile(victim, "keep");
        const planted = tempPathFor(target, "photos/2019/05/planted.jpg");
        await Deno.mkdir(join(target, TEMP_DIR), { recursive: true });
        await Deno.symlink(victim, planted);
        await writeAtomic(target, "photos/2019/05/planted.jpg", streamOf(new Uint8Array(2)));
        assert.equal(await Deno.readTextFile(victim), "keep");
        assert.equal((await Deno.lstat(join(target, "photos/2019/05/planted.jpg"))).isFile, true);
        await Deno.remove(join(target, "photos/2019/05/planted.jpg"));
      } finally {
        await Deno.remove(outside, { recursive: true });
        await Deno.remove(join(target, "photos/link"));
      }
    });
  } finally {
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("TempFile resumes a cut transfer and cleanTempFiles() removes leftovers", async (t) => {
  const target = await Deno.makeTempDir();
  try {
    const whole = new Uint8Array(100_000).map((_, i) => (i * 7919) % 251);
    const rel = "photos/2020/01/v.mp4";

    await t.step("a cut stream keeps its bytes; a resumed open re-hashes them", async () => {
      const first = await TempFile.open(target, rel);
      await assert.rejects(first.append(failingStream(whole.subarray(0, 40_000))));
      assert.equal(first.size, 40_000);
      first.close();
      assert.equal(await tempSizeFor(target, rel), 40_000);
      const again = await TempFile.open(target, rel, { resume: true });
      assert.equal(again.size, 40_000);
      await again.append(streamOf(whole.subarray(40_000)));
      const digest = await again.commit({ expectedSize: whole.length });
      assert.deepEqual(digest, { size: whole.length, sha256: sha(whole) });
      assert.deepEqual(await Deno.readFile(join(target, rel)), whole);
      assert.equal(await tempSizeFor(target, rel), 0);
    });

    await t.step("a byte stream (what fetch gives) is read into a reused buffer", async () => {
      const big = new Uint8Array(1_000_003).map((_, i) => (i * 13) % 256);
      let at = 0;
      const cutAt = 600_001;
      const bytes = (stop: number) =>
        new ReadableStream({
          type: "bytes",
          pull(controller) {
            if (at >= stop) {
              if (stop < big.length) controller.error(new TypeError("connection reset"));
              else {
                controller.close();
                // A pending BYOB read is only released by answering it (as fetch bodies do).
                controller.byobRequest?.respond(0);
              }
              return;
            }
            const n = Math.min(77_777, stop - at);
            controller.enqueue(big.slice(at, at + n));
            at += n;
          },
        }, { highWaterMark: 0 });
      const rel3 = "photos/2020/01/big.bin";
      const temp = await TempFile.open(target, rel3);
      await assert.rejects(temp.append(bytes(cutAt), { byob: true }), BodyReadError);
      assert.equal(temp.size, cutAt);
      await temp.append(bytes(big.length), { byob: true });
      assert.deepEqual(await temp.commit({ expectedSize: big.length }), {
        size: big.length,
        sha256: sha(big),
      });
      assert.deepEqual(await Deno.readFile(join(target, rel3)), big);
      await Deno.remove(join(target, rel3));
    });

    await t.step("restart() drops earlier bytes", async () => {
      const rel2 = "photos/2020/01/w.mp4";
      const temp = await TempFile.open(target, rel2);
      await temp.append(streamOf(new Uint8Array([1, 2, 3])));
      await temp.restart();
      await temp.append(streamOf(new Uint8Array([9])));
      assert.deepEqual(await temp.commit({ expectedSize: 1 }), {
        size: 1,
        sha256: sha(new Uint8Array([9])),
      });
    });

    await t.step("temporary names hold nothing of the item's name and live in one folder", () => {
      const long = "photos/2020/01/" + "é".repeat(127) + ".jpg";
      const name = tempNameFor(long);
      assert.ok(isTempName(name));
      assert.ok(new TextEncoder().encode(name).length <= 255);
      for (const item of [".x.gphotos-tmp", ".gphotos-tmp", "a.jpg", "v.mp4"]) {
        assert.ok(!isTempName(item), item);
        assert.ok(!tempNameFor(`photos/2020/01/${item}`).includes(item.replace(/^\./, "")));
      }
      assert.notEqual(tempNameFor("photos/a.jpg"), tempNameFor("photos/b.jpg"));
      assert.notEqual(tempNameFor("photos/2020/01/a.jpg"), tempNameFor("photos/2020/02/a.jpg"));
      assert.equal(tempPathFor(target, rel), join(target, TEMP_DIR, tempNameFor(rel)));
    });

    await t.step("cleanTempFiles() removes temporary files except kept ones", async () => {
      const temps = join(target, TEMP_DIR);
      const x = "photos/2020/01/x.jpg";
      const y = "photos/2020/01/y.jpg";
      await Deno.writeFile(tempPathFor(target, x), new Uint8Array(3));
      await Deno.writeFile(tempPathFor(target, y), new Uint8Array(3));
      // A file named like an old-scheme temporary file in photos/ is not the cleaner's business.
      await Deno.writeFile(
        join(target, "photos/2020/01/.x.jpg.0badc0de.gphotos-tmp"),
        new Uint8Array(1),
      );
      const removed = await cleanTempFiles(target, { keep: new Set([y]) });
      assert.deepEqual(removed, [tempNameFor(x)]);
      assert.deepEqual(await listAll(temps), [tempNameFor(y)]);
      assert.deepEqual(
        await listAll(join(target, "photos/2020/01")),
        [".x.jpg.0badc0de.gphotos-tmp", "v.mp4", "w.mp4"],
      );
      await Deno.remove(tempPathFor(target, y));
    });

    await t.step(
      "cleanTempFiles() removes unique temporary files only once abandoned",
      async () => {
        const temps = join(target, TEMP_DIR);
        const fresh = await TempFile.create(target, "photos/2020/01", { hint: "fresh.jpg" });
        const old = await TempFile.create(target, "photos/2020/01", { hint: "old.jpg" });
        fresh.close();
        old.close();
        assert.equal(dirname(old.tempPath), temps);
        const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
        await Deno.utime(old.tempPath, hourAgo, hourAgo);
        assert.deepEqual(await cleanTempFiles(target), [basename(old.tempPath)]);
        assert.deepEqual(await listAll(temps), [basename(fresh.tempPath)]);
        await fresh.discard();
        assert.deepEqual(await cleanTempFiles(join(target, "missing")), []);
      },
    );
  } finally {
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("writeFileAtomic() writes a small file whole, inside TARGET only", async (t) => {
  const target = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await t.step("writes text and bytes, with a mode, leaving no temporary file", async () => {
      const digest = await writeFileAtomic(target, "report.json", "{}\n", { mode: 0o600 });
      assert.deepEqual(digest, { size: 3, sha256: sha(new TextEncoder().encode("{}\n")) });
      assert.equal(await Deno.readTextFile(join(target, "report.json")), "{}\n");
      if (Deno.build.os !== "windows") {
        assert.equal((await Deno.stat(join(target, "report.json"))).mode! & 0o777, 0o600);
      }
      await writeFileAtomic(target, "sub/dir/b.bin", new Uint8Array([1, 2]));
      assert.deepEqual(await Deno.readFile(join(target, "sub/dir/b.bin")), new Uint8Array([1, 2]));
      assert.deepEqual(await listAll(target), ["report.json", "sub/dir/b.bin"]);
    });

    await t.step("two writers at once each leave a whole file", async () => {
      const a = "a".repeat(100_000);
      const b = "b".repeat(100_000);
      await Promise.all([
        writeFileAtomic(target, "same.txt", a),
        writeFileAtomic(target, "same.txt", b),
      ]);
      assert.ok([a, b].includes(await Deno.readTextFile(join(target, "same.txt"))));
      await Deno.remove(join(target, "same.txt"));
    });

    await t.step("refuses a folder that is a symlink out of TARGET", async () => {
      await Deno.symlink(outside, join(target, "linked"));
      for (const rel of ["linked/report.json", "linked/deeper/report.json"]) {
        await assert.rejects(
          writeFileAtomic(target, rel, "x"),
          (err: Error) => err instanceof RangeError && err.message.includes(`"${rel}"`),
        );
      }
      assert.deepEqual(await listAll(outside), [], "nothing made outside, not even a folder");
      await assert.rejects(writeFileAtomic(target, "../escape.txt", "x"), RangeError);
    });
  } finally {
    await Deno.remove(target, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("staged files check each folder once per run, and go on when a folder or TARGET is removed", async (t) => {
  const target = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  const realPath = Deno.realPath;
  let realPaths = 0;
  Deno.realPath = (path) => {
    realPaths++;
    return realPath(path);
  };
  /** Stages a file for `dir` and places it as `dir/name`, as a Takeout import does. */
  const stage = async (dir: string, name: string) => {
    const staged = await TempFile.create(target, dir, { hint: name, checkOnce: true });
    await staged.write(new Uint8Array([1, 2, 3]));
    await staged.ready({ dir });
    await staged.commit({ path: `${dir}/${name}` });
  };
  const write = (rel: string) => writeAtomic(target, rel, streamOf(new Uint8Array([1, 2, 3])));
  try {
    await t.step("a second staged file into a checked folder resolves no path", async () => {
      forgetChecks(target);
      await stage("photos/2019/05", "a.jpg");
      const first = realPaths;
      assert.ok(first > 0);
      await stage("photos/2019/05", "b.jpg");
      assert.equal(realPaths, first);
      // A download's write checks its folder every time.
      await write("photos/2019/05/c.jpg");
      assert.ok(realPaths > first);
    });

    await t.step("a checked folder removed since is made again", async () => {
      await Deno.remove(join(target, "photos"), { recursive: true });
      await stage("photos/2019/05", "d.jpg");
      await Deno.remove(join(target, TEMP_DIR), { recursive: true });
      await stage("photos/2019/05", "e.jpg");
      const staged = await TempFile.create(target, "photos/2019/06", {
        hint: "f.jpg",
        checkOnce: true,
      });
      await staged.write(new Uint8Array([5]));
      await staged.ready({ dir: "photos/2019/06" });
      await Deno.remove(join(target, "photos/2019/06"));
      await staged.commit({ path: "photos/2019/06/f.jpg" });
      assert.deepEqual(await listAll(join(target, "photos")), [
        "2019/05/d.jpg",
        "2019/05/e.jpg",
        "2019/06/f.jpg",
      ]);
    });

    await t.step("TARGET removed since is made again", async () => {
      await Deno.remove(target, { recursive: true });
      await stage("photos/2019/05", "g.jpg");
      assert.deepEqual(await listAll(join(target, "photos")), ["2019/05/g.jpg"]);
    });

    await t.step("a folder that links out of TARGET is refused, by a new run too", async () => {
      await Deno.symlink(outside, join(target, "photos/2020"));
      await assert.rejects(stage("photos/2020", "x.jpg"), RangeError);
      // A checked folder replaced by a symlink: a download's write sees it at once, and so does
      // the next run's first staged file.
      await Deno.rename(join(target, "photos/2019"), join(outside, "2019"));
      await Deno.symlink(join(outside, "2019"), join(target, "photos/2019"));
      await assert.rejects(write("photos/2019/05/y.jpg"), RangeError);
      forgetChecks(target);
      await assert.rejects(stage("photos/2019/05", "z.jpg"), RangeError);
      assert.deepEqual(await listAll(outside), ["2019/05/g.jpg"]);
    });
  } finally {
    Deno.realPath = realPath;
    await Deno.remove(target, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
