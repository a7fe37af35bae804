/**
 * The names Google gives sidecars (takeout-format.md §1.5): from a media name, every sidecar
 * name Google could have written for it; from a sidecar's title, the archive names it could
 * belong to. Pure functions, no folder state.
 */

const SUPPLEMENTAL = ".supplemental-metadata";
/** Google clips the sidecar stem to this many UTF-16 units (ente `maxGoogleFileNameLength`). */
const CLIP = 46;
/** Shorter clips some exports show (`X.MP.supplemental-met.json`: 42 units); longest first. */
const SHORT_CLIPS = [45, 44, 43, 42];
/** Google cuts a media file's stem to this many UTF-16 units. */
export const STEM_CUT = 47;
const COUNTER = /\((\d+)\)$/;
/** The counter Google moves to just before `.json`: `X.JPG(1).json`. */
const SIDECAR_COUNTER = /(\(\d+\))\.json$/i;

/** `name` cut at its last dot; the counter `(n)` is the last one before the extension. */
export function splitName(name: string): { base: string; counter: string; ext: string } {
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : "";
  const m = COUNTER.exec(stem);
  if (m && m.index > 0) return { base: stem.slice(0, m.index), counter: m[0], ext };
  return { base: stem, counter: "", ext };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The first `n` UTF-16 units; both ways of cutting when that splits a surrogate pair. */
function clipAt(s: string, n: number): string[] {
  if (s.length <= n) return [s];
  if (isHighSurrogate(s.charCodeAt(n - 1))) return [s.slice(0, n - 1), s.slice(0, n + 1)];
  return [s.slice(0, n)];
}

/** The first 46 UTF-16 units; both ways of cutting when that splits a surrogate pair. */
export function clip46(s: string): string[] {
  return clipAt(s, CLIP);
}

/** True when `stem` is as long as Google's cut leaves a stem: only then can a suffix be cut. */
export function wasCut(stem: string): boolean {
  return stem.length === STEM_CUT ||
    (stem.length === STEM_CUT + 1 && isHighSurrogate(stem.charCodeAt(STEM_CUT - 1)));
}

/** Sidecar names Google derives from title `t` with counter `c` (§1.5), clipped ones first. */
function* sidecarForms(t: string, c: string): Generator<string> {
  for (const x of clip46(t + SUPPLEMENTAL)) yield x + c + ".json";
  for (const x of clip46(t)) yield x + c + ".json";
  yield t + SUPPLEMENTAL + c + ".json";
  yield t + c + ".json";
}

/**
 * One tier's candidate names of `sidecarCandidates`, in order, made as they are asked for (a name
 * may come twice): most files are paired by the first name of tier 0, and matching 100,000 files
 * need not make every name of every tier.
 */
export function* tierCandidates(name: string, tier: 0 | 1 | 2): Generator<string> {
  const { base, counter, ext } = splitName(name);
  if (tier === 0) {
    yield* sidecarForms(base + ext, counter);
  } else if (tier === 1) {
    if (ext) yield* sidecarForms(base, counter);
  } else if (counter) {
    yield* sidecarForms(name, "");
    if (ext) yield* sidecarForms(base + counter, "");
  }
}

/**
 * Candidate sidecar names for a media file, in three tiers: (0) the title with its extension and
 * the counter moved before `.json`; (1) the title without extension (Google added one to the
 * file); (2) the counter left inside the stem (a literal `(n)` in the title, ente PR#12691).
 */
export function sidecarCandidates(name: string): string[][] {
  return ([0, 1, 2] as const).map((tier) => unique([...tierCandidates(name, tier)]));
}

/**
 * `.supplemental-metadata` names clipped shorter than 46 units, in the first two tiers of
 * `sidecarCandidates`. Rarer and less certain: a match needs the sidecar's title to fit.
 */
export function shortClipCandidates(name: string): string[][] {
  const { base, counter, ext } = splitName(name);
  const forms = (t: string) => {
    const out: string[] = [];
    const full = t + SUPPLEMENTAL;
    for (const n of SHORT_CLIPS) {
      // Only a clip that keeps the whole title and part of the suffix is Google's.
      if (n <= t.length || n >= full.length) continue;
      for (const x of clipAt(full, n)) out.push(x + counter + ".json");
    }
    return unique(out);
  };
  return [forms(base + ext), ext ? forms(base) : []];
}

/** The `(n)` before `.json` of a sidecar name, or "". */
export function sidecarCounter(jsonName: string): string {
  return SIDECAR_COUNTER.exec(jsonName)?.[1] ?? "";
}

export function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Characters Google replaces with `_` in archive names. */
// deno-lint-ignore no-control-regex -- control characters are replaced too
const ILLEGAL = /[/\\:*?"<>|\u0000-\u001f]/g;

/** Archive-name keys a title can produce: sanitised, stem cut to 47, extension-less forms. */
export function titleKeys(title: string): string[] {
  const san = title.normalize("NFC").replace(ILLEGAL, "_");
  const keys = [san.toLowerCase()];
  const dot = san.lastIndexOf(".");
  const stem = dot > 0 ? san.slice(0, dot) : san;
  const ext = dot > 0 ? san.slice(dot) : "";
  if (stem.length > STEM_CUT) keys.push((cut(stem, STEM_CUT) + ext).toLowerCase());
  // A title without a real extension gets one on the file only: match on the stem.
  keys.push("stem:" + (san.length > STEM_CUT ? cut(san, STEM_CUT) : san).toLowerCase());
  return unique(keys);
}

/** Cut to `n` UTF-16 units, keeping a straddling surrogate pair whole (immich-go#35). */
function cut(s: string, n: number): string {
  if (s.length <= n) return s;
  return isHighSurrogate(s.charCodeAt(n - 1)) ? s.slice(0, n + 1) : s.slice(0, n);
}

/** Keys of an archive name to look up in `titleKeys`. */
export function mediaKeys(name: string): string[] {
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return unique([name.toLowerCase(), "stem:" + stem.toLowerCase()]);
}

/** Whether a JSON title could have produced this archive name (counter ignored). */
export function titleFits(title: string | undefined, name: string): boolean {
  if (title === undefined) return false;
  const { base, ext } = splitName(name);
  const keys = titleKeys(title);
  const plain = mediaKeys(base + ext);
  return plain.some((k) => keys.includes(k)) || mediaKeys(name).some((k) => keys.includes(k));
}
