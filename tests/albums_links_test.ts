/** The album link builder against a real file system, with the index filled directly. */
import assert from "node:assert/strict";
import { join, posix } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { INDEX_FILE, MediaIndex } from "../src/index/mod.ts";
import { albumLinks, allAlbumFolders, allAlbumLinks } from "../src/index/album_queries.ts";
import { type AlbumFoldersOptions, syncAlbumFolders } from "../src/sync/album_links.ts";
import { isAlbumPath } from "../src/sync/album_paths.ts";
import { dryRunWriter, fileWriter } from "../src/files/writer.ts";
import { UsageError } from "../src/errors.ts";
import type { RunEvent } from "../src/events.ts";
import { albumTree } from "./helpers.ts";

/** Links of the tree only, as path -> photo path (resolved; for hard links by inode). */
async function linkMap(target: string, index: MediaIndex): Promise<Record<string, string>> {
  const byIno = new Map<number, string>();
  for (const item of index.downloadedItems()) {
    const info = await Deno.stat(join(target, item.path)).catch(() => undefined);
    if (info?.ino) byIno.set(info.ino, item.path);
  }
  const out: Record<string, string> = {};
  for (const [path, what] of Object.entries(await albumTree(target))) {
    if (what.startsWith("-> ")) {
      out[path] = posix.normalize(posix.join(posix.dirname(path), what.slice(3)));
    } else if (what === "file") {
      const info = await Deno.stat(join(target, path));
      const photo = info.ino ? byIno.get(info.ino) : undefined;
      if (photo) out[path] = photo;
    }
  }
  return out;
}

/** Every recorded link exists on disk, resolves to a file, and the index matches the disk. */
async function assertLinksResolve(target: string, index: MediaIndex): Promise<void> {
  for (const link of allAlbumLinks(index)) {
    const info = await Deno.stat(join(target, link.path));
    assert.ok(info.isFile, `${link.path} resolves to a file`);
    const item = index.getItem(link.mediaId)!;
    const photo = await Deno.stat(join(target, item.path));
    assert.equal(info.ino, photo.ino, `${link.path} is ${item.path}`);
  }
  for (const [path, what] of Object.entries(await albumTree(target))) {
    if (what.startsWith("-> ")) {
      await Deno.stat(join(target, path)); // throws on a dangling link
    }
  }
}

/** lstat of every entry under albums/, for "nothing changed" checks. */
async function snapshot(target: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of Object.keys(await albumTree(target))) {
    const i = await Deno.lstat(join(target, path));
    out[path] = `${i.ino}:${i.mtime?.getTime()}:${i.birthtime?.getTime() ?? ""}`;
  }
  return out;
}

interface Fixture {
  target: string;
  index: MediaIndex;
  /** A second connection to the index file, for steps that play Google or tamper with the index. */
  db: DatabaseSync;
  /** Adds an item to the index and writes its file (unless `onDisk` is false). */
  item(id: string, name: string, time: string | undefined, onDisk?: boolean): Promise<string>;
  /** Writes a pending item's file and marks it downloaded. */
  download(id: string): Promise<void>;
  album(id: string, title: string | undefined, ids: string[], shared?: boolean): void;
  removeAlbum(id: string): void;
  run(extra?: AlbumFoldersOptions): ReturnType<typeof syncAlbumFolders>;
  close(): Promise<void>;
}

async function fixture(base: AlbumFoldersOptions = {}): Promise<Fixture> {
  const target = await Deno.makeTempDir({ prefix: "albums_links_" });
  const index = MediaIndex.open(target);
  const db = new DatabaseSync(join(target, INDEX_FILE));
  const f: Fixture = {
    target,
    index,
    db,
    async item(id, name, time, onDisk = true) {
      const { added } = index.upsertItems([{
        id,
        source: "library",
        originalName: name,
        mediaType: name.endsWith(".mp4") ? "video" : "photo",
        captureTime: time,
        dateSource: time ? "api" : "none",
      }], { flat: base.flat });
      const path = added[0]?.path ?? index.getItem(id)!.path;
      if (onDisk) await f.download(id);
      return path;
    },
    async download(id) {
      const path = index.getItem(id)!.path;
      await Deno.mkdir(join(target, posix.dirname(path)), { recursive: true });
      const bytes = new TextEncoder().encode(`bytes of ${id}`);
      await Deno.writeFile(join(target, path), bytes);
      index.markDownloaded(id, { size: bytes.length, sha256: "0".repeat(64) });
    },
    album(id, title, ids, shared = false) {
      index.upsertAlbum({ id, title, shared });
      index.setAlbumItems(id, ids, { count: ids.length, title: title ?? null });
    },
    removeAlbum(id) {
      db.prepare("UPDATE albums SET removed_at = ? WHERE id = ?").run(new Date().toISOString(), id);
    },
    run(extra = {}) {
      return syncAlbumFolders(target, index, { ...base, ...extra });
    },
    async close() {
      db.close();
      index.close();
      await Deno.remove(target, { recursive: true });
    },
  };
  return f;
}

const LONG = "L".repeat(500);
const LONG_FOLDER = `albums/2019/05 ${"L".repeat(255 - 3)}`;

/** The main scenario: every "Done when" case of the link side, in one mode. */
async function scenario(t: Deno.TestContext, hardlinks: boolean): Promise<void> {
  const f = await fixture({ hardlinks });
  try {
    const p1 = await f.item("i1", "IMG_0001.jpg", "2020-01-15T10:00:00Z");
    const p2 = await f.item("i2", "IMG_0002.jpg", "2020-03-02T10:00:00Z");
    const p3 = await f.item("i3", "IMG_0001.jpg", "2020-03-10T10:00:00Z");
    const p4 = await f.item("i4", "beach.jpg", "2021-07-04T10:00:00Z");
    const p5 = await f.item("i5", "clip.mp4", "2019-05-05T10:00:00Z");
    const p6 = await f.item("i6", "later.jpg", "2020-06-01T10:00:00Z", false);
    f.album("A", "Trip", ["i1", "i2", "i3"]);
    f.album("B", "Trip", ["i2"]);
    f.album("C", "a/b: c", ["i4"]);
    f.album("D", "\u{1F389} Party", ["i4"]);
    f.album("E", LONG, ["i5"]);
    f.album("F", undefined, ["i5"]);
    f.album("G", "..", ["i4"], true);

    const expected: Record<string, string> = {
      // Spanning months, dated by the newest item; two IMG_0001.jpg -> " (2)".
      "albums/2020/03 Trip/IMG_0001.jpg": p1,
      "albums/2020/03 Trip/IMG_0002.jpg": p2,
      "albums/2020/03 Trip/IMG_0001 (2).jpg": p3,
      // The same title and date -> " (2)".
      "albums/2020/03 Trip (2)/IMG_0002.jpg": p2,
      // "/" made safe; emoji kept; ".." made safe; i4 in three albums.
      "albums/2021/07 a_b_ c/beach.jpg": p4,
      "albums/2021/07 \u{1F389} Party/beach.jpg": p4,
      "albums/2021/07 _/beach.jpg": p4,
      // 500 characters cut to 255 bytes; untitled.
      [`${LONG_FOLDER}/clip.mp4`]: p5,
      "albums/2019/05 Untitled/clip.mp4": p5,
    };

    await t.step("first run builds the tree the SPEC describes", async () => {
      const s = await f.run();
      assert.deepEqual(await linkMap(f.target, f.index), expected);
      assert.equal(s.linksMade, 9);
      assert.equal(s.foldersMade, 7);
      assert.equal(s.albums, 7);
      await assertLinksResolve(f.target, f.index);
      const all = await albumTree(f.target);
      for (const path of Object.keys(all)) {
        assert.ok(path.startsWith("albums/"), path);
        for (const part of path.split("/")) {
          assert.ok(new TextEncoder().encode(part).length <= 255, `${path} part too long`);
        }
      }
      if (!hardlinks) {
        assert.equal(
          all["albums/2020/03 Trip/IMG_0001.jpg"],
          "-> ../../../photos/2020/01/IMG_0001.jpg",
        );
      }
      assert.equal(allAlbumLinks(f.index).length, 9);
      assert.equal(allAlbumFolders(f.index).length, 7);
      assert.equal(f.index.getAlbum("B")!.folder, "albums/2020/03 Trip (2)");
    });

    await t.step("a re-run with no change changes nothing on disk", async () => {
      const before = await snapshot(f.target);
      const s = await f.run();
      assert.deepEqual(await snapshot(f.target), before);
      assert.equal(s.linksMade + s.linksRemoved + s.foldersMade + s.foldersRenamed, 0);
      assert.equal(s.linksKept, 9);
    });

    await t.step("an item not on disk gets no link until it is downloaded", async () => {
      f.album("A", "Trip", ["i1", "i2", "i3", "i6"]);
      const before = await Deno.lstat(join(f.target, "albums/2020/03 Trip/IMG_0001.jpg"));
      await f.run();
      // The album's newest item moved its date to 2020-06 even before the file arrived;
      // the folder was renamed, so its links are the same files.
      const after = await Deno.lstat(join(f.target, "albums/2020/06 Trip/IMG_0001.jpg"));
      assert.equal(after.ino, before.ino);
      let map = await linkMap(f.target, f.index);
      assert.equal(map["albums/2020/06 Trip/later.jpg"], undefined);
      assert.equal(map["albums/2020/06 Trip/IMG_0001.jpg"], p1);
      await f.download("i6");
      await f.run();
      map = await linkMap(f.target, f.index);
      assert.equal(map["albums/2020/06 Trip/later.jpg"], p6);
      await assertLinksResolve(f.target, f.index);
    });

    await t.step("an album whose date moved had its folder renamed in place", async () => {
      const map = await linkMap(f.target, f.index);
      assert.equal(Object.keys(map).filter((p) => p.startsWith("albums/2020/03 Trip/")).length, 0);
      assert.equal(map["albums/2020/06 Trip/IMG_0001 (2).jpg"], p3);
      // B keeps its number although "03 Trip" is free now: a number, once given, never changes.
      assert.equal(map["albums/2020/03 Trip (2)/IMG_0002.jpg"], p2);
    });

    await t.step("a renamed album has its folder renamed, links unchanged", async () => {
      const link = join(f.target, "albums/2020/03 Trip (2)/IMG_0002.jpg");
      const before = await Deno.lstat(link);
      f.index.upsertAlbum({ id: "B", title: "Holiday", shared: false });
      const s = await f.run();
      assert.equal(s.foldersRenamed, 1);
      assert.equal(s.linksMade, 0);
      const after = await Deno.lstat(join(f.target, "albums/2020/03 Holiday/IMG_0002.jpg"));
      assert.equal(after.ino, before.ino);
      assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
      assert.equal((await albumTree(f.target))["albums/2020/03 Trip (2)"], undefined);
      await assertLinksResolve(f.target, f.index);
    });

    await t.step("an item removed from an album loses its link", async () => {
      f.album("A", "Trip", ["i1", "i3", "i6"]);
      const s = await f.run();
      assert.equal(s.linksRemoved, 1);
      const map = await linkMap(f.target, f.index);
      assert.equal(map["albums/2020/06 Trip/IMG_0002.jpg"], undefined);
      assert.equal(map["albums/2020/06 Trip/IMG_0001 (2).jpg"], p3);
      assert.ok(await Deno.stat(join(f.target, p2)), "the photo itself stays");
    });

    await t.step("a deleted album loses its folder", async () => {
      f.removeAlbum("C");
      const s = await f.run();
      assert.equal(s.foldersRemoved, 1);
      const all = await albumTree(f.target);
      assert.equal(all["albums/2021/07 a_b_ c"], undefined);
      assert.equal(all["albums/2021"], "dir");
      assert.equal(allAlbumLinks(f.index).filter((l) => l.albumId === "C").length, 0);
      assert.ok(await Deno.stat(join(f.target, p4)), "the photo itself stays");
    });

    await t.step(
      "a user's file in an album folder survives rename, removal and deletion",
      async () => {
        // A user's file named like a link an item would get pushes that link to " (2)".
        await Deno.writeTextFile(join(f.target, "albums/2021/07 _/later.jpg"), "mine too");
        f.album("G", "..", ["i4", "i6"], true);
        await f.run();
        let map = await linkMap(f.target, f.index);
        assert.equal(map["albums/2021/07 _/later (2).jpg"], p6);
        assert.equal(
          await Deno.readTextFile(join(f.target, "albums/2021/07 _/later.jpg")),
          "mine too",
        );

        // F's date moves (2019-05 -> 2021-07) but its old folder holds a user's file: it stays.
        const notes = join(f.target, "albums/2019/05 Untitled/my notes.txt");
        await Deno.writeTextFile(notes, "mine");
        f.album("F", undefined, ["i5", "i4"]);
        const s = await f.run();
        assert.equal(s.linksMoved, 1);
        map = await linkMap(f.target, f.index);
        assert.equal(map["albums/2021/07 Untitled/beach.jpg"], p4);
        assert.equal(map["albums/2021/07 Untitled/clip.mp4"], p5);
        assert.equal(await Deno.readTextFile(notes), "mine");
        assert.deepEqual(
          Object.keys(await albumTree(f.target)).filter((p) =>
            p.startsWith("albums/2019/05 Untitled")
          ),
          ["albums/2019/05 Untitled", "albums/2019/05 Untitled/my notes.txt"],
        );

        // D renamed with a user's file inside: new folder with the links, the file keeps the old one.
        const mine = join(f.target, "albums/2021/07 \u{1F389} Party/party notes.txt");
        await Deno.writeTextFile(mine, "mine");
        f.index.upsertAlbum({ id: "D", title: "Fireworks", shared: false });
        await f.run();
        map = await linkMap(f.target, f.index);
        assert.equal(map["albums/2021/07 Fireworks/beach.jpg"], p4);
        assert.equal(await Deno.readTextFile(mine), "mine");
        assert.deepEqual(
          Object.keys(await albumTree(f.target)).filter((p) => p.includes("Party")),
          ["albums/2021/07 \u{1F389} Party", "albums/2021/07 \u{1F389} Party/party notes.txt"],
        );

        // D deleted with a user's file in its folder: our link goes, the file and folder stay.
        await Deno.writeTextFile(join(f.target, "albums/2021/07 Fireworks/keep.txt"), "keep");
        f.removeAlbum("D");
        await f.run();
        assert.deepEqual(
          Object.keys(await albumTree(f.target)).filter((p) => p.includes("Fireworks")),
          ["albums/2021/07 Fireworks", "albums/2021/07 Fireworks/keep.txt"],
        );
        assert.equal(await Deno.readTextFile(mine), "mine");
        await assertLinksResolve(f.target, f.index);

        // Once the user takes their file away, the next run tidies the empty folder up.
        await Deno.remove(mine);
        const before = await snapshot(f.target);
        await f.run();
        const now = await snapshot(f.target);
        assert.equal(now["albums/2021/07 \u{1F389} Party"], undefined);
        for (const key of ["albums/2021", "albums/2021/07 \u{1F389} Party"]) {
          delete before[key];
          delete now[key];
        }
        assert.deepEqual(now, before);
      },
    );

    await t.step("a re-run after all that changes nothing and matches the index", async () => {
      const before = await snapshot(f.target);
      const s = await f.run();
      assert.deepEqual(await snapshot(f.target), before);
      assert.equal(s.linksMade + s.linksRemoved + s.linksMoved, 0);
      const map = await linkMap(f.target, f.index);
      const recorded = Object.fromEntries(
        allAlbumLinks(f.index).map((l) => [l.path, f.index.getItem(l.mediaId)!.path]),
      );
      assert.deepEqual(map, recorded);
      for (const l of allAlbumLinks(f.index)) {
        assert.equal(l.kind, hardlinks ? "hardlink" : "symlink");
      }
    });
  } finally {
    await f.close();
  }
}

Deno.test("syncAlbumFolders() keeps album folders in step with symlinks", async (t) => {
  await scenario(t, false);
});

Deno.test("syncAlbumFolders() keeps album folders in step with hard links", async (t) => {
  await scenario(t, true);
});

Deno.test("syncAlbumFolders() follows the layout options", async (t) => {
  await t.step("omitDate: albums/<Title>", async () => {
    const f = await fixture({ omitDate: true });
    try {
      const p = await f.item("i1", "a.jpg", "2020-01-15T10:00:00Z");
      f.album("A", "Trip", ["i1"]);
      f.album("B", "trip", ["i1"]);
      await f.run();
      const all = await albumTree(f.target);
      assert.equal(all["albums/Trip/a.jpg"], `-> ../../${p}`);
      // Case-insensitive file systems cannot hold both: the second gets " (2)".
      assert.equal(all["albums/trip (2)/a.jpg"], `-> ../../${p}`);
    } finally {
      await f.close();
    }
  });

  await t.step("flat: albums/YYYY-MM <Title>", async () => {
    const f = await fixture({ flat: true });
    try {
      const p = await f.item("i1", "a.jpg", "2020-01-15T10:00:00Z");
      assert.equal(p, "photos/2020-01/a.jpg");
      f.album("A", "Trip", ["i1"]);
      await f.run();
      assert.equal(
        (await albumTree(f.target))["albums/2020-01 Trip/a.jpg"],
        "-> ../../photos/2020-01/a.jpg",
      );
    } finally {
      await f.close();
    }
  });

  await t.step("byFirstPhoto dates by the oldest item", async () => {
    const f = await fixture({ byFirstPhoto: true });
    try {
      await f.item("i1", "a.jpg", "2020-01-15T10:00:00Z");
      await f.item("i2", "b.jpg", "2021-02-15T10:00:00Z");
      await f.item("i3", "c.jpg", undefined);
      f.album("A", "Trip", ["i2", "i3", "i1"]);
      await f.run();
      const links = Object.keys(await albumTree(f.target)).filter((p) =>
        p.startsWith("albums/2020/01 Trip/")
      );
      assert.deepEqual(links.sort(), [
        "albums/2020/01 Trip/a.jpg",
        "albums/2020/01 Trip/b.jpg",
        "albums/2020/01 Trip/c.jpg",
      ]);
    } finally {
      await f.close();
    }
  });

  await t.step(
    "switching omitDate on moves links to the shallower folder and they resolve",
    async () => {
      const f = await fixture();
      try {
        await f.item("i1", "a.jpg", "2020-01-15T10:00:00Z");
        f.album("A", "Trip", ["i1"]);
        await f.run();
        await f.run({ omitDate: true });
        const all = await albumTree(f.target);
        assert.deepEqual(Object.keys(all).sort(), ["albums/Trip", "albums/Trip/a.jpg"]);
        await assertLinksResolve(f.target, f.index);
      } finally {
        await f.close();
      }
    },
  );

  await t.step("switching to hard links replaces the symlinks", async () => {
    const f = await fixture();
    try {
      await f.item("i1", "a.jpg", "2020-01-15T10:00:00Z");
      f.album("A", "Trip", ["i1"]);
      await f.run();
      const s = await f.run({ hardlinks: true });
      assert.equal(s.linksMade, 1);
      assert.equal(s.linksRemoved, 1);
      const info = await Deno.lstat(join(f.target, "albums/2020/01 Trip/a.jpg"));
      assert.ok(info.isFile);
      assert.equal(info.nlink, 2);
      assert.equal(albumLinks(f.index, "A")[0].kind, "hardlink");
    } finally {
      await f.close();
    }
  });
});

Deno.test("syncAlbumFolders() limits its work to --album, --album-regex and own albums", async (t) => {
  const f = await fixture();
  try {
    await f.item("i1", "a.jpg", "2020-01-15T10:00:00Z");
    f.album("A", "Trip", ["i1"]);
    f.album("B", "Party", ["i1"]);
    f.album("S", "Shared one", ["i1"], true);

    await t.step("--album makes only that album", async () => {
      await f.run({ album: "Party" });
      assert.deepEqual(Object.keys(await albumTree(f.target)).sort(), [
        "albums/2020",
        "albums/2020/01 Party",
        "albums/2020/01 Party/a.jpg",
      ]);
    });
    await t.step("--album-regex is case-insensitive and unanchored", async () => {
      await f.run({ albumRegex: "RIP" });
      assert.ok((await albumTree(f.target))["albums/2020/01 Trip/a.jpg"]);
      assert.equal((await albumTree(f.target))["albums/2020/01 Shared one"], undefined);
    });
    await t.step("--skip-shared-albums leaves shared albums out", async () => {
      await f.run({ skipShared: true });
      assert.equal((await albumTree(f.target))["albums/2020/01 Shared one"], undefined);
      await f.run();
      assert.ok((await albumTree(f.target))["albums/2020/01 Shared one/a.jpg"]);
    });
    await t.step("a filtered run does not touch other albums, even deleted ones", async () => {
      f.removeAlbum("A");
      await f.run({ album: "Party" });
      assert.ok((await albumTree(f.target))["albums/2020/01 Trip/a.jpg"]);
      f.removeAlbum("S");
      await f.run({ skipShared: true });
      assert.ok((await albumTree(f.target))["albums/2020/01 Shared one/a.jpg"]);
      assert.equal((await albumTree(f.target))["albums/2020/01 Trip"], undefined);
    });
    await t.step("both filters at once, or a bad regex, are usage errors", async () => {
      await assert.rejects(f.run({ album: "a", albumRegex: "b" }), UsageError);
      await assert.rejects(f.run({ albumRegex: "(" }), UsageError);
    });
  } finally {
    await f.close();
  }
});

Deno.test("syncAlbumFolders() stays inside albums/ and removes only what it made", async (t) => {
  const f = await fixture();
  try {
    await f.item("i1", "a.jpg", "2020-01-15T10:00:00Z");
    f.album("A", "../../etc", ["i1"]);
    f.album("B", "/", ["i1"]);
    f.album("C", "x".repeat(300) + "/..", ["i1"]);

    await t.step("hostile titles stay inside albums/", async () => {
      await f.run();
      for (const path of Object.keys(await albumTree(f.target))) {
        assert.ok(
          isAlbumPath(path, "link") || isAlbumPath(path, "folder") || isAlbumPath(path, "parent"),
          path,
        );
      }
      const allowed = [
        "albums",
        "photos",
        "gphotos.sqlite",
        "gphotos.sqlite-shm",
        "gphotos.sqlite-wal",
      ];
      for await (const e of Deno.readDir(f.target)) assert.ok(allowed.includes(e.name), e.name);
    });

    await t.step("a tampered index cannot make it remove anything outside albums/", async () => {
      const victim = join(f.target, "photos/2020/01/a.jpg");
      f.db.prepare(
        "INSERT INTO album_links (path, album_id, media_id, kind, made_at) VALUES (?,?,?,?,?)",
      )
        .run("photos/2020/01/a.jpg", "A", "i1", "symlink", "2020-01-01T00:00:00Z");
      f.db.prepare("INSERT INTO album_folders (path, album_id, made_at) VALUES (?,?,?)")
        .run("albums/../photos", "A", "2020-01-01T00:00:00Z");
      f.removeAlbum("A");
      await f.run();
      assert.ok((await Deno.stat(victim)).isFile);
      assert.ok((await Deno.stat(join(f.target, "photos"))).isDirectory);
    });

    await t.step("a link the user replaced with their own file stays", async () => {
      const link = join(f.target, "albums/2020/01 _/a.jpg");
      await Deno.remove(link);
      await Deno.writeTextFile(link, "mine");
      f.removeAlbum("B");
      await f.run();
      assert.equal(await Deno.readTextFile(link), "mine");
    });

    await t.step("a missing link is made again", async () => {
      const folder = await albumTree(f.target);
      const cLink = Object.keys(folder).find((p) =>
        p.startsWith("albums/2020/01 xxx") && p.endsWith("a.jpg")
      )!;
      await Deno.remove(join(f.target, cLink));
      const s = await f.run();
      assert.equal(s.linksMade, 1);
      await assertLinksResolve(f.target, f.index);
    });
  } finally {
    await f.close();
  }
});

Deno.test("syncAlbumFolders() falls back to the other kind of link, and stops when neither works", async (t) => {
  const f = await fixture();
  try {
    await f.item("i1", "a.jpg", "2020-01-15T10:00:00Z");
    f.album("A", "Trip", ["i1"]);
    const eperm = () => {
      const err = new Deno.errors.PermissionDenied("Operation not permitted (os error 1)");
      Object.assign(err, { code: "EPERM" });
      return Promise.reject(err);
    };
    const noSymlinks = { ...fileWriter(f.target), symlink: eperm };
    const warnings = (events: RunEvent[]) =>
      events.flatMap((e) => e.type === "warning" ? [e.message] : []);
    await t.step("no links at all -> --skip-albums, nothing recorded", async () => {
      const writer = { ...fileWriter(f.target), symlink: eperm, link: eperm };
      for (const hardlinks of [false, true]) {
        await assert.rejects(f.run({ writer, hardlinks }), (err: Error) => {
          assert.ok(err instanceof UsageError);
          assert.match(err.message, /symbolic links .* and hard links/);
          assert.match(err.message, /--skip-albums/);
          return true;
        });
        assert.equal(allAlbumLinks(f.index).length, 0, "no link recorded that was not made");
      }
    });
    await t.step("no symlinks -> a hard link, recorded as one, with a warning", async () => {
      const events: RunEvent[] = [];
      const s = await f.run({ writer: noSymlinks, onEvent: (e) => events.push(e) });
      assert.equal(s.linksMade, 1);
      assert.deepEqual(allAlbumLinks(f.index).map((l) => l.kind), ["hardlink"]);
      assert.match(
        warnings(events).join("\n"),
        /does not allow symbolic links.*hard links instead/,
      );
      await assertLinksResolve(f.target, f.index);
    });
    await t.step("a re-run on that file system keeps the hard link", async () => {
      const before = await snapshot(f.target);
      const s = await f.run({ writer: noSymlinks });
      assert.deepEqual([s.linksMade, s.linksKept, s.linksRemoved], [0, 1, 0]);
      assert.deepEqual(await snapshot(f.target), before);
      assert.deepEqual(await albumTree(f.target).then(Object.keys), Object.keys(before));
    });
    await t.step("once symlinks work, the hard link becomes a symlink", async () => {
      const s = await f.run();
      assert.deepEqual([s.linksMade, s.linksRemoved], [1, 1]);
      assert.deepEqual(allAlbumLinks(f.index).map((l) => l.kind), ["symlink"]);
      await assertLinksResolve(f.target, f.index);
    });
    await t.step("no hard links with --use-hardlinks -> a symlink, kept on a re-run", async () => {
      const writer = { ...fileWriter(f.target), link: eperm };
      const first = await f.run({ writer, hardlinks: true });
      assert.deepEqual([first.linksMade, first.linksKept], [0, 1]);
      assert.deepEqual(allAlbumLinks(f.index).map((l) => l.kind), ["symlink"]);
      const again = await f.run({ writer, hardlinks: true });
      assert.deepEqual([again.linksMade, again.linksKept], [0, 1]);
      await assertLinksResolve(f.target, f.index);
    });
    await t.step("once hard links work, --use-hardlinks replaces the symlink", async () => {
      const s = await f.run({ hardlinks: true });
      assert.deepEqual([s.linksMade, s.linksRemoved], [1, 1]);
      assert.deepEqual(allAlbumLinks(f.index).map((l) => l.kind), ["hardlink"]);
      await assertLinksResolve(f.target, f.index);
    });
  } finally {
    await f.close();
  }
});

Deno.test("syncAlbumFolders() with a dry-run writer changes nothing and lists the plan", async (t) => {
  const f = await fixture();
  try {
    const p1 = await f.item("i1", "a.jpg", "2020-01-15T10:00:00Z");
    const p2 = await f.item("i2", "b.jpg", "2020-01-16T10:00:00Z");
    f.album("A", "Trip", ["i1", "i2"]);
    const indexState = () => ({
      links: allAlbumLinks(f.index),
      folders: allAlbumFolders(f.index),
      folder: f.index.getAlbum("A")?.folder,
    });

    await t.step("a first run: the links it would make, no folder made, no record", async () => {
      const before = indexState();
      const writer = dryRunWriter(f.target);
      const summary = await f.run({ writer });
      assert.equal(summary.linksMade, 2);
      await assert.rejects(Deno.lstat(join(f.target, "albums")), Deno.errors.NotFound);
      assert.deepEqual(indexState(), before);
      assert.deepEqual(writer.planned, [
        { op: "mkdir", path: "albums/2020/01 Trip" },
        { op: "symlink", path: "albums/2020/01 Trip/a.jpg", target: "../../../" + p1 },
        { op: "symlink", path: "albums/2020/01 Trip/b.jpg", target: "../../../" + p2 },
      ]);
    });

    await t.step("after a real run, a change is planned, not made", async () => {
      await f.run();
      const disk = await snapshot(f.target);
      f.album("A", "Trip", ["i1"]);
      const before = indexState();
      const writer = dryRunWriter(f.target);
      const summary = await f.run({ writer });
      assert.equal(summary.linksRemoved, 1);
      assert.deepEqual(writer.planned, [{ op: "remove", path: "albums/2020/01 Trip/b.jpg" }]);
      assert.deepEqual(await snapshot(f.target), disk);
      assert.deepEqual(indexState(), before);
      // The real run after it does what was planned.
      await f.run();
      assert.deepEqual(Object.keys(await linkMap(f.target, f.index)), [
        "albums/2020/01 Trip/a.jpg",
      ]);
      await assertLinksResolve(f.target, f.index);
    });
  } finally {
    await f.close();
  }
});

Deno.test("syncAlbumFolders() stats an album's items and checks its links side by side", async () => {
  const f = await fixture();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `i${i}`;
      await f.item(id, `p${i}.jpg`, `2020-01-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00Z`);
      ids.push(id);
    }
    f.album("A", "Trip", ids);
    assert.equal((await f.run()).linksMade, 40);
    // A disk where each lookup waits: were they one after another, at most one would be under way.
    const real = fileWriter(f.target);
    let now = 0;
    const most = { stat: 0, readLink: 0 };
    const slow = <T>(kind: "stat" | "readLink", p: () => Promise<T>) => async () => {
      now++;
      most[kind] = Math.max(most[kind], now);
      try {
        await new Promise((r) => setTimeout(r, 2));
        return await p();
      } finally {
        now--;
      }
    };
    const writer = {
      ...real,
      stat: (path: string) => slow("stat", () => real.stat(path))(),
      readLink: (path: string) => slow("readLink", () => real.readLink(path))(),
    };
    const summary = await f.run({ writer });
    assert.equal(summary.linksKept, 40);
    assert.equal(summary.linksMade, 0);
    assert.ok(most.stat > 1, `stats at once: ${most.stat}`);
    assert.ok(most.readLink > 1, `link reads at once: ${most.readLink}`);
    await assertLinksResolve(f.target, f.index);
  } finally {
    await f.close();
  }
});
