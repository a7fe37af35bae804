/**
 * `--xmp`: an XMP sidecar (`<file>.xmp`) carrying the capture time, GPS and description from
 * Google's JSON, for photo managers (darktable, digiKam, Lightroom) that read sidecars. The media
 * file itself is never modified.
 */
import { writeAtomic } from "../../files/write_atomic.ts";

/** What an XMP sidecar records. */
export interface XmpFields {
  captureTime?: Date;
  latitude?: number;
  longitude?: number;
  altitude?: number;
  description?: string;
  favourite?: boolean;
  people?: string[];
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // deno-lint-ignore no-control-regex -- XML 1.0 cannot carry these characters at all
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

/** XMP's GPS coordinate form: `DDD,MM.mmmmmmR`. */
export function xmpCoordinate(value: number, axis: "latitude" | "longitude"): string {
  const ref = axis === "latitude" ? (value < 0 ? "S" : "N") : (value < 0 ? "W" : "E");
  const abs = Math.abs(value);
  const deg = Math.floor(abs);
  const minutes = (abs - deg) * 60;
  return `${deg},${minutes.toFixed(6)}${ref}`;
}

/** The XMP packet for `fields`. */
export function xmpSidecar(fields: XmpFields): string {
  const attrs: string[] = [];
  if (fields.captureTime && !Number.isNaN(fields.captureTime.getTime())) {
    const iso = fields.captureTime.toISOString().replace(".000Z", "Z");
    attrs.push(`exif:DateTimeOriginal="${iso}"`);
    attrs.push(`xmp:CreateDate="${iso}"`);
    attrs.push(`photoshop:DateCreated="${iso}"`);
  }
  if (fields.latitude !== undefined && fields.longitude !== undefined) {
    attrs.push(`exif:GPSVersionID="2.3.0.0"`);
    attrs.push(`exif:GPSLatitude="${xmpCoordinate(fields.latitude, "latitude")}"`);
    attrs.push(`exif:GPSLongitude="${xmpCoordinate(fields.longitude, "longitude")}"`);
    if (fields.altitude !== undefined) {
      const alt = Math.abs(fields.altitude);
      attrs.push(`exif:GPSAltitude="${Math.round(alt * 1000)}/1000"`);
      attrs.push(`exif:GPSAltitudeRef="${fields.altitude < 0 ? 1 : 0}"`);
    }
  }
  if (fields.favourite) attrs.push(`xmp:Rating="5"`);
  const children: string[] = [];
  if (fields.description) {
    children.push(
      `   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${
        escapeXml(fields.description)
      }</rdf:li></rdf:Alt></dc:description>`,
    );
  }
  if (fields.people && fields.people.length > 0) {
    const items = fields.people.map((p) => `<rdf:li>${escapeXml(p)}</rdf:li>`).join("");
    children.push(`   <dc:subject><rdf:Bag>${items}</rdf:Bag></dc:subject>`);
  }
  const head = [
    `  <rdf:Description rdf:about=""`,
    `    xmlns:exif="http://ns.adobe.com/exif/1.0/"`,
    `    xmlns:xmp="http://ns.adobe.com/xap/1.0/"`,
    `    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"`,
    `    xmlns:dc="http://purl.org/dc/elements/1.1/"`,
    ...attrs.map((a) => `    ${a}`),
  ].join("\n");
  const body = children.length > 0
    ? `${head}>\n${children.join("\n")}\n  </rdf:Description>`
    : `${head}/>`;
  return [
    `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>`,
    `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="gphotos-sync">`,
    ` <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`,
    body,
    ` </rdf:RDF>`,
    `</x:xmpmeta>`,
    `<?xpacket end="w"?>`,
    ``,
  ].join("\n");
}

/** Writes `TARGET/<path>.xmp` atomically, dated like the media file. */
export async function writeXmpSidecar(
  target: string,
  path: string,
  fields: XmpFields,
): Promise<void> {
  const bytes = new TextEncoder().encode(xmpSidecar(fields));
  await writeAtomic(target, `${path}.xmp`, ReadableStream.from([bytes]), {
    mtime: fields.captureTime,
  });
}
