/**
 * Rule 14 for JSON files: what each sidecar and album file of an export said is kept in the index
 * by the entry's path, size and fingerprint (`entryKeyOf`), so the next export's unchanged JSON
 * files are not read at all. On a cold disk each sidecar is a random read, which is most of an
 * unchanged re-import's time.
 */
import { type IndexPort, takeoutEntryId, type TakeoutEntryKey } from "../../index/mod.ts";
import { entryKeyOf } from "./known_entries.ts";
import { type AlbumMeta, type JsonInfo, parseJsonFile, type Sidecar } from "./metadata.ts";
import type { TakeoutEntry } from "./part.ts";
import type { JsonFile } from "./read_takeout.ts";

/**
 * Version of what `parseJsonFile` reads from a JSON file: raise it when it reads more, and every
 * stored file is read again once.
 */
export const JSON_READER = 1;

/**
 * `info` as JSON text in Google's own shape, which `parseJsonFile` turns back into the same info;
 * undefined when it would not (nothing is stored then, and the file is read every time).
 */
export function jsonInfoText(info: JsonInfo): string | undefined {
  const text = JSON.stringify(googleShape(info));
  let back: JsonInfo;
  try {
    back = parseJsonFile(text);
  } catch {
    return undefined;
  }
  return sameInfo(info, back) ? text : undefined;
}

function googleShape(info: JsonInfo): Record<string, unknown> {
  if (info.kind === "sidecar") {
    const s = info.sidecar;
    const taken = s.takenTime?.getTime();
    return {
      title: s.title,
      description: s.description,
      // Always an object: it is what tells a sidecar from an album file.
      photoTakenTime: taken === undefined ? {} : { timestamp: taken / 1000 },
      geoData: s.latitude === undefined
        ? undefined
        : { latitude: s.latitude, longitude: s.longitude, altitude: s.altitude },
      favorited: s.favourite || undefined,
      archived: s.archived || undefined,
      trashed: s.trashed || undefined,
      people: s.people.length ? s.people.map((name) => ({ name })) : undefined,
    };
  }
  if (info.kind === "album") {
    const a = info.album;
    return {
      title: a.title,
      description: a.description,
      // Always present: an untitled album file is told from other JSON by it.
      access: a.shared ? "shared" : "private",
      date: a.date ? { timestamp: a.date.getTime() / 1000 } : undefined,
    };
  }
  return {};
}

function sameInfo(a: JsonInfo, b: JsonInfo): boolean {
  if (a.kind === "sidecar" && b.kind === "sidecar") return sameSidecar(a.sidecar, b.sidecar);
  if (a.kind === "album" && b.kind === "album") return sameAlbum(a.album, b.album);
  return a.kind === "other" && b.kind === "other";
}

function sameSidecar(a: Sidecar, b: Sidecar): boolean {
  return a.title === b.title && a.description === b.description &&
    a.takenTime?.getTime() === b.takenTime?.getTime() && a.latitude === b.latitude &&
    a.longitude === b.longitude && a.altitude === b.altitude && a.favourite === b.favourite &&
    a.archived === b.archived && a.trashed === b.trashed &&
    a.people.length === b.people.length && a.people.every((p, i) => p === b.people[i]);
}

function sameAlbum(a: AlbumMeta, b: AlbumMeta): boolean {
  return a.title === b.title && a.description === b.description && a.shared === b.shared &&
    a.date?.getTime() === b.date?.getTime();
}

/** The JSON files an earlier import stored, read in one query when an import starts. */
export class KnownJson {
  #index: IndexPort;
  /** `takeoutEntryId` -> stored text; an entry is taken out once used. */
  #stored: Map<string, string>;
  /** Files answered from the index, which need not be stored again. */
  #answered = new Set<TakeoutEntry>();

  constructor(index: IndexPort) {
    this.#index = index;
    this.#stored = index.knownTakeoutJson(JSON_READER);
  }

  /** What an unchanged JSON file said, without reading it; undefined when it must be read. */
  info(entry: TakeoutEntry): JsonInfo | undefined {
    const key = entryKeyOf(entry);
    if (!key) return undefined;
    const id = takeoutEntryId(key);
    const text = this.#stored.get(id);
    if (text === undefined) return undefined;
    this.#stored.delete(id);
    let info: JsonInfo;
    try {
      info = parseJsonFile(text);
    } catch {
      // A row damaged outside this tool: read the file instead.
      return undefined;
    }
    this.#answered.add(entry);
    return info;
  }

  /** How many JSON files were answered from the index. */
  get answered(): number {
    return this.#answered.size;
  }

  /** Stores what the files read in this run said, in one transaction. */
  record(files: JsonFile[]): void {
    // Made one at a time as the transaction takes them: 100,000 texts held at once in a list
    // would be the import's peak of memory.
    const answered = this.#answered;
    function* rows(): Generator<{ entry: TakeoutEntryKey; info: string }> {
      for (const f of files) {
        if (answered.has(f.entry)) continue;
        // "other" is also what a file that could not be parsed becomes: its problem is told again.
        if (f.info.kind === "other") continue;
        const entry = entryKeyOf(f.entry);
        const info = entry && jsonInfoText(f.info);
        if (entry && info !== undefined) yield { entry, info };
      }
    }
    // All answered from the index (an unchanged re-import): nothing to store, no transaction.
    if (files.some((f) => !answered.has(f.entry))) {
      this.#index.recordTakeoutJson(rows(), JSON_READER);
    }
  }
}
