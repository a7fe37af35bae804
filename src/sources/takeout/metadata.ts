/**
 * What a Takeout export says about an item: the JSON sidecar fields (takeout-format.md §1.4), the
 * album metadata file (§1.3), and the capture time chosen from sidecar, EXIF, file name or entry.
 */
import { exifTime, parseExifDate as parseExifTime } from "../../media/media_time.ts";
import { dateFromFileName } from "../../layout/mod.ts";

/** The fields of a per-media sidecar that the import uses. */
export interface Sidecar {
  /** The name as uploaded; may be longer than the archive name, lack an extension, hold `/`. */
  title?: string;
  description?: string;
  /** `photoTakenTime.timestamp` (UTC epoch seconds); absent when missing or `"0"`. */
  takenTime?: Date;
  latitude?: number;
  longitude?: number;
  altitude?: number;
  favourite: boolean;
  archived: boolean;
  trashed: boolean;
  /** Names of manually tagged people. */
  people: string[];
}

/** The album metadata file of an album folder, whatever its localised name. */
export interface AlbumMeta {
  /** Empty for an untitled album. */
  title: string;
  description?: string;
  /** `date.timestamp`, when present. */
  date?: Date;
  /** `access: "shared"`. */
  shared: boolean;
}

/** What a JSON file of the export is, told by its content. */
export type JsonInfo =
  | { kind: "sidecar"; sidecar: Sidecar }
  | { kind: "album"; album: AlbumMeta }
  | { kind: "other" };

/** Which clue gave an item its capture time. */
export type TakeoutDateSource = "sidecar" | "exif" | "filename" | "folder" | "entry";

/** A capture time and where it came from. */
export interface CaptureTime {
  time: Date;
  source: TakeoutDateSource;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Epoch seconds (a string on the wire, sometimes a number) as epoch ms; `0` and garbage: none. */
function epochMs(v: unknown): number | undefined {
  if (!isObj(v)) return undefined;
  const raw = v.timestamp;
  const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(n) || n === 0) return undefined;
  const ms = new Date(n * 1000).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

function epoch(v: unknown): Date | undefined {
  const ms = epochMs(v);
  return ms === undefined ? undefined : new Date(ms);
}

function flag(v: unknown): boolean {
  return v === true || v === "true";
}

/** A usable location: finite, in range, and not Google's 0/0 "no location". */
function location(
  v: unknown,
): { latitude: number; longitude: number; altitude?: number } | undefined {
  if (!isObj(v)) return undefined;
  const lat = Number(v.latitude);
  const lng = Number(v.longitude);
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return undefined;
  if (lat === 0 && lng === 0) return undefined;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180) return undefined;
  const alt = Number(v.altitude);
  return Number.isFinite(alt) && v.altitude !== undefined
    ? { latitude: lat, longitude: lng, altitude: alt }
    : { latitude: lat, longitude: lng };
}

/** No people: one array shared by every sidecar without any (never changed). */
const NO_PEOPLE: string[] = [];

/**
 * A parsed sidecar: every field set in the constructor, so 100,000 of them share one shape and
 * keep their fields in the object; the capture time is a number until asked for (a `Date` costs
 * about 90 bytes).
 */
class ParsedSidecar implements Sidecar {
  title: string | undefined;
  description: string | undefined;
  latitude: number | undefined;
  longitude: number | undefined;
  altitude: number | undefined;
  favourite: boolean;
  archived: boolean;
  trashed: boolean;
  people: string[];
  #takenMs: number | undefined;

  constructor(value: Obj) {
    const loc = location(value.geoData) ?? location(value.geoDataExif);
    let people = NO_PEOPLE;
    if (Array.isArray(value.people)) {
      for (const p of value.people) {
        const name = isObj(p) ? str(p.name)?.trim() : undefined;
        if (!name || people.includes(name)) continue;
        if (people === NO_PEOPLE) people = [];
        people.push(name);
      }
    }
    this.title = str(value.title);
    this.description = str(value.description) || undefined;
    this.latitude = loc?.latitude;
    this.longitude = loc?.longitude;
    this.altitude = loc?.altitude;
    this.favourite = flag(value.favorited);
    this.archived = flag(value.archived);
    this.trashed = flag(value.trashed);
    this.people = people;
    this.#takenMs = epochMs(value.photoTakenTime);
  }

  /** `photoTakenTime`, a new `Date` each time. */
  get takenTime(): Date | undefined {
    return this.#takenMs === undefined ? undefined : new Date(this.#takenMs);
  }

  /** A parsed sidecar is its own `JsonInfo`: no wrapper object for each of 100,000. */
  get kind(): "sidecar" {
    return "sidecar";
  }

  get sidecar(): Sidecar {
    return this;
  }
}

/** Parses one per-media sidecar object. */
export function parseSidecar(value: Obj): Sidecar {
  return new ParsedSidecar(value);
}

/** True for a per-media sidecar: it has a capture or upload time, or a photo URL. */
function isAsset(o: Obj): boolean {
  return isObj(o.photoTakenTime) || isObj(o.creationTime) ||
    (typeof o.url === "string" && o.url.includes("photos.google.com/photo"));
}

/**
 * Tells a JSON file of the export by its content (album file names are localised): a sidecar has
 * `photoTakenTime`/`creationTime`/a photo URL; an album file has a `title` and no such field.
 */
export function classifyJson(value: unknown): JsonInfo {
  if (!isObj(value)) return { kind: "other" };
  if (isAsset(value)) return new ParsedSidecar(value);
  // Older exports wrap the album fields in "albumData".
  const album = isObj(value.albumData) ? value.albumData : value;
  const title = str(album.title);
  if (title === undefined) return { kind: "other" };
  if (title === "" && !("access" in album) && !("date" in album) && album === value) {
    return { kind: "other" };
  }
  const meta: AlbumMeta = {
    title: title.trim().normalize("NFC"),
    shared: album.access === "shared",
  };
  const description = str(album.description);
  if (description) meta.description = description;
  const date = epoch(album.date);
  if (date) meta.date = date;
  return { kind: "album", album: meta };
}

/** Parses JSON text and classifies it; throws a SyntaxError on malformed text. */
export function parseJsonFile(text: string): JsonInfo {
  // A BOM is not JSON, but some tools that rewrite exports add one.
  return classifyJson(JSON.parse(text.replace(/^\uFEFF/, "")));
}

/** Parses an EXIF date (`YYYY:MM:DD HH:MM:SS`) as UTC, shifted by an `OffsetTime*` value when given. */
export function parseExifDate(text: string, offset?: string): Date | undefined {
  return parseExifTime(text, offset)?.time;
}

/** The EXIF `DateTimeOriginal` (else `CreateDate`) of a file, from its first bytes. */
export async function exifDate(head: Uint8Array): Promise<Date | undefined> {
  return (await exifTime(head))?.time;
}

/**
 * The capture time by SPEC order: sidecar `photoTakenTime`, EXIF, a date in the file name, the
 * year folder (1 January), the archive entry's time. The entry time is the export's date, so it
 * comes last. `exif` is asked lazily because it needs the file's first bytes.
 */
export async function chooseCaptureTime(
  name: string,
  opts: {
    sidecar?: Sidecar;
    exif?: () => Promise<Date | undefined>;
    folderYear?: number;
    entryTime?: Date;
  },
): Promise<CaptureTime | undefined> {
  if (opts.sidecar?.takenTime) return { time: opts.sidecar.takenTime, source: "sidecar" };
  const exif = opts.exif ? await opts.exif() : undefined;
  if (exif) return { time: exif, source: "exif" };
  const fromName = dateFromFileName(name);
  if (fromName) return { time: fromName, source: "filename" };
  if (opts.folderYear !== undefined) {
    return { time: new Date(Date.UTC(opts.folderYear, 0, 1)), source: "folder" };
  }
  if (opts.entryTime && !Number.isNaN(opts.entryTime.getTime())) {
    return { time: opts.entryTime, source: "entry" };
  }
  return undefined;
}
