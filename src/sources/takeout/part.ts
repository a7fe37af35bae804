/**
 * One part of a Takeout export (a zip, a tar or tgz, an extracted folder) behind one small
 * interface: pass one lists its entries (and parses the small JSON files, or hands over media
 * bodies where the part can only be read front to back); pass two reads an entry's bytes.
 */
import type { ChunkSink } from "../../files/byte_pump.ts";
import { type JsonInfo, parseJsonFile } from "./metadata.ts";
import type { Placed } from "./tree_rules.ts";

/** How a part of the export is stored. */
export type SourceKind = "zip" | "tgz" | "tar" | "folder";

/** One file of the export. */
export interface TakeoutEntry {
  /** Path below the Google Photos folder, NFC, `/`-separated: `Photos from 2019/IMG_1.jpg`. */
  key: string;
  /** Folder part of `key` (`""` at the root). */
  dir: string;
  /** File name, NFC. */
  name: string;
  /** The localised Google Photos folder the entry sits in (`Google Fotos`), `""` when none. */
  root: string;
  size: number;
  mtime?: Date;
  /** The archive or folder as given on the command line. */
  source: string;
  kind: SourceKind;
  /** The entry's path inside its archive or folder, as stored, for messages. */
  inner: string;
  /** CRC-32 from the zip central directory. */
  crc32?: number;
  /** True when the body could only be read during pass one (tgz): `read()` refuses it. */
  streamed: boolean;
  /** The entry's number in its part's own tables (zip), `-1` or unset when it has none. */
  ordinal?: number;
}

/** A part or entry that could not be read; the rest of the export still imports. */
export interface SourceProblem {
  source: string;
  /** The entry inside the archive, when one is to blame. */
  entry?: string;
  message: string;
}

/** What a part found in pass one, before the Google Photos folders are decided. */
export interface FoundEntry {
  entry: TakeoutEntry;
  /** Whether the entry's root folder name alone says it is Google Photos. */
  known: boolean;
  /** What a JSON file says it is; unset for media and for JSON files that are no sidecars. */
  json?: JsonInfo;
}

/** Receives a media body of a stream-only part while pass one reads it; must consume or cancel it. */
export type StreamedMediaSink = (
  entry: TakeoutEntry,
  body: ReadableStream<Uint8Array>,
) => Promise<void>;

/** Options of `TakeoutPart.scan`. */
export interface ScanOptions {
  /** Unreadable entries (and a truncated part) are added here; the scan goes on. */
  problems: SourceProblem[];
  /** Media bodies of a stream-only part; without it they are skipped. */
  onStreamedMedia?: StreamedMediaSink;
  /** Stops the scan between entries; the abort reason is thrown. */
  signal?: AbortSignal;
  /** Told of each entry once found (its JSON read): a probe stops the scan through `signal`. */
  onFound?: (p: FoundEntry) => void;
  /**
   * What an unchanged JSON file said, from the index (rule 14): such a file is not read. Only
   * parts that can skip a file's bytes ask.
   */
  knownJson?: (entry: TakeoutEntry) => JsonInfo | undefined;
  /** Bytes of the part read so far of `total`, and entries seen (a stream-only part's scan). */
  onProgress?: (read: number, total: number, entries: number) => void;
}

/** The interface every archive and folder reader implements. */
export interface TakeoutPart {
  /** The archive or folder as given on the command line. */
  readonly path: string;
  readonly kind: SourceKind;
  /**
   * Pass one: every entry that may be below a Google Photos folder, in part order. Throws a
   * `UsageError` when the part is not what its name says (no zip, no tar).
   */
  scan(opts: ScanOptions): Promise<FoundEntry[]>;
  /**
   * Pass two: an entry's bytes chunk by chunk into `sink` (a chunk is only valid until `sink`
   * returns), checked against its size (and CRC-32) at the end; `true` from `sink` stops early.
   */
  read(entry: TakeoutEntry, sink: ChunkSink): Promise<void>;
  /** Closes what the part holds open. */
  close(): Promise<void>;
}

/**
 * `s` as a string of its own. A piece cut from a longer string (`slice`, `split`) keeps all of
 * that string alive in V8; 200,000 names would keep their whole archive paths.
 */
function ownCopy(s: string): string {
  return s.length < 13 ? s : JSON.parse(JSON.stringify(s));
}

/**
 * Strings and dates entries of one part have in common, kept once: a large export has 200,000
 * entries in a few hundred folders, often with one entry time.
 */
export class SharedFields {
  #strings = new Map<string, string>();
  #date?: Date;

  /** The one copy of `s`. */
  string(s: string): string {
    const had = this.#strings.get(s);
    if (had !== undefined) return had;
    const own = ownCopy(s);
    this.#strings.set(own, own);
    return own;
  }

  /** The previous entry's date when it is the same instant (dates of entries are never changed). */
  date(d: Date | undefined): Date | undefined {
    if (d && this.#date?.getTime() === d.getTime()) return this.#date;
    this.#date = d;
    return d;
  }
}

/**
 * An entry as the parts make it: every field set in the constructor, so 200,000 entries share
 * one shape and keep their fields in the object. The inner path is kept as the folder part
 * before `key` (one string per folder) when it ends with `key`: it is only ever shown.
 */
class PartEntry implements TakeoutEntry {
  dir: string;
  name: string;
  root: string;
  size: number;
  mtime: Date | undefined;
  source: string;
  kind: SourceKind;
  crc32: number | undefined;
  streamed: boolean;
  ordinal: number;
  /** The inner path before `key`; the whole inner path when `#whole`. */
  #head: string;
  #whole: boolean;

  constructor(
    dir: string,
    name: string,
    root: string,
    fields: EntryFields,
    head: string,
    whole: boolean,
  ) {
    this.dir = dir;
    this.name = name;
    this.root = root;
    this.size = fields.size;
    this.mtime = fields.mtime;
    this.source = fields.source;
    this.kind = fields.kind;
    this.crc32 = fields.crc32;
    this.streamed = fields.streamed ?? false;
    this.ordinal = fields.ordinal ?? -1;
    this.#head = head;
    this.#whole = whole;
  }

  /** Made when asked: 200,000 paths kept besides their folder and name add up. */
  get key(): string {
    return this.dir === "" ? this.name : `${this.dir}/${this.name}`;
  }

  get inner(): string {
    return this.#whole ? this.#head : this.#head + this.key;
  }
}

/** What a part says of an entry besides its placed path. */
type EntryFields = Omit<TakeoutEntry, "key" | "dir" | "name" | "root" | "streamed"> & {
  streamed?: boolean;
};

/** An entry at a placed path, NFC; `shared` keeps folder names and dates once per part. */
export function makeEntry(
  placed: Placed,
  fields: EntryFields,
  shared?: SharedFields,
): TakeoutEntry {
  let name: string, dir: string, key: string, root: string;
  if (placed.folder) {
    // Folder and root made NFC once per folder (`FolderPlacer`): only the name is left to do.
    name = ownCopy(placed.rest[placed.rest.length - 1].normalize("NFC"));
    dir = placed.folder.dir;
    key = dir === "" ? name : `${dir}/${name}`;
    root = placed.folder.root;
  } else {
    const rest = placed.rest.map((s) => s.normalize("NFC"));
    key = rest.join("/");
    const last = rest[rest.length - 1];
    name = ownCopy(last);
    dir = key.slice(0, Math.max(0, key.length - last.length - 1));
    root = placed.root.normalize("NFC");
  }
  const inner = fields.inner;
  // Usually the inner path is a folder prefix and the key: the prefix is kept once per part.
  const keyed = inner.length > key.length && inner.endsWith(key) &&
    inner[inner.length - key.length - 1] === "/";
  const head = keyed ? inner.slice(0, inner.length - key.length) : inner;
  const s = shared;
  if (s) {
    fields.source = s.string(fields.source);
    fields.mtime = s.date(fields.mtime);
  }
  return new PartEntry(
    s ? s.string(dir) : ownCopy(dir),
    name,
    s ? s.string(root) : ownCopy(root),
    fields,
    keyed && s ? s.string(head) : head,
    !keyed,
  );
}

/**
 * The largest JSON file read: Google's sidecars and album files are a few KB. A bigger one is not
 * Google's (or is hostile: several read side by side would exhaust memory), so it is left unread.
 */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** Whether a JSON entry is too large to read; if so, the problem is recorded. */
export function jsonTooLarge(entry: TakeoutEntry, problems: SourceProblem[]): boolean {
  if (entry.size <= MAX_JSON_BYTES) return false;
  problems.push({
    source: entry.source,
    entry: entry.inner,
    message: `left unread: ${entry.size} bytes is too large for a Takeout metadata file (the ` +
      `limit is ${MAX_JSON_BYTES / 1024 / 1024} MiB)`,
  });
  return true;
}

/**
 * What a JSON entry says it is; one that cannot be read or parsed, or is too large to be Google's,
 * is a problem and "other".
 */
export async function readJsonInfo(
  entry: TakeoutEntry,
  text: () => Promise<string>,
  problems: SourceProblem[],
): Promise<JsonInfo> {
  if (jsonTooLarge(entry, problems)) return { kind: "other" };
  try {
    return parseJsonFile(await text());
  } catch (err) {
    problems.push({ source: entry.source, entry: entry.inner, message: describe(err) });
    return { kind: "other" };
  }
}

/** An error's message, for a problem line. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
