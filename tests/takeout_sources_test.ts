import assert from "node:assert/strict";
import { join } from "node:path";
import { Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import { createTarPacker } from "modern-tar";
import { readTakeout, type TakeoutTree } from "../src/sources/takeout/read_takeout.ts";
import { UsageError } from "../src/errors.ts";
import { MAX_JSON_BYTES } from "../src/sources/takeout/part.ts";

const enc = new TextEncoder();
const SIDECAR = JSON.stringify({ title: "a.jpg", photoTakenTime: { timestamp: "100" } });

async function writeZip(
  path: string,
  files: [name: string, body: string | Uint8Array, level?: number][],
): Promise<string> {
  const f = await Deno.create(path);
  const w = new ZipWriter(f.writable, { useWebWorkers: false });
  for (const [name, body, level] of files) {
    await w.add(name, new Uint8ArrayReader(typeof body === "string" ? enc.encode(body) : body), {
      level: level ?? 0,
    });
  }
  await w.close();
  return path;
}

async function writeFiles(root: string, files: [string, string][]): Promise<void> {
  for (const [name, body] of files) {
    const path = join(root, ...name.split("/"));
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, body);
  }
}

function keys(tree: TakeoutTree): string[] {
  return [...tree.media.map((e) => e.key), ...tree.json.map((j) => j.entry.key)].sort();
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "gphotos-takeout-src-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readTakeout() keys entries below the localised Google Photos folder", async (t) => {
  await withDir(async (dir) => {
    await t.step(
      "zip parts: Takeout/ and Takeout 2/, other products and junk left out",
      async () => {
        const one = await writeZip(join(dir, "one.zip"), [
          ["Takeout/archive_browser.html", "<html>"],
          ["Takeout/Google Fotos/Fotos von 2019/a.jpg", "A"],
          ["Takeout/Google Fotos/Fotos von 2019/a.jpg.json", SIDECAR],
          ["Takeout/Google Fotos/print-subscriptions.json", "{}"],
          ["Takeout/Google Fotos/shared_album_comments.json", "[]"],
          ["Takeout/Google Fotos/user-generated-memory-titles.json", SIDECAR],
          ["Takeout/YouTube/history/watch-history.json", "[]"],
          ["Takeout/Google Fotos/Fotos von 2019/.DS_Store", "x"],
          ["__MACOSX/Takeout/Google Fotos/Fotos von 2019/._a.jpg", "x"],
        ]);
        const two = await writeZip(join(dir, "two.zip"), [
          ["Takeout 2/Google Fotos/Urlaub/Cafe\u0301.jpg", "B"],
          ["Takeout 2/Google Fotos/Fotos von 2019/a.jpg", "A"],
        ]);
        const tree = await readTakeout([one, two]);
        try {
          assert.deepEqual(keys(tree), [
            "Fotos von 2019/a.jpg",
            "Fotos von 2019/a.jpg",
            "Fotos von 2019/a.jpg.json",
            "Urlaub/Café.jpg",
          ]);
          assert.equal(tree.media[0].root, "Google Fotos");
          assert.equal(
            tree.media.find((e) => e.key === "Urlaub/Café.jpg")?.inner,
            "Takeout 2/Google Fotos/Urlaub/Cafe\u0301.jpg",
          );
          // archive_browser.html, the three root files, YouTube.
          assert.equal(tree.ignored, 5);
          assert.deepEqual(tree.problems, []);
        } finally {
          await tree.close();
        }
      },
    );
    await t.step("a folder given as Takeout, as Google Photos, or as their parent", async () => {
      const files: [string, string][] = [
        ["Google Photos/Photos from 2020/b.jpg", "B"],
        ["Google Photos/Photos from 2020/b.jpg.supplemental-metadata.json", SIDECAR],
      ];
      await writeFiles(join(dir, "parent", "Takeout"), files);
      for (
        const path of [
          join(dir, "parent"),
          join(dir, "parent", "Takeout"),
          join(dir, "parent", "Takeout", "Google Photos"),
        ]
      ) {
        const tree = await readTakeout([path]);
        try {
          assert.deepEqual(keys(tree), [
            "Photos from 2020/b.jpg",
            "Photos from 2020/b.jpg.supplemental-metadata.json",
          ], path);
        } finally {
          await tree.close();
        }
      }
    });
    await t.step("an unknown localised name is found by its content", async () => {
      await writeFiles(join(dir, "x", "Takeout"), [
        ["Fotos de Google/Álbum/c.jpg", "C"],
        ["Fotos de Google/Álbum/c.jpg.json", SIDECAR],
        ["Fotos de Google/Álbum/solo.mp4", "V"],
        ["Drive/notes.txt", "n"],
      ]);
      const tree = await readTakeout([join(dir, "x")]);
      try {
        assert.deepEqual(keys(tree), ["Álbum/c.jpg", "Álbum/c.jpg.json", "Álbum/solo.mp4"]);
        assert.equal(tree.ignored, 1);
      } finally {
        await tree.close();
      }
    });
  });
});

Deno.test("readTakeout() reads zip data exactly, stored or deflated, and checks CRC-32", async () => {
  await withDir(async (dir) => {
    const big = new Uint8Array(3 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9)) & 0xff;
    const zip = await writeZip(join(dir, "t.zip"), [
      ["Takeout/Google Photos/Photos from 2020/stored.jpg", big, 0],
      ["Takeout/Google Photos/Photos from 2020/deflated.jpg", big, 6],
      ["Takeout/Google Photos/Photos from 2020/empty.jpg", new Uint8Array(0), 0],
      ["Takeout/Google Photos/Photos from 2020/stored.jpg.json", SIDECAR, 6],
    ]);
    const tree = await readTakeout([zip]);
    try {
      for (const e of tree.media) {
        const parts: Uint8Array[] = [];
        await tree.read(e, (c) => {
          parts.push(c.slice());
        });
        const got = new Uint8Array(
          await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer(),
        );
        assert.deepEqual(got, e.name === "empty.jpg" ? new Uint8Array(0) : big, e.name);
      }
      // A sink may stop early.
      let seen = 0;
      await tree.read(tree.media[0], (c) => {
        seen += c.length;
        return true;
      });
      assert.ok(seen > 0 && seen < big.length);
      assert.equal(tree.json[0].info.kind, "sidecar");
    } finally {
      await tree.close();
    }
    // Same archive, one byte of the stored data flipped: the read fails at its end.
    const bytes = await Deno.readFile(zip);
    bytes[2000] ^= 0xff;
    await Deno.writeFile(zip, bytes);
    const bad = await readTakeout([zip]);
    try {
      const stored = bad.media.find((e) => e.name === "stored.jpg")!;
      await assert.rejects(bad.read(stored, () => {}), /CRC-32 mismatch/);
    } finally {
      await bad.close();
    }
  });
});

Deno.test("readTakeout(): the tree owns its open files, and close() closes them all", async () => {
  await withDir(async (dir) => {
    const zip = await writeZip(join(dir, "t.zip"), [
      ["Takeout/Google Photos/Photos from 2020/a.jpg", "A".repeat(5000), 0],
      ["Takeout/Google Photos/Photos from 2020/b.jpg", "B".repeat(5000), 6],
      ["Takeout/Google Photos/Photos from 2020/a.jpg.json", SIDECAR, 0],
    ]);
    const folder = join(dir, "x");
    await writeFiles(folder, [["Takeout/Google Photos/Photos from 2021/c.jpg", "C"]]);
    const open = Deno.open;
    const opened: Deno.FsFile[] = [];
    const deno = Deno as { open: typeof Deno.open };
    deno.open = async (...args) => {
      const file = await open(...args);
      opened.push(file);
      return file;
    };
    try {
      const tree = await readTakeout([zip, folder]);
      // Side by side, so stored entries keep more than one handle of the zip.
      await Promise.all([...tree.media, ...tree.media].map((e) => tree.read(e, () => {})));
      await tree.close();
    } finally {
      deno.open = open;
    }
    const stillOpen = opened.filter((f) => {
      try {
        f.statSync();
        return true;
      } catch {
        return false;
      }
    });
    assert.ok(opened.length > 0);
    assert.equal(stillOpen.length, 0, "every file the tree opened is closed");
  });
});

Deno.test("readTakeout() hands tgz media over in one pass and names what is broken", async () => {
  await withDir(async (dir) => {
    const { readable, controller } = createTarPacker();
    const path = join(dir, "t.tgz");
    const out = await Deno.create(path);
    const done = readable.pipeThrough(new CompressionStream("gzip")).pipeTo(out.writable);
    const add = async (name: string, body: string) => {
      const bytes = enc.encode(body);
      const w = controller.add({ name, size: bytes.length, type: "file" }).getWriter();
      await w.write(bytes);
      await w.close();
    };
    await add("Takeout/Google Photos/Photos from 2020/a.jpg", "AAAA");
    await add("Takeout/Google Photos/Photos from 2020/a.jpg.json", SIDECAR);
    await add("Takeout/Google Photos/Photos from 2020/bad.json", "{ not json");
    // Too large to be Google's: skipped unread, and the entries after it still arrive.
    await add(
      "Takeout/Google Photos/Photos from 2020/huge.jpg.json",
      `{"title": "huge.jpg"${" ".repeat(MAX_JSON_BYTES)}}`,
    );
    await add("Takeout/Google Photos/Photos from 2020/b.jpg", "BB");
    controller.finalize();
    await done;
    const got: string[] = [];
    const tree = await readTakeout([path], {
      onStreamedMedia: async (entry, body) => {
        got.push(`${entry.key}=${await new Response(body).text()}`);
      },
    });
    try {
      assert.deepEqual(got, ["Photos from 2020/a.jpg=AAAA", "Photos from 2020/b.jpg=BB"]);
      assert.equal(tree.media[0].streamed, true);
      await assert.rejects(tree.read(tree.media[0], () => {}), TypeError);
      assert.deepEqual(tree.problems.map((p) => p.entry), [
        "Takeout/Google Photos/Photos from 2020/bad.json",
        "Takeout/Google Photos/Photos from 2020/huge.jpg.json",
      ]);
      assert.match(tree.problems[1].message, /^left unread: .* too large for a Takeout metadata/);
    } finally {
      await tree.close();
    }
  });
});

Deno.test("readTakeout() refuses input that is no Google Photos Takeout", async () => {
  await withDir(async (dir) => {
    await assert.rejects(readTakeout([]), UsageError);
    await Deno.writeTextFile(join(dir, "a.txt"), "x");
    await assert.rejects(readTakeout([join(dir, "a.txt")]), /expected a \.zip/);
    await writeFiles(join(dir, "empty"), [["Documents/cv.pdf", "x"]]);
    await assert.rejects(readTakeout([join(dir, "empty")]), /is not a Google Photos Takeout/);
    await Deno.writeTextFile(join(dir, "fake.tgz"), "not gzip");
    await assert.rejects(readTakeout([join(dir, "fake.tgz")]), /not a gzipped tar archive/);
  });
});

Deno.test("rule 15: a zip entry with an unsafe name is skipped, named, and the rest imports", async () => {
  await withDir(async (dir) => {
    const unsafe = [
      "../evil.jpg",
      "Takeout/Google Photos/Photos from 2020/../../../../etc/cron.d/x.jpg",
      "/etc/passwd.jpg",
      "C:\\Users\\Public\\evil.jpg",
      "c:/Windows/evil.jpg",
      "Takeout\\Google Photos\\Photos from 2020\\backslash.jpg",
      "\\\\server\\share\\evil.jpg",
    ];
    const good = (n: number) => `Takeout/Google Photos/Photos from 2020/IMG_${n}.jpg`;
    const files: [string, string][] = [[good(0), "0"]];
    unsafe.forEach((name, i) => files.push([name, "x"], [good(i + 1), String(i + 1)]));
    // Two dots inside a name or a folder's name are no parent folder.
    const dotted = [
      "Takeout/Google Photos/Trip..2020/IMG..1.jpg",
      "Takeout/Google Photos/..a/b.jpg",
    ];
    for (const name of dotted) files.push([name, name]);
    files.push([`${good(0)}.supplemental-metadata.json`, SIDECAR]);
    const zip = await writeZip(join(dir, "takeout-001.zip"), files);
    const tree = await readTakeout([zip]);
    try {
      assert.deepEqual(
        tree.media.map((e) => e.name),
        unsafe.map((_, i) => `IMG_${i}.jpg`).concat(
          `IMG_${unsafe.length}.jpg`,
          "IMG..1.jpg",
          "b.jpg",
        ),
      );
      assert.equal(tree.json.length, 1);
      assert.deepEqual(tree.problems.map((p) => p.entry), unsafe);
      for (const p of tree.problems) {
        assert.equal(p.source, zip);
        assert.match(p.message, /unsafe entry name/);
        assert.doesNotMatch(p.message, /truncated or corrupt/);
      }
    } finally {
      await tree.close();
    }
  });
});
