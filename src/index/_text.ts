/**
 * Text as it enters SQLite, private to `src/index/`. `node:sqlite` cuts a bound string at its
 * first NUL, so "a\0b" would be stored as "a", and a hostile id "x\0y" as "x", another item's id.
 * Every value bound by `Sql` goes through `bindable`; ids are checked before, with `isStorableId`.
 */
import type { SQLInputValue } from "node:sqlite";

/** A bound value with each NUL of its text replaced by "_", as file names are made. */
export function bindable(value: SQLInputValue): SQLInputValue {
  return typeof value === "string" && value.includes("\0") ? value.replaceAll("\0", "_") : value;
}

/** The values of a statement call, named ones included, each made `bindable`. */
export function bindableAll(params: unknown[]): SQLInputValue[] {
  return params.map((p) => {
    if (p === null || typeof p !== "object" || ArrayBuffer.isView(p)) {
      return bindable(p as SQLInputValue);
    }
    const named: Record<string, SQLInputValue> = {};
    for (const [k, v] of Object.entries(p)) named[k] = bindable(v as SQLInputValue);
    return named as unknown as SQLInputValue;
  });
}

/**
 * Whether a source's id can be stored. An id with a NUL is no Google id, and turning the NUL
 * into anything could make it another item's id: such a record is refused instead.
 */
export function isStorableId(id: string): boolean {
  return !id.includes("\0");
}
