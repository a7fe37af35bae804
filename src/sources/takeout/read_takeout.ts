/**
 * Every part of a Takeout export (zip, tgz, extracted folder) as one virtual tree, keyed by the
 * path below the localised Google Photos folder (takeout-format.md §0.1, §1.1, §1.2). Pass one
 * lists the entries and parses the small JSON files; media bodies are read later (zip, folder:
 * `TakeoutTree.read`) or handed over while the archive is read front to back (tgz, which has no
 * index).
 */
import { UsageError } from "../../errors.ts";
import type { EventSink } from "../../events.ts";
import { collectGarbage } from "../../heap.ts";
import { type ChunkSink, RangePump } from "../../files/byte_pump.ts";
import { FolderPart } from "./folder_part.ts";
import type { JsonInfo } from "./metadata.ts";
import {
  describe,
  type FoundEntry,
  type SourceKind,
  type SourceProblem,
  type StreamedMediaSink,
  type TakeoutEntry,
  type TakeoutPart,
} from "./part.ts";
import { TarPart } from "./tar_part.ts";
import { isJsonName, isRootNonSidecar, YEAR_FOLDER } from "./tree_rules.ts";
import { ZipPart } from "./zip_part.ts";

/** A JSON file of the export and what its content says it is. */
export interface JsonFile {
  entry: TakeoutEntry;
  info: JsonInfo;
}

/** The export as one tree. */
export interface TakeoutTree {
  /** Media entries below a Google Photos folder, in source order. */
  media: TakeoutEntry[];
  /** JSON files below a Google Photos folder, except the root files that are no sidecars. */
  json: JsonFile[];
  problems: SourceProblem[];
  /** Entries outside Google Photos (other products, `archive_browser.html`) and junk. */
  ignored: number;
  /**
   * Reads a zip or folder entry chunk by chunk into a reused buffer (no stream, no garbage per
   * chunk): a chunk is only valid until `sink` returns. Size and CRC-32 are checked at the end;
   * a `sink` returning `true` stops early, unchecked.
   */
  read(entry: TakeoutEntry, sink: ChunkSink): Promise<void>;
  /** Closes open archives and the read handles kept between entries. */
  close(): Promise<void>;
}

/** Options of `readTakeout`. */
export interface ReadTakeoutOptions {
  onEvent?: EventSink;
  /**
   * Receives each media body of a stream-only part (tgz) while pass one reads it; must consume or
   * cancel `body`. Without it the bodies are skipped.
   */
  onStreamedMedia?: StreamedMediaSink;
  /** Stops pass one (between entries); the abort reason is thrown. */
  signal?: AbortSignal;
  /** What unchanged JSON files said, from the index: they are not read (rule 14). */
  knownJson?: (entry: TakeoutEntry) => JsonInfo | undefined;
}

/** A part and what pass one found in it. */
interface Scanned {
  part: TakeoutPart;
  found: FoundEntry[];
}

function kindOf(path: string, info: Deno.FileInfo): SourceKind | undefined {
  if (info.isDirectory) return "folder";
  const lower = path.toLowerCase();
  if (lower.endsWith(".zip")) return "zip";
  if (lower.endsWith(".tgz") || lower.endsWith(".tar.gz")) return "tgz";
  if (lower.endsWith(".tar")) return "tar";
  return undefined;
}

/** The reader of a part; the range pump is shared by every part of one export. */
function openPart(path: string, kind: SourceKind, pump: RangePump): TakeoutPart {
  if (kind === "zip") return new ZipPart(path, pump);
  if (kind === "folder") return new FolderPart(path, pump);
  return new TarPart(path, kind);
}

/** True when an entry says its root is a Google Photos folder. */
function isEvidence(p: FoundEntry): boolean {
  const e = p.entry;
  return p.known || p.json?.kind === "sidecar" || p.json?.kind === "album" ||
    YEAR_FOLDER.test(e.dir.split("/")[0]) || isRootNonSidecar(e.dir, e.name);
}

/** Folders whose content says they are a Google Photos folder. */
function photosRoots(scanned: Scanned[]): Set<string> {
  const roots = new Set<string>();
  for (const s of scanned) {
    for (const p of s.found) if (isEvidence(p)) roots.add(rootId(s.part, p.entry));
  }
  return roots;
}

function notTakeout(path: string): UsageError {
  return new UsageError(
    `"${path}" is not a Google Photos Takeout: it has no Google Photos folder, photo sidecars or year folders`,
  );
}

/** Thrown into a probing scan once it has seen enough. */
const PROVEN = new Error("Google Photos Takeout found");

/**
 * Checks, before anything is written, that every path is a readable part of a Google Photos
 * Takeout: each part is read only up to its first entry that says so (all of it when none does).
 * Throws the `UsageError` that `readTakeout` would; a broken part is left to `readTakeout`.
 */
export async function checkTakeout(paths: string[]): Promise<void> {
  if (paths.length === 0) throw new UsageError("No Takeout archive or folder given");
  const pump = new RangePump();
  try {
    const parts = await openParts(paths, pump);
    const proven = new Set<string>();
    const unproven: { part: TakeoutPart; roots: Set<string> }[] = [];
    for (const part of parts) {
      const stop = new AbortController();
      const problems: SourceProblem[] = [];
      const roots = new Set<string>();
      let found = false;
      const onFound = (p: FoundEntry) => {
        if (!isEvidence(p)) {
          roots.add(rootId(part, p.entry));
          return;
        }
        found = true;
        proven.add(rootId(part, p.entry));
        stop.abort(PROVEN);
      };
      try {
        await part.scan({ problems, signal: stop.signal, onFound });
      } catch (err) {
        if (err !== PROVEN) throw err;
      } finally {
        await part.close();
      }
      if (!found && problems.length === 0) unproven.push({ part, roots });
    }
    // Like `readTakeout`: a part of media only is Google Photos when its root is, in another part.
    for (const { part, roots } of unproven) {
      if (![...roots].some((r) => proven.has(r))) throw notTakeout(part.path);
    }
  } finally {
    pump.close();
  }
}

/** Roots with a name unify across parts; a nameless root (a bare archive) is its own. */
function rootId(part: TakeoutPart, e: TakeoutEntry): string {
  return e.root === "" ? `\0${part.path}` : e.root.toLowerCase();
}

/** The parts of `paths`, checked to exist and to be of a known kind. */
async function openParts(paths: string[], pump: RangePump): Promise<TakeoutPart[]> {
  const parts: TakeoutPart[] = [];
  for (const path of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (err) {
      throw new UsageError(`Cannot read "${path}": ${describe(err)}`, { cause: err });
    }
    const kind = kindOf(path, info);
    if (!kind) {
      throw new UsageError(
        `Cannot read "${path}": expected a .zip, .tgz, .tar.gz or .tar archive or a folder`,
      );
    }
    parts.push(openPart(path, kind, pump));
  }
  return parts;
}

/**
 * Pass one over every part: lists entries, parses JSON, and decides which folders are Google
 * Photos. A path that is missing, of an unknown kind, or holds no Google Photos Takeout is a
 * `UsageError`; a truncated or corrupt part becomes a problem and the rest goes on.
 */
export async function readTakeout(
  paths: string[],
  opts: ReadTakeoutOptions = {},
): Promise<TakeoutTree> {
  if (paths.length === 0) throw new UsageError("No Takeout archive or folder given");
  const pump = new RangePump();
  const parts = await openParts(paths, pump);
  const problems: SourceProblem[] = [];
  const tree: TakeoutTree = {
    media: [],
    json: [],
    problems,
    ignored: 0,
    read: (entry, sink) => readEntry(parts, entry, sink),
    close: async () => {
      for (const part of parts) await part.close();
      pump.close();
    },
  };
  try {
    const scan = {
      problems,
      signal: opts.signal,
      onStreamedMedia: opts.onStreamedMedia,
      knownJson: opts.knownJson,
    };
    const found = new Map<TakeoutPart, FoundEntry[]>();
    // Random-access parts first, so a tgz's media can be paired with their sidecars anywhere.
    for (const part of parts) {
      opts.onEvent?.({ type: "info", message: `Reading "${part.path}"` });
      if (!isStreamOnly(part)) found.set(part, await part.scan(scan));
      // What reading a part's directory and JSON files left behind, before the next adds to it.
      collectGarbage();
    }
    for (const part of parts) {
      if (!isStreamOnly(part)) continue;
      // A tgz is read whole here: a bar of its bytes, not a line that sits still for the run.
      let last = 0;
      const onProgress = (read: number, total: number, done: number) => {
        const now = performance.now();
        if (read < total && now - last < 50) return;
        last = now;
        opts.onEvent?.({
          type: "progress",
          phase: "takeout",
          done,
          bytes: read,
          totalBytes: total,
        });
      };
      opts.onEvent?.({ type: "phase", phase: "takeout" });
      found.set(part, await part.scan({ ...scan, onProgress }));
    }
    const scanned = parts.map((part) => ({ part, found: found.get(part)! }));
    const roots = photosRoots(scanned);
    for (const { part, found: entries } of scanned) {
      let kept = 0;
      for (const p of entries) {
        if (!roots.has(rootId(part, p.entry))) {
          tree.ignored++;
          continue;
        }
        kept++;
        if (isJsonName(p.entry.name)) {
          if (p.json) tree.json.push({ entry: p.entry, info: p.json });
          else tree.ignored++;
        } else if (p.entry.name.toLowerCase().endsWith(".html")) {
          tree.ignored++;
        } else {
          tree.media.push(p.entry);
        }
      }
      const broken = problems.some((pr) => pr.source === part.path);
      if (kept === 0 && !broken) throw notTakeout(part.path);
    }
  } catch (err) {
    await tree.close();
    throw err;
  }
  return tree;
}

function isStreamOnly(part: TakeoutPart): boolean {
  return part.kind === "tgz" || part.kind === "tar";
}

function readEntry(parts: TakeoutPart[], entry: TakeoutEntry, sink: ChunkSink): Promise<void> {
  if (entry.streamed) {
    return Promise.reject(
      new TypeError(`Cannot reopen "${entry.inner}" of "${entry.source}": it was streamed`),
    );
  }
  const part = parts.find((p) => p.path === entry.source);
  if (!part) return Promise.reject(new TypeError(`Unknown source "${entry.source}"`));
  return part.read(entry, sink);
}
