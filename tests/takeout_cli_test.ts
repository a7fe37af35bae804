import assert from "node:assert/strict";
import { join } from "node:path";
import { Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import { runCli, walkFiles } from "./helpers.ts";
import {
  englishExport,
  germanLegacyExport,
  writeTgz,
  writeZipParts,
} from "./fixtures/takeout/generate.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "gphotos-takeout-cli-" });
}

Deno.test("takeout command prints the report as a table and links albums", async () => {
  const dir = await tempDir();
  try {
    const paths = await writeZipParts(englishExport(31), dir);
    const target = join(dir, "backup");
    const r = await runCli(["takeout", target, ...paths], { HOME: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^takeout:$/m);
    assert.match(r.stdout, /matched through a variant\s+7$/m);
    assert.match(r.stdout, /orphan sidecars\s+1$/m);
    assert.match(r.stdout, /failed videos \(not imported\)\s+1$/m);
    assert.match(r.stdout, /trash \(not imported\)\s+2$/m);
    assert.match(r.stdout, /albums\s+2 \(5 new memberships\)$/m);
    // The orphan is a warning on stderr, never on stdout.
    assert.match(r.stderr, /gone\.jpg/);
    const files = await walkFiles(target);
    assert.ok(files.includes("photos/2023/01/IMG_1.jpg"));
    const links = files.filter((f) => f.startsWith("albums/"));
    assert.equal(links.filter((f) => f.includes("Summer_ 2023/")).length, 4);
    assert.equal(links.filter((f) => f.includes("Untitled/")).length, 1);
    const link = links.find((f) => f.endsWith("Summer_ 2023/IMG_1.jpg"))!;
    const real = await Deno.realPath(join(target, link));
    assert.equal(real, await Deno.realPath(join(target, "photos/2023/01/IMG_1.jpg")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("takeout command --json ends with a summary object; a cut archive exits 4", async () => {
  const dir = await tempDir();
  try {
    const tgz = await writeTgz(germanLegacyExport(33), join(dir, "t.tgz"));
    const whole = await Deno.readFile(tgz);
    await Deno.writeFile(tgz, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const target = join(dir, "backup");
    const r = await runCli(["takeout", target, tgz, "--json"], { HOME: dir });
    assert.equal(r.code, 4);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const last = lines[lines.length - 1];
    assert.equal(last.type, "summary");
    assert.equal(last.command, "takeout");
    assert.equal(last.problems.length, 1);
    assert.equal(last.problems[0].source, tgz);
    assert.ok(last.imported > 0);
    assert.ok(lines.some((l) => l.type === "warning" && l.message.includes("t.tgz")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("takeout command exits 2 for a path that is missing or not a Takeout", async () => {
  const dir = await tempDir();
  try {
    const target = join(dir, "backup");
    const missing = await runCli(["takeout", target, join(dir, "nope.zip")], { HOME: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.zip/);
    await assert.rejects(Deno.stat(target), "no TARGET made for a missing path");
    const text = join(dir, "notes.tgz");
    await Deno.writeTextFile(text, "plain text");
    const wrong = await runCli(["takeout", target, text], { HOME: dir });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /notes\.tgz/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("takeout command closes the index it read ahead before it returns", async () => {
  const dir = await tempDir();
  try {
    // An existing TARGET with a big index: the command reads it ahead, then stops at the bad path.
    // That read must not outlive the command.
    const target = join(dir, "backup");
    await Deno.mkdir(target);
    await Deno.writeFile(join(target, "gphotos.sqlite"), new Uint8Array(64 * 1024 * 1024));
    const deno = Deno as { open: typeof Deno.open };
    const open = deno.open;
    const opened: Deno.FsFile[] = [];
    deno.open = async (path, options) => {
      const file = await open(path, options);
      if (String(path).endsWith("gphotos.sqlite")) opened.push(file);
      return file;
    };
    let r;
    try {
      r = await runCli(["takeout", target, join(dir, "nope.zip")], { HOME: dir });
    } finally {
      deno.open = open;
    }
    assert.equal(r.code, 2);
    assert.ok(opened.length > 0, "the index was read ahead");
    for (const file of opened) {
      assert.throws(() => file.statSync(), "the index is closed when the command returns");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rule 16: a path that is not a Google Photos Takeout exits 2 and creates nothing", async (t) => {
  const dir = await tempDir();
  try {
    const enc = new TextEncoder();
    const youtube = join(dir, "takeout-youtube.zip");
    {
      const f = await Deno.create(youtube);
      const w = new ZipWriter(f.writable, { useWebWorkers: false });
      await w.add("Takeout/archive_browser.html", new Uint8ArrayReader(enc.encode("<html>")));
      await w.add(
        "Takeout/YouTube/history/watch-history.json",
        new Uint8ArrayReader(enc.encode("[]")),
      );
      await w.add("Takeout/YouTube/videos/clip.mp4", new Uint8ArrayReader(enc.encode("mp4")));
      await w.close();
    }
    const holiday = join(dir, "Holiday pictures");
    await Deno.mkdir(join(holiday, "Day 1"), { recursive: true });
    await Deno.writeTextFile(join(holiday, "Day 1", "DSC_0001.jpg"), "jpeg");
    await Deno.writeTextFile(join(holiday, "notes.json"), '{"a": 1}');
    const empty = join(dir, "empty");
    await Deno.mkdir(empty);
    const good = await writeZipParts(englishExport(35), join(dir), { parts: 1 });
    const cases: [string, string[]][] = [
      ["a zip of another Google product", [youtube]],
      ["a folder of ordinary photos", [holiday]],
      ["an empty folder", [empty]],
      ["a Takeout part beside a folder that is none", [...good, holiday]],
    ];
    for (const [what, paths] of cases) {
      await t.step(`${what}: exit 2, no TARGET`, async () => {
        const target = join(dir, "backup");
        const r = await runCli(["takeout", target, ...paths], { HOME: dir });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /is not a Google Photos Takeout/);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        await assert.rejects(Deno.stat(target), "no TARGET made");
      });
      await t.step(`${what}: an existing empty TARGET gets no index`, async () => {
        const target = join(dir, "existing");
        await Deno.mkdir(target, { recursive: true });
        const r = await runCli(["takeout", target, ...paths], { HOME: dir });
        assert.equal(r.code, 2, r.stderr);
        assert.deepEqual(await Array.fromAsync(Deno.readDir(target)), []);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rule 18: takeout --dry-run reports what would be imported and writes nothing", async () => {
  const dir = await tempDir();
  try {
    const paths = await writeZipParts(englishExport(37), dir);
    const target = join(dir, "backup");
    const fresh = await runCli(["takeout", target, ...paths, "--dry-run"], { HOME: dir });
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stdout, /would be imported\s+44$/m);
    assert.match(fresh.stdout, /trash \(not imported\)\s+2$/m);
    assert.match(fresh.stdout, /nothing was written/);
    await assert.rejects(Deno.stat(target), "no TARGET made by a dry run");

    // Against a backup that has the first part: only the rest would be imported.
    const part = await runCli(["takeout", target, paths[0]], { HOME: dir });
    assert.equal(part.code, 0, part.stderr);
    const before = await listing(target);
    const again = await runCli(["takeout", target, ...paths, "--dry-run", "--json"], {
      HOME: dir,
    });
    assert.equal(again.code, 0, again.stderr);
    const summary = JSON.parse(again.stdout.trim().split("\n").at(-1)!);
    assert.equal(summary.dryRun, true);
    assert.ok(summary.imported > 0 && summary.imported < 44, String(summary.imported));
    assert.ok(summary.redated > 0, "items the sidecars in part 2 would re-date");
    assert.deepEqual(await listing(target), before, "TARGET and its index unchanged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every file of a folder with its size and mtime. */
async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of (await walkFiles(dir)).sort()) {
    const info = await Deno.lstat(join(dir, f));
    out.push(`${f} ${info.size} ${info.mtime?.getTime()}`);
  }
  return out;
}
