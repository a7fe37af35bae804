import assert from "node:assert/strict";
import { join } from "node:path";
import {
  canLink,
  isLinkRefused,
  type LinkKind,
  type LinkOps,
  LinkRefusedError,
  makeLink,
} from "../src/files/links.ts";

/** An OS error as Deno raises it: its class, its POSIX code, its message. */
function osError(code: string, message: string): Error {
  const err = code === "EPERM" || code === "EACCES"
    ? new Deno.errors.PermissionDenied(message)
    : code === "EEXIST"
    ? new Deno.errors.AlreadyExists(message)
    : code === "ENOENT"
    ? new Deno.errors.NotFound(message)
    : new Error(message);
  return Object.assign(err, { code });
}

const EPERM = osError("EPERM", "Operation not permitted (os error 1)");
const ENOTSUP = osError("ENOTSUP", "Operation not supported (os error 95)");
const EXDEV = osError("EXDEV", "Invalid cross-device link (os error 18)");
const EMLINK = osError("EMLINK", "Too many links (os error 31)");
const EEXIST = osError("EEXIST", "File exists (os error 17)");
const ENOENT = osError("ENOENT", "No such file or directory (os error 2)");
const EACCES = osError("EACCES", "Permission denied (os error 13)");
const WIN_PRIVILEGE = new Error("A required privilege is not held by the client. (os error 1314)");

/** Low-level calls that fail as told and log what they made. */
function fakeOps(fail: { symlink?: Error; link?: Error }) {
  const made: string[] = [];
  const ops: LinkOps = {
    symlink: (text, path) => {
      if (fail.symlink) return Promise.reject(fail.symlink);
      made.push(`symlink ${path} -> ${text}`);
      return Promise.resolve();
    },
    link: (existing, path) => {
      if (fail.link) return Promise.reject(fail.link);
      made.push(`hardlink ${path} = ${existing}`);
      return Promise.resolve();
    },
  };
  return { ops, made };
}

const FILE = "/t/photos/2020/01/a.jpg";
const LINK = "/t/albums/2020/01 Trip/a.jpg";
const SYM = `symlink ${LINK} -> ../../../photos/2020/01/a.jpg`;
const HARD = `hardlink ${LINK} = ${FILE}`;

interface Case {
  name: string;
  kind: LinkKind;
  symlink?: Error;
  link?: Error;
  /** The kind made, or the error class thrown. */
  want: LinkKind | typeof LinkRefusedError | Error;
  made: string[];
}

// The fallback policy of src/files/links.ts, one row per case.
const CASES: Case[] = [
  { name: "symlink asked and made", kind: "symlink", want: "symlink", made: [SYM] },
  { name: "hard link asked and made", kind: "hardlink", want: "hardlink", made: [HARD] },
  {
    name: "symlinks refused (EPERM, FAT) -> hard link",
    kind: "symlink",
    symlink: EPERM,
    want: "hardlink",
    made: [HARD],
  },
  {
    name: "symlinks unsupported (ENOTSUP) -> hard link",
    kind: "symlink",
    symlink: ENOTSUP,
    want: "hardlink",
    made: [HARD],
  },
  {
    name: "no symlink privilege (Windows) -> hard link",
    kind: "symlink",
    symlink: WIN_PRIVILEGE,
    want: "hardlink",
    made: [HARD],
  },
  {
    name: "hard link across devices (EXDEV) -> symlink",
    kind: "hardlink",
    link: EXDEV,
    want: "symlink",
    made: [SYM],
  },
  {
    name: "hard links refused (EPERM) -> symlink",
    kind: "hardlink",
    link: EPERM,
    want: "symlink",
    made: [SYM],
  },
  {
    name: "too many hard links (EMLINK) -> symlink",
    kind: "hardlink",
    link: EMLINK,
    want: "symlink",
    made: [SYM],
  },
  {
    name: "neither kind (symlink asked) -> LinkRefusedError",
    kind: "symlink",
    symlink: EPERM,
    link: EPERM,
    want: LinkRefusedError,
    made: [],
  },
  {
    name: "neither kind (hard link asked) -> LinkRefusedError",
    kind: "hardlink",
    symlink: ENOTSUP,
    link: EXDEV,
    want: LinkRefusedError,
    made: [],
  },
  {
    name: "name taken (EEXIST): no fallback",
    kind: "symlink",
    symlink: EEXIST,
    want: EEXIST,
    made: [],
  },
  {
    name: "file missing (ENOENT): no fallback",
    kind: "hardlink",
    link: ENOENT,
    want: ENOENT,
    made: [],
  },
  {
    name: "folder not writable (EACCES): no fallback",
    kind: "symlink",
    symlink: EACCES,
    want: EACCES,
    made: [],
  },
  {
    name: "a symlink cannot cross devices, so EXDEV from one is not a refusal",
    kind: "symlink",
    symlink: EXDEV,
    want: EXDEV,
    made: [],
  },
  {
    name: "fallback failing for another reason throws that error",
    kind: "symlink",
    symlink: EPERM,
    link: EEXIST,
    want: EEXIST,
    made: [],
  },
];

Deno.test("makeLink() follows one fallback policy and never copies", async (t) => {
  for (const c of CASES) {
    await t.step(c.name, async () => {
      const { ops, made } = fakeOps({ symlink: c.symlink, link: c.link });
      const run = makeLink(FILE, LINK, { kind: c.kind, ops });
      if (typeof c.want === "string") {
        const got = await run;
        assert.equal(got.kind, c.want);
        assert.equal(got.refused, got.kind === c.kind ? undefined : c.symlink ?? c.link);
      } else if (c.want === LinkRefusedError) {
        await assert.rejects(run, (err: Error) => {
          assert.ok(err instanceof LinkRefusedError);
          assert.equal(err.path, LINK);
          assert.match(err.message, /symbolic links .* and hard links/);
          return true;
        });
      } else {
        await assert.rejects(run, (err) => err === c.want);
      }
      assert.deepEqual(made, c.made);
    });
  }
});

Deno.test("makeLink() makes symlinks relative to the folder they will end up in", async () => {
  const { ops, made } = fakeOps({});
  await makeLink("/t/backup/x/b.jpg", "/t/comparison.tmp-1/missing_files/x/b.jpg", {
    kind: "symlink",
    relativeTo: "/t/comparison/missing_files/x",
    ops,
  });
  assert.deepEqual(made, [
    "symlink /t/comparison.tmp-1/missing_files/x/b.jpg -> ../../../backup/x/b.jpg",
  ]);
});

Deno.test("isLinkRefused() tells a refusal from other errors", () => {
  assert.ok(isLinkRefused(new Deno.errors.NotSupported("no"), "symlink"));
  assert.ok(isLinkRefused(EXDEV, "hardlink"));
  assert.ok(!isLinkRefused(EXDEV, "symlink"));
  assert.ok(!isLinkRefused(EEXIST, "hardlink"));
  assert.ok(!isLinkRefused("EPERM", "hardlink"));
});

Deno.test("makeLink() and canLink() on the real file system", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "photos", "a.jpg");
    await Deno.mkdir(join(dir, "photos"));
    await Deno.mkdir(join(dir, "albums"));
    await Deno.writeTextFile(file, "bytes");
    await t.step("a relative symlink that resolves", async () => {
      const link = join(dir, "albums", "s.jpg");
      assert.deepEqual(await makeLink(file, link, { kind: "symlink" }), { kind: "symlink" });
      assert.equal(await Deno.readLink(link), join("..", "photos", "a.jpg"));
      assert.equal(await Deno.readTextFile(link), "bytes");
    });
    await t.step("a hard link to the same file", async () => {
      const link = join(dir, "albums", "h.jpg");
      assert.deepEqual(await makeLink(file, link, { kind: "hardlink" }), { kind: "hardlink" });
      const [a, b] = await Promise.all([Deno.lstat(link), Deno.stat(file)]);
      assert.ok(a.isFile && !a.isSymlink);
      assert.equal(a.ino, b.ino);
    });
    await t.step("an existing name is an error, not a fallback", async () => {
      await assert.rejects(
        makeLink(file, join(dir, "albums", "h.jpg"), { kind: "symlink" }),
        Deno.errors.AlreadyExists,
      );
    });
    await t.step("canLink() probes and leaves nothing behind", async () => {
      const probe = join(dir, "albums", ".probe");
      assert.equal(await canLink(file, probe, { kind: "symlink" }), true);
      assert.equal(await canLink(file, probe, { kind: "hardlink" }), true);
      await assert.rejects(Deno.lstat(probe), Deno.errors.NotFound);
      const { ops } = fakeOps({ symlink: EPERM });
      assert.equal(await canLink(file, probe, { kind: "symlink", ops }), false);
      const other = fakeOps({ link: EEXIST }).ops;
      await assert.rejects(
        canLink(file, probe, { kind: "hardlink", ops: other }),
        (e) => e === EEXIST,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
