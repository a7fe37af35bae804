/** Text safely placed in HTML and in an inline script. */

/** Escapes text for an HTML element or a quoted attribute. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** JSON that cannot end the `<script>` element it sits in. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(
    /\u2028|\u2029/g,
    (c) => c === "\u2028" ? "\\u2028" : "\\u2029",
  );
}

/** A relative, "/"-separated path as a URL, each segment percent-encoded. */
export function pathUrl(path: string): string {
  return path.split("/").map((s) => s === ".." || s === "." ? s : encodeURIComponent(s)).join("/");
}

/** A number with thousands separators, the same in every locale. */
export function num(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
