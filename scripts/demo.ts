/**
 * `deno task demo [FOLDER]`: a newcomer's first run, with no Google account. Starts the fake Google
 * with a generated library of a few hundred items, logs in through the real OAuth flow against it,
 * and runs every subcommand into ./demo-library (or FOLDER).
 */
import { join, resolve } from "node:path";
import { main } from "../mod.ts";
import { type CliContext, realContext } from "../src/cli/context.ts";
import { startFakeGoogle } from "../tests/fake_google/mod.ts";
import { generateAccount } from "../tests/fixtures/generate.ts";
import { englishExport, writeZipParts } from "../tests/fixtures/takeout/generate.ts";

const folder = resolve(Deno.args[0] ?? "demo-library");
const oldBackup = `${folder}-old-backup`;
const account = generateAccount({ items: 300, seed: 2026, albums: 12 });
const fake = await startFakeGoogle({ account, seed: 2026, latencyMs: 5 });
const work = await Deno.makeTempDir({ prefix: "gphotos-demo-" });
const secretPath = join(work, "client_secret.json");
await Deno.writeTextFile(secretPath, fake.clientSecretJson());

const base = realContext(new AbortController().signal);
const ctx: CliContext = {
  ...base,
  env: { ...fake.env(), GPHOTOS_SYNC_CLIENT_SECRET: secretPath, HOME: work },
  // The fake's consent page approves at once and redirects to our loopback listener.
  openBrowser: async (url) => {
    const res = await fetch(url, { redirect: "follow" });
    await res.body?.cancel();
  },
};

async function step(title: string, args: string[]): Promise<number> {
  base.stderr(`\n== gphotos-sync ${args.join(" ")}   (${title})\n`);
  const code = await main(args, ctx);
  if (code !== 0 && code !== 4) base.stderr(`(exit code ${code})\n`);
  return code;
}

let failed = false;
try {
  failed ||= await step("log in through the OAuth loopback flow with PKCE", ["auth", folder]) !== 0;
  failed ||= ![0, 4].includes(await step("index, download, albums", ["sync", folder]));
  await step("what the index holds; --verify re-hashes every file", ["status", folder, "--verify"]);
  const parts = await writeZipParts(englishExport(2026), work);
  await step("import a two-part Google Takeout export (originals, GPS, albums)", [
    "takeout",
    folder,
    ...parts,
  ]);
  await makeOldBackup(folder, oldBackup);
  await step("check the library against an older backup", ["compare", folder, oldBackup]);
} finally {
  await fake.close();
  await Deno.remove(work, { recursive: true });
}

/**
 * An "old backup" like a phone dump: most photos copied under other folders, a few renamed, one
 * missing, one that Google never had, one copied twice.
 */
async function makeOldBackup(library: string, dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(join(dir, "DCIM"), { recursive: true });
  const photos: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(library, rel))) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory) await walk(child);
      else if (e.isFile && /\.jpe?g$/i.test(e.name) && !e.name.startsWith(".")) photos.push(child);
    }
  };
  await walk("photos");
  photos.sort();
  for (const [i, rel] of photos.slice(0, 60).entries()) {
    if (i === 0) continue; // missing from the old backup
    const name = i % 10 === 1 ? `renamed_${i}.jpg` : rel.split("/").at(-1)!;
    await Deno.copyFile(join(library, rel), join(dir, "DCIM", name));
    if (i === 2) await Deno.copyFile(join(library, rel), join(dir, "DCIM", `copy of ${name}`));
  }
  await Deno.writeFile(
    join(dir, "DCIM", "not_in_google.jpg"),
    new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
  );
}

base.stdout(`
Done. Look at:
  ${folder}/photos/          every item by capture month, hostile names made safe
  ${folder}/albums/          album folders of relative links into photos/
  ${folder}/comparison/      what ${oldBackup} has that the library lacks, and the reverse
  sqlite3 ${folder}/gphotos.sqlite 'SELECT path, capture_time FROM media_items LIMIT 10'
  deno run -A mod.ts status ${folder}
`);
Deno.exit(failed ? 1 : 0);
