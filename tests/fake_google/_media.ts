/** The media host (lh3.googleusercontent.com): base URLs, `=d`, `=dv`, `=wW-hH`, Range, faults. */
import type { FakeItem } from "../fixtures/account_types.ts";
import { WIRE_SCOPES } from "./_wire.ts";
import type { CallRecord, FakeCore } from "./_core.ts";
import { b64urlDecode, b64urlEncode, delay, hash32, htmlError } from "./_util.ts";

/** Who may fetch a media URL: Library URLs work without a token, Picker URLs need one. */
export type MediaKind = "library" | "picker";

/** Mints a base URL for an item, valid for `baseUrlLifetimeS` from now. */
export function mintBaseUrl(core: FakeCore, itemId: string, kind: MediaKind = "library"): string {
  const issued = core.now();
  const k = kind === "library" ? "L" : "P";
  const mac = hash32(`${k}|${issued}|${itemId}`, hash32(core.secret)).toString(36);
  return `${core.origin}/media/${b64urlEncode(`${k}|${issued}|${mac}|${itemId}`)}`;
}

interface MediaToken {
  kind: MediaKind;
  issued: number;
  itemId: string;
}

function decodeMediaToken(core: FakeCore, token: string): MediaToken | undefined {
  const text = b64urlDecode(token);
  const m = text === undefined ? null : /^([LP])\|(\d+)\|([0-9a-z]+)\|(.*)$/s.exec(text);
  if (!m) return undefined;
  const [, k, issued, mac, itemId] = m;
  if (hash32(`${k}|${issued}|${itemId}`, hash32(core.secret)).toString(36) !== mac) {
    return undefined;
  }
  return { kind: k === "L" ? "library" : "picker", issued: Number(issued), itemId };
}

/** Bytes assembled from parts without copying them into one buffer. */
class Payload {
  readonly parts: Uint8Array[];
  readonly size: number;
  readonly mimeType: string;
  constructor(parts: Uint8Array[], mimeType: string) {
    this.parts = parts;
    this.size = parts.reduce((n, p) => n + p.length, 0);
    this.mimeType = mimeType;
  }

  /** Views of bytes [start, end) in at most `max`-byte pieces. */
  *views(start: number, end: number, max: number): Generator<Uint8Array> {
    let base = 0;
    for (const part of this.parts) {
      const from = Math.max(start, base);
      const to = Math.min(end, base + part.length);
      for (let at = from; at < to; at += max) {
        yield part.subarray(at - base, Math.min(to, at + max) - base);
      }
      base += part.length;
    }
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** What the media host answers for `=d` and `=dv` (exactly, byte for byte). */
export function servedBytes(item: FakeItem, param: "d" | "dv"): Uint8Array {
  const p = payloadFor(item, param);
  if (!p) throw new RangeError(`Item "${item.id}" has no "=${param}" variant`);
  return p.concat();
}

function isVideo(item: FakeItem): boolean {
  return item.mimeType.startsWith("video/");
}

/** The payload of a parameter, or undefined when the host has none (e.g. `=dv` on a photo). */
function payloadFor(item: FakeItem, param: string): Payload | undefined {
  if (param === "d") {
    if (isVideo(item)) {
      return new Payload([thumbnailJpeg(item, item.width, item.height)], "image/jpeg");
    }
    const bytes = item.bytes();
    return new Payload(
      [item.mimeType === "image/jpeg" ? stripJpegGps(bytes) : bytes],
      item.mimeType,
    );
  }
  if (param === "dv") {
    if (!isVideo(item)) return undefined;
    return new Payload([item.bytes(), transcodeTrailer(item)], item.mimeType);
  }
  const size = parseSizeParam(param);
  if (!size) return undefined;
  return new Payload([thumbnailJpeg(item, size.w, size.h)], "image/jpeg");
}

/** `w200-h100`, `s512`, `w640-h480-c-no`...: a box to fit a thumbnail in. */
function parseSizeParam(param: string): { w: number; h: number } | undefined {
  const opts = param.split("-");
  let w = 0;
  let h = 0;
  for (const o of opts) {
    const m = /^([whs])(\d{1,5})$/.exec(o);
    if (m) {
      const n = Number(m[2]);
      if (m[1] === "w") w = n;
      else if (m[1] === "h") h = n;
      else w = h = n;
    } else if (!/^(c|d|no|k|p|rj|rw|nu|v)$/.test(o)) return undefined;
  }
  if (w === 0 && h === 0) return undefined;
  return { w: w || h, h: h || w };
}

/**
 * A transcoded video differs from the original: Google re-encodes it. The fake appends an MP4
 * `free` box, so the result still parses as MP4 when the original does.
 */
function transcodeTrailer(item: FakeItem): Uint8Array {
  const text = new TextEncoder().encode(`gphotos-fake transcode ${item.id}`);
  const box = new Uint8Array(8 + text.length);
  new DataView(box.buffer).setUint32(0, box.length);
  box.set([0x66, 0x72, 0x65, 0x65], 4); // "free"
  box.set(text, 8);
  return box;
}

/**
 * `=d` keeps EXIF except location. The fake empties the GPS IFD in place (entries, their values
 * and the count), so the file keeps its size and stays a valid JPEG. The item's buffer is copied
 * first: generators may cache it.
 */
export function stripJpegGps(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return bytes;
  let pos = 2;
  while (pos + 4 <= bytes.length && bytes[pos] === 0xff) {
    const marker = bytes[pos + 1];
    if (marker === 0xda || marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0xff) {
      pos += marker === 0xff ? 1 : 2;
      continue;
    }
    const len = (bytes[pos + 2] << 8) | bytes[pos + 3];
    const segEnd = pos + 2 + len;
    if (len < 2 || segEnd > bytes.length) break;
    if (
      marker === 0xe1 && len >= 16 &&
      String.fromCharCode(...bytes.subarray(pos + 4, pos + 10)) === "Exif\0\0"
    ) {
      const out = bytes.slice();
      return clearGps(out, pos + 10, segEnd) ? out : bytes;
    }
    pos = segEnd;
  }
  return bytes;
}

const TYPE_SIZES: Readonly<Record<number, number>> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
};

/** Empties the GPS IFD of the TIFF structure at [tiff, end); true when something changed. */
function clearGps(buf: Uint8Array, tiff: number, end: number): boolean {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const order = String.fromCharCode(buf[tiff], buf[tiff + 1]);
  if (order !== "II" && order !== "MM") return false;
  const le = order === "II";
  const u16 = (at: number) => (at + 2 <= end ? view.getUint16(at, le) : -1);
  const u32 = (at: number) => (at + 4 <= end ? view.getUint32(at, le) : -1);
  const ifd0 = tiff + u32(tiff + 4);
  const n0 = u16(ifd0);
  if (n0 < 0) return false;
  let gps = -1;
  for (let i = 0; i < n0; i++) {
    const e = ifd0 + 2 + i * 12;
    if (u16(e) === 0x8825) gps = tiff + u32(e + 8);
  }
  const n = gps > tiff ? u16(gps) : -1;
  if (n <= 0 || gps + 2 + n * 12 > end) return false;
  for (let i = 0; i < n; i++) {
    const e = gps + 2 + i * 12;
    const size = (TYPE_SIZES[u16(e + 2)] ?? 1) * u32(e + 4);
    if (size > 4) {
      const at = tiff + u32(e + 8);
      if (at > tiff && at + size <= end) buf.fill(0, at, at + size);
    }
  }
  buf.fill(0, gps, Math.min(end, gps + 2 + n * 12 + 4));
  return true;
}

/**
 * A valid baseline grey JPEG fitting the item into a `w`×`h` box (never upscaled), with a comment
 * naming the item so thumbnails differ. Every 8×8 block codes "DC diff 0, EOB" in two bits.
 */
export function thumbnailJpeg(item: FakeItem, w: number, h: number): Uint8Array {
  const iw = Math.max(1, item.width);
  const ih = Math.max(1, item.height);
  const scale = Math.min(1, w / iw, h / ih, 2048 / iw, 2048 / ih);
  const tw = Math.max(1, Math.round(iw * scale));
  const th = Math.max(1, Math.round(ih * scale));
  const blocks = Math.ceil(tw / 8) * Math.ceil(th / 8);
  const scanBytes = Math.ceil((blocks * 2) / 8);
  const scan = new Uint8Array(scanBytes);
  const padBits = scanBytes * 8 - blocks * 2;
  if (padBits > 0) scan[scanBytes - 1] = (1 << padBits) - 1;
  const comment = new TextEncoder().encode(`gphotos-fake ${item.id} ${tw}x${th}`);
  const seg = (marker: number, body: number[] | Uint8Array) => [
    0xff,
    marker,
    (body.length + 2) >> 8,
    (body.length + 2) & 0xff,
    ...body,
  ];
  const bytes = [
    0xff,
    0xd8,
    ...seg(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...seg(0xfe, comment),
    ...seg(0xdb, [0, ...new Array(64).fill(1)]),
    ...seg(0xc0, [8, th >> 8, th & 0xff, tw >> 8, tw & 0xff, 1, 1, 0x11, 0]),
    // DC table 0 and AC table 0, each with one 1-bit code: DC category 0 and AC EOB.
    ...seg(0xc4, [0x00, 1, ...new Array(15).fill(0), 0]),
    ...seg(0xc4, [0x10, 1, ...new Array(15).fill(0), 0]),
    ...seg(0xda, [1, 1, 0x00, 0, 63, 0]),
  ];
  const out = new Uint8Array(bytes.length + scan.length + 2);
  out.set(bytes);
  out.set(scan, bytes.length);
  out.set([0xff, 0xd9], bytes.length + scan.length);
  return out;
}

/** Ends a body stream on purpose; mod.ts keeps Deno.serve from logging it. */
export class TransferCut extends Error {
  constructor() {
    super("Transfer cut by the fake");
    this.name = "TransferCut";
  }
}

/** Limits how many media bodies stream at once; the rest wait in arrival order. */
export class MediaGate {
  #active = 0;
  #queue: (() => void)[] = [];
  #core: FakeCore;
  constructor(core: FakeCore) {
    this.#core = core;
  }

  async acquire(): Promise<void> {
    const limit = this.#core.options.maxConcurrentMedia ?? Infinity;
    if (this.#active < limit) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#active--;
  }

  /** Lets every waiting request go (at close, so the server can finish). */
  drain(): void {
    for (const next of this.#queue.splice(0)) {
      this.#active++;
      next();
    }
  }
}

/** Streams that are still open, so close() can end them. */
export type OpenStreams = Set<ReadableStreamDefaultController<Uint8Array>>;

/** Answers one media request. */
export async function handleMedia(
  core: FakeCore,
  gate: MediaGate,
  open: OpenStreams,
  req: Request,
  url: URL,
): Promise<Response> {
  const rec = core.record("media", req, url);
  const range = req.headers.get("range");
  if (range) rec.range = range;
  const res = await answerMedia(core, gate, open, req, url, rec, range);
  rec.status = res.status;
  return res;
}

async function answerMedia(
  core: FakeCore,
  gate: MediaGate,
  open: OpenStreams,
  req: Request,
  url: URL,
  rec: CallRecord,
  range: string | null,
): Promise<Response> {
  await delay(core.options.latencyMs ?? 0);
  if (req.method !== "GET" && req.method !== "HEAD") {
    return htmlError(405, "Method Not Allowed", "The request method is not supported.");
  }
  let raw: string;
  try {
    raw = decodeURIComponent(url.pathname.slice("/media/".length));
  } catch {
    return htmlError(404, "Not Found", "The requested URL was not found on this server.");
  }
  const eq = raw.indexOf("=");
  const token = decodeMediaToken(core, eq < 0 ? raw : raw.slice(0, eq));
  if (!token) return htmlError(404, "Not Found", "The requested URL was not found on this server.");
  rec.itemId = token.itemId;
  if (core.counts.media > (core.options.dailyMediaQuota ?? 75000)) {
    return htmlError(429, "Too Many Requests", "Too many requests. Quota exceeded.");
  }
  if (core.roll() < (core.options.rate429 ?? 0)) {
    const headers = new Headers();
    if (core.roll() < (core.options.retryAfterShare ?? 0)) {
      headers.set("retry-after", core.options.retryAfterValue ?? "1");
    }
    return htmlError(429, "Too Many Requests", "Too many requests. Try again later.", headers);
  }
  if (core.roll() < (core.options.rate5xx ?? 0)) {
    return core.roll() < 0.5
      ? htmlError(500, "Internal Server Error", "The server encountered an error.")
      : htmlError(503, "Service Unavailable", "The service is temporarily unavailable.");
  }
  if (core.now() - token.issued >= (core.options.baseUrlLifetimeS ?? 3600) * 1000) {
    return htmlError(403, "Forbidden", "Your client does not have permission to get this URL.");
  }
  if (token.kind === "picker") {
    const bearer = core.bearerOf(req, url);
    const grant = bearer === undefined ? undefined : core.accessGrant(bearer);
    if (!grant) return htmlError(401, "Unauthorized", "Authentication is required.");
    if (!grant.scopes.has(WIRE_SCOPES.pickerReadonly)) {
      return htmlError(403, "Forbidden", "Your client does not have permission to get this URL.");
    }
  }
  const item = core.item(token.itemId);
  if (!item || (token.kind === "library" && core.mode === "2025" && !item.appCreated)) {
    return htmlError(404, "Not Found", "The requested URL was not found on this server.");
  }
  if (core.options.alwaysFail?.has(item.id)) {
    return htmlError(500, "Internal Server Error", "The server encountered an error.");
  }
  if (eq < 0) {
    return htmlError(400, "Bad Request", "The base URL needs a size or download parameter.");
  }
  const param = raw.slice(eq + 1);
  if (param === "dv" && isVideo(item) && (item.videoStatus ?? "READY") !== "READY") {
    // A video still processing (or failed) has no transcode to serve yet.
    return htmlError(404, "Not Found", "The requested video is not available.");
  }
  const payload = payloadFor(item, param);
  if (!payload) {
    return param === "dv"
      ? htmlError(404, "Not Found", "This item has no video to download.")
      : htmlError(400, "Bad Request", `Unsupported parameter "${param}".`);
  }
  const headers = new Headers({
    "content-type": payload.mimeType,
    "accept-ranges": "bytes",
    "cache-control": "private, max-age=86400, no-transform",
    "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(item.filename)}`,
    "etag": `"v${hash32(item.id).toString(36)}${payload.size}"`,
  });
  let start = 0;
  let end = payload.size;
  let status = 200;
  const r = core.options.ignoreRange ? null : parseRange(range, payload.size);
  if (core.options.ignoreRange) headers.delete("accept-ranges");
  if (r === "unsatisfiable") {
    headers.set("content-range", `bytes */${payload.size}`);
    return new Response(null, { status: 416, headers });
  }
  if (r) {
    [start, end] = r;
    status = 206;
    headers.set("content-range", `bytes ${start}-${end - 1}/${payload.size}`);
  }
  headers.set("content-length", String(end - start));
  if (req.method === "HEAD") return new Response(null, { status, headers });
  const full = param === "d" || param === "dv";
  const cut = core.roll() < (core.options.cutRate ?? 0) && end - start > 0
    ? start + Math.floor(core.roll() * (end - start))
    : undefined;
  const stall = cut === undefined && end - start > 1 && stalls(core, item.id)
    ? start + Math.max(1, Math.floor((end - start) / 2))
    : undefined;
  await gate.acquire();
  if (core.closed) {
    gate.release();
    return htmlError(503, "Service Unavailable", "The server is shutting down.");
  }
  const body = streamBody(core, payload, { start, end, cut, stall }, {
    open,
    done(sent, complete) {
      rec.bytesSent = sent;
      gate.release();
      if (complete && full && start === 0 && end === payload.size) {
        core.mediaComplete.set(item.id, (core.mediaComplete.get(item.id) ?? 0) + 1);
      }
    },
  });
  return new Response(body, { status, headers });
}

/** Whether this body stalls: planned for the item once (`stallOnce`), or by the dice (`stallRate`). */
function stalls(core: FakeCore, itemId: string): boolean {
  if (core.options.stallOnce?.delete(itemId)) return true;
  // No die is rolled without the knob, so the other faults of a seed stay where they were.
  const rate = core.options.stallRate ?? 0;
  return rate > 0 && core.roll() < rate;
}

/** `bytes=N-`, `bytes=N-M`, `bytes=-S` as [start, end); null to serve the whole body. */
function parseRange(
  header: string | null,
  size: number,
): [number, number] | "unsatisfiable" | null {
  const m = header === null ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return "unsatisfiable";
    return [Math.max(0, size - n), size];
  }
  const s = Number(m[1]);
  if (s >= size) return "unsatisfiable";
  const e = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (e < s) return null;
  return [s, e + 1];
}

interface StreamHooks {
  open: OpenStreams;
  done(sent: number, complete: boolean): void;
}

/**
 * Streams bytes [start, end) paced to the bandwidth; errors at `cut` if set; at `stall` it sends
 * nothing more and keeps the connection open (until the client cancels or the fake closes).
 */
function streamBody(
  core: FakeCore,
  payload: Payload,
  span: { start: number; end: number; cut: number | undefined; stall: number | undefined },
  hooks: StreamHooks,
): ReadableStream<Uint8Array> {
  const bw = core.options.bandwidthBytesPerSec ?? 0;
  const chunk = bw > 0 ? Math.min(65536, Math.max(1024, Math.floor(bw / 50))) : 65536;
  const stop = span.cut ?? span.stall ?? span.end;
  const views = payload.views(span.start, stop, chunk);
  let sent = 0;
  let t0 = 0;
  let finished = false;
  let self: ReadableStreamDefaultController<Uint8Array> | undefined;
  const finish = (complete: boolean) => {
    if (finished) return;
    finished = true;
    if (self) hooks.open.delete(self);
    hooks.done(sent, complete);
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      self = controller;
      hooks.open.add(controller);
      t0 = performance.now();
    },
    async pull(controller) {
      const next = views.next();
      if (next.done) {
        if (span.stall !== undefined) {
          // Hold the socket open with the body unfinished: only the client's timeout ends it.
          return new Promise<void>(() => {});
        }
        if (span.cut !== undefined) {
          // Let the bytes already queued reach the socket before the connection is dropped.
          await delay(5);
          finish(false);
          controller.error(new TransferCut());
        } else {
          finish(true);
          controller.close();
        }
        return;
      }
      const view = next.value;
      if (bw > 0) await delay(t0 + ((sent + view.length) / bw) * 1000 - performance.now());
      if (finished) return;
      sent += view.length;
      try {
        controller.enqueue(view);
      } catch {
        // close() errored the stream while this pull slept.
        finish(false);
      }
    },
    cancel() {
      finish(false);
    },
  }, { highWaterMark: 0 });
}
