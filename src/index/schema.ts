/**
 * The index schema, in one readable place. Each migration moves `PRAGMA user_version` forward by one;
 * migrations only ever append, so an old index is upgraded in place and never dropped.
 */

/** Migrations in order; entry i brings the schema from version i to i + 1. */
export const MIGRATIONS: readonly string[] = [
  // 1: media, albums, links, failures, runs.
  `
  CREATE TABLE media_items (
    id             TEXT PRIMARY KEY,          -- Google's id, or "takeout:<sha256>" for Takeout-only items
    source         TEXT NOT NULL,             -- library | album | picker | takeout: where it was first found
    original_name  TEXT NOT NULL,             -- the name as uploaded (untrusted)
    path           TEXT NOT NULL UNIQUE,      -- relative to TARGET, "/"-separated: photos/YYYY/MM/<name>
    folder         TEXT NOT NULL,             -- photos/YYYY/MM
    clash_key      TEXT NOT NULL,             -- NFC + case-folded safe name, for " (n)" numbering
    dup_no         INTEGER NOT NULL,          -- 1 for the first, n for " (n)"; never changes once given
    mime_type      TEXT,
    media_type     TEXT NOT NULL,             -- photo | video
    capture_time   TEXT,                      -- ISO-8601 UTC; NULL when no source knows it
    date_source    TEXT NOT NULL,             -- api | picker | sidecar | exif | filename | folder | entry | none
    width          INTEGER,
    height         INTEGER,
    camera_make    TEXT,
    camera_model   TEXT,
    description    TEXT,
    latitude       REAL,
    longitude      REAL,
    altitude       REAL,
    favourite      INTEGER NOT NULL DEFAULT 0,
    archived       INTEGER NOT NULL DEFAULT 0,
    trashed        INTEGER NOT NULL DEFAULT 0,
    video_status   TEXT,                      -- READY | PROCESSING | FAILED | UNSPECIFIED (videos)
    product_url    TEXT,
    people         TEXT,                      -- JSON array of names (Takeout)
    companion_of   TEXT REFERENCES media_items(id),  -- primary item of an edited copy or live-photo part
    companion_role TEXT,                      -- edited | live | motion
    fidelity       TEXT,                      -- api | picker | original: what the file on disk is
    size           INTEGER,                   -- bytes on disk, once downloaded
    sha256         TEXT,                      -- hex, once downloaded
    downloaded_at  TEXT,                      -- ISO-8601 UTC; NULL while pending
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    removed_at     TEXT,                      -- set when a complete listing no longer has it
    UNIQUE (folder, clash_key, dup_no)
  );
  CREATE INDEX media_items_pending ON media_items (downloaded_at) WHERE downloaded_at IS NULL;
  CREATE INDEX media_items_name ON media_items (original_name);
  CREATE INDEX media_items_sha256 ON media_items (sha256);
  CREATE INDEX media_items_capture ON media_items (capture_time);

  CREATE TABLE albums (
    id             TEXT PRIMARY KEY,
    title          TEXT,                      -- NULL for untitled albums
    shared         INTEGER NOT NULL DEFAULT 0,
    source         TEXT NOT NULL DEFAULT 'library',  -- library | takeout
    item_count     INTEGER,                   -- mediaItemsCount at the last listing of its items
    listed_title   TEXT,                      -- title at the last listing of its items
    folder         TEXT,                      -- albums/YYYY/MM Title, relative to TARGET, once made
    product_url    TEXT,
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    removed_at     TEXT
  );

  CREATE TABLE album_items (
    album_id  TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    media_id  TEXT NOT NULL REFERENCES media_items(id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (album_id, media_id)
  );
  CREATE INDEX album_items_media ON album_items (media_id);

  -- Every link and folder the tool made; only these are ever removed.
  CREATE TABLE album_links (
    path      TEXT PRIMARY KEY,               -- relative to TARGET
    album_id  TEXT NOT NULL,
    media_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,                  -- symlink | hardlink
    made_at   TEXT NOT NULL
  );
  CREATE INDEX album_links_album ON album_links (album_id);
  CREATE TABLE album_folders (
    path      TEXT PRIMARY KEY,               -- relative to TARGET
    album_id  TEXT NOT NULL,
    made_at   TEXT NOT NULL
  );

  CREATE TABLE failures (
    media_id        TEXT PRIMARY KEY REFERENCES media_items(id),
    phase           TEXT NOT NULL,            -- download | takeout | pick
    last_error      TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    last_attempt_at TEXT NOT NULL
  );

  CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    command       TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT,                       -- ok | partial | failed | interrupted
    listing_complete INTEGER NOT NULL DEFAULT 0,
    api_calls     INTEGER,
    media_fetches INTEGER,
    summary       TEXT                        -- JSON
  );
  `,
  // 2: compare's scan cache: a backup file whose path, size and mtime are unchanged is not read again.
  `
  CREATE TABLE compare_files (
    root          TEXT NOT NULL,              -- the compared FOLDER, absolute real path
    rel_path      TEXT NOT NULL,              -- relative to root, "/"-separated
    size          INTEGER NOT NULL,
    mtime_ms      REAL NOT NULL,              -- modification time in ms since the epoch
    sha256        TEXT NOT NULL,              -- hex
    capture_time  TEXT,                       -- ISO-8601 UTC: EXIF DateTimeOriginal or the MP4/MOV header
    time_zoned    INTEGER NOT NULL DEFAULT 0, -- 1 when the file gave its UTC offset (EXIF OffsetTime*)
    reader        INTEGER NOT NULL,           -- version of the reading code; a newer one reads again
    scanned_at    TEXT NOT NULL,
    PRIMARY KEY (root, rel_path)
  );
  `,
  // 3: transfers under way: the length the server declared, so a run killed after the last byte
  // renames the temporary file instead of fetching it again, and a resume can send If-Range.
  `
  CREATE TABLE transfers (
    media_id    TEXT PRIMARY KEY REFERENCES media_items(id),
    total       INTEGER,                      -- bytes the server declared; NULL when it did not say
    etag        TEXT,                         -- the server's ETag, for If-Range
    started_at  TEXT NOT NULL
  );
  `,
  // 4: why an item the plain library listing did not return is kept (archived, only in an album,
  // a listing that did not run completely); rewritten after every complete plain listing.
  `
  CREATE TABLE kept_items (
    media_id    TEXT PRIMARY KEY REFERENCES media_items(id),
    reason      TEXT NOT NULL,                -- for people: archived in Google | only in album "X" | ...
    decided_at  TEXT NOT NULL
  );
  `,
  // 5: items Google says it cannot serve (a video whose processing FAILED) are skipped, not failed:
  // not retried every run, only once Google's metadata of the item changes. And the digest of a
  // transfer's complete temporary file, written just before its rename, so a run killed between the
  // rename and the record can prove the file under the final name holds this item's bytes.
  `
  ALTER TABLE media_items ADD COLUMN skip_reason TEXT;   -- why Google cannot serve it; NULL otherwise
  ALTER TABLE media_items ADD COLUMN skipped_at TEXT;    -- ISO-8601 UTC, when it was skipped
  ALTER TABLE transfers ADD COLUMN done_size INTEGER;    -- bytes of the complete temporary file
  ALTER TABLE transfers ADD COLUMN done_sha256 TEXT;     -- its SHA-256, hex
  `,
  // 6: Takeout entries already imported: a later export's entry with the same path, size and
  // fingerprint is recognised from the archive's directory without reading its data.
  `
  CREATE TABLE takeout_entries (
    entry_key    TEXT NOT NULL,               -- path below the Google Photos folder, NFC
    size         INTEGER NOT NULL,            -- uncompressed bytes
    fingerprint  TEXT NOT NULL,               -- crc32:<hex> (zip directory) | mtime:<s> (tar, folder)
    media_id     TEXT NOT NULL REFERENCES media_items(id),
    PRIMARY KEY (entry_key, size, fingerprint)
  );
  CREATE INDEX takeout_entries_media ON takeout_entries (media_id);
  `,
  // 7: the byte ranges of a transfer split into parallel requests, written at their offsets in one
  // temporary file: the file's length no longer says what is in, so a killed run reads it here.
  `
  ALTER TABLE transfers ADD COLUMN ranges TEXT;          -- JSON [[start, end, pos], ...]; NULL unsplit
  `,
  // 8: what each Takeout JSON file (sidecar, album file) said, by the same key as takeout_entries:
  // a later export's unchanged JSON file is not read at all, which on a cold disk is most of a
  // re-import's time (one random read per sidecar).
  `
  CREATE TABLE takeout_json (
    entry_key    TEXT NOT NULL,               -- path below the Google Photos folder, NFC
    size         INTEGER NOT NULL,            -- uncompressed bytes
    fingerprint  TEXT NOT NULL,               -- crc32:<hex> (zip directory) | mtime:<s> (tar, folder)
    reader       INTEGER NOT NULL,            -- version of the reading code; a newer one reads again
    info         TEXT NOT NULL,               -- what the file said, as JSON in Google's own shape
    PRIMARY KEY (entry_key, size, fingerprint)
  ) WITHOUT ROWID;
  `,
];
