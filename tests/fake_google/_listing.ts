/** Paged listings with opaque page tokens and Google's documented pagination quirks. */
import { b64urlDecode, b64urlEncode, hash32, mulberry32 } from "./_util.ts";

/** What to list: a key naming the query (same key, same listing) and how to build it. */
export interface ListingSpec<T> {
  key: string;
  build(): T[];
}

/** One page: the entries and the token of the next page, if any. */
export interface Page<T> {
  entries: T[];
  nextPageToken?: string;
}

interface Snapshot {
  key: string;
  entries: unknown[];
}

interface TokenData {
  n: number;
  o: number;
  p: number;
  s: string;
}

const MAX_SNAPSHOTS = 256;
const MAX_SNAPSHOT_ENTRIES = 2_000_000;

/** Probabilities of the quirks, per page. */
const QUIRK = { empty: 0.08, short: 0.15, repeat: 0.15, trailingToken: 0.5 } as const;

/**
 * Serves pages of listings. The first page freezes the listing into a snapshot (one O(N) build);
 * later pages index into it, so a page costs O(pageSize). A token names its snapshot, offset and
 * step; an evicted snapshot is rebuilt from the live account.
 */
export class Listings {
  #secret: string;
  #seed: number;
  #snapshots = new Map<number, Snapshot>();
  #snapshotEntries = 0;
  #nextSnapshot = 1;

  constructor(secret: string, seed: number) {
    this.#secret = secret;
    this.#seed = seed;
  }

  /** A page of `spec`, or an error message when the token is not one of this listing's. */
  page<T>(
    spec: ListingSpec<T>,
    pageSize: number,
    pageToken: string | undefined,
    quirks: boolean,
  ): Page<T> | { error: string } {
    const sig = this.#signature(spec.key);
    let n: number;
    let offset = 0;
    let step = 0;
    let entries: T[];
    if (pageToken) {
      const data = decodeToken(pageToken);
      if (!data || data.s !== sig) return { error: "Invalid page token." };
      const snap = this.#snapshots.get(data.n);
      if (snap && snap.key === spec.key) {
        n = data.n;
        entries = snap.entries as T[];
      } else {
        entries = spec.build();
        n = this.#store(spec.key, entries);
      }
      offset = Math.min(data.o, entries.length);
      step = data.p;
    } else {
      entries = spec.build();
      n = this.#store(spec.key, entries);
    }
    const len = entries.length;
    const token = (o: number) => encodeToken({ n, o, p: step + 1, s: sig });
    if (offset >= len) return { entries: [] };
    if (!quirks) {
      const end = Math.min(len, offset + pageSize);
      return end < len
        ? { entries: entries.slice(offset, end), nextPageToken: token(end) }
        : { entries: entries.slice(offset, end) };
    }
    // Decisions depend on the snapshot, offset and step (all in the token), so a retried page is
    // identical while each new listing gets its own quirks.
    // The key, not the signature: the same seed gives the same quirks in every process.
    const r = mulberry32(hash32(`${spec.key}:${n}:${offset}:${step}`, this.#seed));
    if (r() < QUIRK.empty) return { entries: [], nextPageToken: token(offset) };
    const start = offset > 0 && r() < QUIRK.repeat ? offset - 1 : offset;
    const count = pageSize > 1 && r() < QUIRK.short
      ? 1 + Math.floor(r() * (pageSize - 1))
      : pageSize;
    const end = Math.min(len, Math.max(start + count, offset + 1));
    const page = entries.slice(start, end);
    if (end < len || r() < QUIRK.trailingToken) return { entries: page, nextPageToken: token(end) };
    return { entries: page };
  }

  #signature(key: string): string {
    return hash32(key, hash32(this.#secret)).toString(36);
  }

  #store(key: string, entries: unknown[]): number {
    const n = this.#nextSnapshot++;
    this.#snapshots.set(n, { key, entries });
    this.#snapshotEntries += entries.length;
    for (const [old, snap] of this.#snapshots) {
      if (
        old === n ||
        (this.#snapshots.size <= MAX_SNAPSHOTS && this.#snapshotEntries <= MAX_SNAPSHOT_ENTRIES)
      ) break;
      this.#snapshots.delete(old);
      this.#snapshotEntries -= snap.entries.length;
    }
    return n;
  }
}

function encodeToken(data: TokenData): string {
  return b64urlEncode(`gpf1.${data.n}.${data.o}.${data.p}.${data.s}`);
}

function decodeToken(token: string): TokenData | undefined {
  const text = b64urlDecode(token);
  const m = text === undefined ? null : /^gpf1\.(\d+)\.(\d+)\.(\d+)\.([0-9a-z]+)$/.exec(text);
  if (!m) return undefined;
  return { n: Number(m[1]), o: Number(m[2]), p: Number(m[3]), s: m[4] };
}
