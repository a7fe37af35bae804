/** What matching makes of one media file: its role, its sidecar and how they were paired. */
import type { TakeoutEntry } from "./part.ts";
import type { JsonFile } from "./read_takeout.ts";
import type { Sidecar } from "./metadata.ts";

/** What a media file is to its item. */
export type MediaRole = "primary" | "edited" | "live" | "motion";

/** How a media file got its metadata. */
export type MatchVia = "sidecar" | "title" | "variant" | "none";

/** One media file and its pairing. */
export interface MatchedMedia {
  /** The first entry with this path. */
  entry: TakeoutEntry;
  /** More entries with the same path (it can occur in several parts); usually none. */
  copies: TakeoutEntry[] | undefined;
  name: string;
  dir: string;
  /** The sidecar whose metadata applies: its own, or its primary's for a variant. */
  sidecar?: Sidecar;
  /** The JSON file paired with this media, or with its primary. */
  json?: JsonFile;
  via: MatchVia;
  role: MediaRole;
  /** For an edited copy or live/motion part: its primary in the same folder. */
  primary?: MatchedMedia;
  /** For a forgotten duplicate: the file whose sidecar it shares (it stays its own item). */
  twin?: MatchedMedia;
}

/** Every entry with the path of `m`, the first one first. */
export function entriesOf(m: MatchedMedia): TakeoutEntry[] {
  return m.copies ? [m.entry, ...m.copies] : [m.entry];
}
