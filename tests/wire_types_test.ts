/**
 * The tool's wire types against the fake's, which are written from Google's references alone
 * (tests/fake_google/_wire.ts): every field the tool reads must exist on the wire under the same
 * name (a misspelt optional field would silently read `undefined`), and what Google sends must
 * fit the tool's types. Checked by the type checker; the test body only has to run.
 */
import assert from "node:assert/strict";
import type * as Tool from "../src/google/types.ts";
import { SCOPES } from "../src/google/types.ts";
import type * as Wire from "./fake_google/_wire.ts";
import { WIRE_SCOPES } from "./fake_google/_wire.ts";

/** Names of fields of `T` (at any depth) that `W` does not have; `never` when all exist. */
type Unknown<T, W> = T extends readonly (infer TE)[]
  ? W extends readonly (infer WE)[] ? Unknown<TE, WE> : "<array>"
  : T extends object ? {
      [K in keyof T]-?: K extends keyof W ? Unknown<NonNullable<T[K]>, NonNullable<W[K]>>
        : K & string;
    }[keyof T]
  : never;

/** Compiles only when no field of the tool's type is missing from Google's. */
function knownFields<_T extends never>(): boolean {
  return true;
}

/** Compiles only when what Google sends (`W`) fits the tool's type (`T`). */
function readable<T, _W extends T>(): boolean {
  return true;
}

Deno.test("the tool's Library API types use Google's field names and shapes", () => {
  assert.ok(knownFields<Unknown<Tool.MediaItem, Wire.LibraryMediaItem>>());
  assert.ok(knownFields<Unknown<Tool.MediaItemsPage, Wire.LibraryMediaItemsPage>>());
  assert.ok(knownFields<Unknown<Tool.MediaItemResult, Wire.LibraryMediaItemResult>>());
  assert.ok(knownFields<Unknown<Tool.RpcStatus, Wire.GoogleErrorStatus>>());
  assert.ok(knownFields<Unknown<Tool.Album, Wire.LibraryAlbum>>());
  assert.ok(
    knownFields<Unknown<Tool.AlbumsPage, Wire.LibraryAlbumsPage & Wire.LibrarySharedAlbumsPage>>(),
  );
  assert.ok(knownFields<Unknown<Tool.SearchRequest, Wire.LibrarySearchRequest>>());
  assert.ok(readable<Tool.MediaItem, Wire.LibraryMediaItem>());
  assert.ok(readable<Tool.MediaItemsPage, Wire.LibraryMediaItemsPage>());
  assert.ok(readable<Tool.MediaItemResult, Wire.LibraryMediaItemResult>());
  assert.ok(readable<Tool.Album, Wire.LibraryAlbum>());
  assert.ok(readable<Tool.AlbumsPage, Wire.LibraryAlbumsPage>());
  assert.ok(readable<Tool.AlbumsPage, Wire.LibrarySharedAlbumsPage>());
  // What the tool sends must be what Google reads.
  assert.ok(readable<Wire.LibrarySearchRequest, Tool.SearchRequest>());
});

Deno.test("the tool's Picker API types use Google's field names and shapes", () => {
  assert.ok(knownFields<Unknown<Tool.PickingSession, Wire.PickerSession>>());
  assert.ok(knownFields<Unknown<Tool.PickedMediaItem, Wire.PickerMediaItem>>());
  assert.ok(knownFields<Unknown<Tool.PickedMediaItemsPage, Wire.PickerMediaItemsPage>>());
  assert.ok(readable<Tool.PickingSession, Wire.PickerSession>());
  assert.ok(readable<Tool.PickedMediaItem, Wire.PickerMediaItem>());
  assert.ok(readable<Tool.PickedMediaItemsPage, Wire.PickerMediaItemsPage>());
});

Deno.test("the tool asks for the scopes Google documents", () => {
  assert.equal(SCOPES.library, WIRE_SCOPES.libraryAppCreated);
  assert.equal(SCOPES.picker, WIRE_SCOPES.pickerReadonly);
});

Deno.test("a misspelt or mistyped field does not type-check", () => {
  // @ts-expect-error `mediaItemCount` is not Google's `mediaItemsCount`.
  assert.ok(knownFields<Unknown<{ mediaItemCount?: string }, Wire.LibraryAlbum>>());
  // @ts-expect-error a nested misspelling is found too.
  assert.ok(knownFields<Unknown<{ mediaFile?: { mimetype?: string } }, Wire.PickerMediaItem>>());
  // @ts-expect-error the Library API sends width as a string.
  assert.ok(readable<{ mediaMetadata?: { width?: number } }, Wire.LibraryMediaItem>());
});
