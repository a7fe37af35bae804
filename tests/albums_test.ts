/** `albums` end to end against the fake Google: the tree after each change in Google, and the cost. */
import assert from "node:assert/strict";
import { join, posix } from "node:path";
import { startFakeGoogle } from "./fake_google/mod.ts";
import type { FakeGoogle } from "./fake_google/mod.ts";
import { addItems, generateAccount, NASTY_ITEM_COUNT } from "./fixtures/generate.ts";
import type { Account, FakeAlbum } from "./fixtures/account_types.ts";
import { albumTree, runCli, setupTarget, type TestTarget } from "./helpers.ts";
import { MediaIndex } from "../src/index/mod.ts";
import { allAlbumLinks } from "../src/index/album_queries.ts";
import { albumFolder, foldName, withDupNumber, withFolderDupNumber } from "../src/layout/mod.ts";

/** lstat of every entry under albums/ (inode and mtime), for "nothing changed" checks. */
async function snapshot(target: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of Object.keys(await albumTree(target))) {
    const i = await Deno.lstat(join(target, path));
    out[path] = `${i.ino}:${i.mtime?.getTime()}`;
  }
  return out;
}

interface Model {
  /** link path -> photo path */
  links: Record<string, string>;
  /** album id -> folder */
  folders: Map<string, string>;
}

/**
 * What the SPEC says TARGET/albums holds, from the fake account and the index's item paths:
 * `albums/YYYY/MM <Title>` by the newest item, safe titles, `Untitled`, ` (n)` for clashing
 * folders in listing order (own albums, then shared) with numbers kept from `previous`, links named
 * like their targets with ` (n)` for clashes, only to items on disk.
 */
async function expectedTree(
  target: string,
  account: Account,
  opts: { previous?: Model; skipShared?: boolean; omitDate?: boolean; flat?: boolean } = {},
): Promise<Model> {
  const index = MediaIndex.open(target);
  try {
    const order = [
      ...account.albums.filter((a) => !a.shared),
      ...(opts.skipShared ? [] : account.albums.filter((a) => a.shared)),
    ];
    const rowOrder = new Map(index.albums().map((a, i) => [a.id, i]));
    order.sort((a, b) => (rowOrder.get(a.id) ?? 1e9) - (rowOrder.get(b.id) ?? 1e9));
    const plans: { album: FakeAlbum; base: string; items: string[] }[] = [];
    for (const album of order) {
      let newest: string | undefined;
      const items: string[] = [];
      for (const id of album.itemIds) {
        const fake = account.items.find((i) => i.id === id)!;
        if (fake.creationTime && (!newest || fake.creationTime > newest)) {
          newest = fake.creationTime;
        }
        const row = index.getItem(id);
        if (row?.downloadedAt && await exists(join(target, row.path))) items.push(row.path);
      }
      const base = albumFolder(album.title, newest ? new Date(newest) : undefined, {
        omitDate: opts.omitDate,
        flat: opts.flat,
      });
      if (items.length > 0) plans.push({ album, base, items });
    }
    const folders = new Map<string, string>();
    const claimed = new Set<string>();
    for (const plan of plans) {
      const before = opts.previous?.folders.get(plan.album.id);
      const n = before ? numberOf(plan.base, before) : undefined;
      if (before && n !== undefined) {
        folders.set(plan.album.id, before);
        claimed.add(foldName(before));
      }
    }
    for (const plan of plans) {
      if (folders.has(plan.album.id)) continue;
      let n = 1;
      while (claimed.has(foldName(withFolderDupNumber(plan.base, n)))) n++;
      const folder = withFolderDupNumber(plan.base, n);
      folders.set(plan.album.id, folder);
      claimed.add(foldName(folder));
    }
    const links: Record<string, string> = {};
    for (const plan of plans) {
      const folder = folders.get(plan.album.id)!;
      // Links keep their names, also when their folder is renamed.
      const before = opts.previous?.folders.get(plan.album.id);
      const previous = Object.entries(opts.previous?.links ?? {})
        .filter(([l, p]) => posix.dirname(l) === before && plan.items.includes(p))
        .map(([l, p]) => [`${folder}/${posix.basename(l)}`, p]);
      const used = new Set(previous.map(([l]) => foldName(posix.basename(l))));
      for (const [l, p] of previous) links[l] = p;
      for (const path of plan.items) {
        if (previous.some(([, p]) => p === path)) continue;
        let n = 1;
        const name = posix.basename(path);
        while (used.has(foldName(withDupNumber(name, n)))) n++;
        used.add(foldName(withDupNumber(name, n)));
        links[`${folder}/${withDupNumber(name, n)}`] = path;
      }
    }
    return { links, folders };
  } finally {
    index.close();
  }
}

function numberOf(base: string, folder: string): number | undefined {
  if (folder === base) return 1;
  const m = / \((\d+)\)$/.exec(folder);
  return m && withFolderDupNumber(base, Number(m[1])) === folder ? Number(m[1]) : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The links on disk as link path -> photo path; symlinks must be relative and resolve. */
async function actualLinks(target: string): Promise<Record<string, string>> {
  const index = MediaIndex.open(target);
  const byIno = new Map<number, string>();
  try {
    for (const item of index.downloadedItems()) {
      const info = await Deno.stat(join(target, item.path)).catch(() => undefined);
      if (info?.ino) byIno.set(info.ino, item.path);
    }
  } finally {
    index.close();
  }
  const out: Record<string, string> = {};
  for (const [path, what] of Object.entries(await albumTree(target))) {
    if (what.startsWith("-> ")) {
      const text = what.slice(3);
      assert.ok(!posix.isAbsolute(text), `${path} is relative`);
      const info = await Deno.stat(join(target, path)); // throws when dangling
      assert.ok(info.isFile, `${path} resolves to a file`);
      out[path] = posix.normalize(posix.join(posix.dirname(path), text));
    } else if (what === "file") {
      const info = await Deno.stat(join(target, path));
      const photo = info.ino ? byIno.get(info.ino) : undefined;
      if (photo) out[path] = photo;
    }
  }
  return out;
}

/** The tree equals the model, every link resolves, and the index records exactly those links. */
async function assertTree(target: string, model: Model): Promise<void> {
  assert.deepEqual(await actualLinks(target), model.links);
  const index = MediaIndex.open(target);
  try {
    const recorded = Object.fromEntries(
      allAlbumLinks(index).map((l) => [l.path, index.getItem(l.mediaId)!.path]),
    );
    assert.deepEqual(recorded, model.links);
  } finally {
    index.close();
  }
}

async function cli(t: TestTarget, ...args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await runCli([...args, t.target], t.env);
  return { code: r.code, stderr: r.stderr };
}

/** index, albums (indexes album-only items), download, albums again (links them). */
async function syncLike(t: TestTarget, flags: string[] = []): Promise<void> {
  for (const cmd of ["index", "albums", "download", "albums"]) {
    const r = await cli(t, cmd, ...(cmd === "albums" ? flags : []));
    assert.ok(
      r.code === 0 || (cmd === "download" && r.code === 4),
      `${cmd}: ${r.code} ${r.stderr}`,
    );
  }
}

function album(account: Account, title: string): FakeAlbum {
  return account.albums.find((a) => a.title === title)!;
}

function callsSince(fake: FakeGoogle, from: number) {
  return fake.calls.slice(from).filter((c) => c.kind === "api");
}

async function endToEnd(t: Deno.TestContext, hardlinks: boolean): Promise<void> {
  const account = generateAccount({ items: NASTY_ITEM_COUNT + 30, albums: 60, seed: 11 });
  const fake = await startFakeGoogle({ account, seed: 11 });
  const tt = await setupTarget(fake);
  const flags = hardlinks ? ["--use-hardlinks"] : [];
  const target = tt.target;
  let model: Model = { links: {}, folders: new Map() };
  const check = async () => {
    model = await expectedTree(target, account, { previous: model });
    await assertTree(target, model);
  };
  try {
    await t.step("first run: every album folder as the SPEC says", async () => {
      await syncLike(tt, flags);
      await check();
      const links = model.links;
      const folders = [...new Set(Object.keys(links).map(posix.dirname))];
      // Spanning months (2019-06..08), dated by the newest; the same title twice -> " (2)".
      assert.ok(folders.includes("albums/2019/08 Trip"));
      assert.ok(folders.includes("albums/2019/08 Trip (2)"));
      assert.ok(folders.includes("albums/2020/02 Untitled"));
      assert.ok(folders.includes("albums/2020/03 Paris_London"));
      assert.ok(folders.includes("albums/2020/02 \u{1F389} Party \u{1F382}"));
      assert.ok(folders.includes("albums/No dates"));
      assert.ok(folders.some((f) => f.startsWith("albums/2020/03 A very long album title")));
      for (const f of folders) {
        for (const part of f.split("/")) assert.ok(new TextEncoder().encode(part).length <= 255);
      }
      assert.ok(!folders.some((f) => f.includes("Empty album")), "an empty album has no folder");
      // One item in three albums.
      const three = Object.entries(links).filter(([l]) => l.endsWith("/in_three_albums.jpg"));
      assert.equal(three.length, 3);
      // A shared album's items that are not in the library listing were indexed and downloaded.
      const shared = Object.keys(links).filter((l) =>
        l.startsWith("albums/2019/09 Friends' shared album/")
      ).map((l) => posix.basename(l)).sort();
      assert.deepEqual(shared, [
        "moon_landing.jpg",
        "shared_by_friend.jpg",
        "shared_by_friend_2.jpg",
      ]);
      const index = MediaIndex.open(target);
      try {
        // Items the library listing does not return (album-only, and archived ones in albums).
        const inAlbums = new Set(account.albums.flatMap((a) => a.itemIds));
        const notListed = account.items.filter((i) =>
          inAlbums.has(i.id) && (!i.inLibrary || i.archived)
        )
          .map((i) => i.id).sort();
        const albumOnly = index.allItems().filter((i) => i.source === "album");
        assert.deepEqual(albumOnly.map((i) => i.id).sort(), notListed);
        assert.ok(notListed.length >= 2);
        assert.ok(albumOnly.every((i) => i.downloadedAt !== null));
      } finally {
        index.close();
      }
    });

    await t.step("a re-run with no change lists only the albums and changes no link", async () => {
      fake.setOptions({ quirks: false });
      const before = await snapshot(target);
      const from = fake.calls.length;
      const r = await cli(tt, "albums", ...flags);
      assert.equal(r.code, 0, r.stderr);
      const calls = callsSince(fake, from);
      const own = account.albums.filter((a) => !a.shared).length;
      const shared = account.albums.length - own;
      assert.ok(own > 50, "two pages of own albums");
      assert.equal(calls.filter((c) => c.path === "/v1/albums").length, Math.ceil(own / 50));
      assert.equal(
        calls.filter((c) => c.path === "/v1/sharedAlbums").length,
        Math.ceil(shared / 50),
      );
      assert.equal(calls.length, Math.ceil(own / 50) + Math.ceil(shared / 50));
      assert.deepEqual(await snapshot(target), before);
      fake.setOptions({ quirks: true });
    });

    await t.step("an album renamed in Google has its folder renamed", async () => {
      album(account, "Paris/London").title = "Paris & London";
      const linkBefore = await Deno.lstat(join(target, "albums/2020/03 Paris_London/a_b.jpg"));
      await syncLike(tt, flags);
      await check();
      const after = await Deno.lstat(join(target, "albums/2020/03 Paris & London/a_b.jpg"));
      assert.equal(after.ino, linkBefore.ino, "the link moved with its folder");
      assert.ok(!(await exists(join(target, "albums/2020/03 Paris_London"))));
    });

    await t.step("an item added in Google gets a link (and the folder's date moves)", async () => {
      const [added] = addItems(account, 1, { seed: 4242 });
      const party = album(account, "\u{1F389} Party \u{1F382}");
      party.itemIds.push(added.id);
      await syncLike(tt, flags);
      await check();
      const year = added.creationTime!.slice(0, 4);
      const month = added.creationTime!.slice(5, 7);
      const folder = `albums/${year}/${month} \u{1F389} Party \u{1F382}`;
      assert.equal(model.folders.get(party.id), folder);
      assert.equal(Object.keys(model.links).filter((l) => l.startsWith(folder + "/")).length, 4);
    });

    await t.step("an item removed in Google loses its link", async () => {
      const trip = account.albums.find((a) => a.title === "Trip" && a.itemIds.length === 4)!;
      trip.itemIds = trip.itemIds.filter((id) => {
        const item = account.items.find((i) => i.id === id)!;
        return item.filename !== "trip_1.jpg";
      });
      await syncLike(tt, flags);
      await check();
      assert.ok(!Object.keys(model.links).some((l) => l.endsWith("/trip_1.jpg")));
    });

    await t.step(
      "a user's file in an album folder stays through a rename and a deletion",
      async () => {
        const long = account.albums.find((a) => a.title?.startsWith("A very long"))!;
        const folder = model.folders.get(long.id)!;
        const mine = join(target, folder, "my notes.txt");
        await Deno.writeTextFile(mine, "mine");
        long.title = "Short now";
        await syncLike(tt, flags);
        await check();
        assert.equal(await Deno.readTextFile(mine), "mine");
        assert.deepEqual(Object.keys(await albumTree(target)).filter((p) => p.startsWith(folder)), [
          folder,
          `${folder}/my notes.txt`,
        ]);

        const newFolder = model.folders.get(long.id)!;
        const mine2 = join(target, newFolder, "IMG_0001.JPG.txt");
        await Deno.writeTextFile(mine2, "mine too");
        account.albums = account.albums.filter((a) => a.id !== long.id);
        await syncLike(tt, flags);
        await check();
        assert.equal(await Deno.readTextFile(mine), "mine");
        assert.equal(await Deno.readTextFile(mine2), "mine too");
        assert.deepEqual(
          Object.keys(await albumTree(target)).filter((p) => p.startsWith(newFolder)),
          [
            newFolder,
            `${newFolder}/IMG_0001.JPG.txt`,
          ],
        );
      },
    );

    await t.step("an album deleted in Google loses its folder", async () => {
      const trip2 = account.albums.find((a) => a.title === "Trip" && a.itemIds.length === 2)!;
      const folder = model.folders.get(trip2.id)!;
      assert.equal(folder, "albums/2019/08 Trip (2)");
      account.albums = account.albums.filter((a) => a.id !== trip2.id);
      await syncLike(tt, flags);
      await check();
      assert.ok(!(await exists(join(target, folder))));
    });

    await t.step(
      "deleting the first of two same-titled albums keeps the other's number",
      async () => {
        account.albums.push({
          id: "again-trip",
          title: "Trip",
          itemIds: [],
          shared: false,
          appCreated: false,
        });
        const trip = account.albums.find((a) => a.title === "Trip" && a.itemIds.length > 0)!;
        account.albums.find((a) => a.id === "again-trip")!.itemIds = [...trip.itemIds];
        await syncLike(tt, flags);
        await check();
        assert.equal(model.folders.get("again-trip"), "albums/2019/08 Trip (2)");
        account.albums = account.albums.filter((a) => a.id !== trip.id);
        await syncLike(tt, flags);
        await check();
        assert.equal(model.folders.get("again-trip"), "albums/2019/08 Trip (2)");
        assert.ok(!(await exists(join(target, "albums/2019/08 Trip"))));
      },
    );

    await t.step("a final re-run with no change changes nothing", async () => {
      const before = await snapshot(target);
      const from = fake.calls.length;
      await cli(tt, "albums", ...flags);
      assert.equal(
        callsSince(fake, from).filter((c) => c.path === "/v1/mediaItems:search").length,
        0,
      );
      assert.deepEqual(await snapshot(target), before);
    });
  } finally {
    await tt.cleanup();
    await fake.close();
  }
}

Deno.test("albums keeps album folders in step with Google (symlinks)", async (t) => {
  await endToEnd(t, false);
});

Deno.test("albums keeps album folders in step with Google (hard links)", async (t) => {
  await endToEnd(t, true);
});

Deno.test("albums copes with Google's 2025 rules and other options", async (t) => {
  const account = generateAccount({ items: NASTY_ITEM_COUNT + 5, albums: 4, seed: 5 });
  const fake = await startFakeGoogle({ account, seed: 5 });
  const tt = await setupTarget(fake);
  try {
    await syncLike(tt);
    const sharedFolder = "albums/2019/09 Friends' shared album";
    assert.ok(await exists(join(tt.target, sharedFolder)));

    await t.step("sharedAlbums answering 403 is one warning; shared folders stay", async () => {
      for (const a of account.albums) a.appCreated = true;
      for (const i of account.items) i.appCreated = true;
      fake.setOptions({ mode: "2025" });
      const before = await snapshot(tt.target);
      const r = await runCli(["albums", tt.target], tt.env);
      assert.equal(r.code, 0, r.stderr);
      const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(warnings[0], /shared albums/);
      assert.deepEqual(await snapshot(tt.target), before);
      const json = await runCli(["albums", "--json", tt.target], tt.env);
      const summary = JSON.parse(json.stdout.trim().split("\n").at(-1)!);
      assert.equal(summary.sharedDenied, true);
      assert.equal(summary.albumsRemoved, 0);
      fake.setOptions({ mode: "legacy" });
    });

    await t.step("--skip-shared-albums neither lists nor touches shared albums", async () => {
      const from = fake.calls.length;
      const r = await runCli(["albums", "--skip-shared-albums", tt.target], tt.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(callsSince(fake, from).filter((c) => c.path === "/v1/sharedAlbums").length, 0);
      assert.ok(await exists(join(tt.target, sharedFolder)));
    });

    await t.step("--rescan lists every album's items again", async () => {
      const from = fake.calls.length;
      const r = await runCli(["albums", "--rescan", "--json", tt.target], tt.env);
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
      assert.equal(summary.albumsListed, account.albums.length);
      assert.ok(
        callsSince(fake, from).filter((c) => c.path === "/v1/mediaItems:search").length >=
          account.albums.filter((a) => a.itemIds.length > 0).length,
      );
    });

    await t.step(
      "--album-regex limits the work; --omit-album-date and --use-flat-path lay out",
      async () => {
        const r = await runCli([
          "albums",
          "--album-regex",
          "^party|trip",
          "--omit-album-date",
          tt.target,
        ], tt.env);
        assert.equal(r.code, 0, r.stderr);
        const all = Object.keys(await albumTree(tt.target));
        assert.ok(all.includes("albums/Trip"));
        assert.ok(all.includes("albums/Trip (2)"));
        assert.ok(!all.includes("albums/2019/08 Trip"));
        assert.ok(all.includes("albums/2019/09 Friends' shared album"), "other albums untouched");
        const bad = await runCli(["albums", "--album-regex", "(", tt.target], tt.env);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--album-regex/);
      },
    );
  } finally {
    await tt.cleanup();
    await fake.close();
  }
});
