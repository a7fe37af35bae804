/** Queries over `compare_files`, the scan cache that lets a re-run skip unchanged files. */
import { nowIso } from "./db.ts";
import { type Row, sqlOf } from "./_handle.ts";
import type { MediaIndex } from "./media_index.ts";

/** What a scan learnt about one file, as the cache keeps it. */
export interface CachedFile {
  relPath: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  captureTime: string | null;
  timeZoned: boolean;
  reader: number;
}

/** Every cached file under `root`, by relative path. */
export function loadScanCache(index: MediaIndex, root: string): Map<string, CachedFile> {
  const sql = sqlOf(index);
  const rows = sql.stmt("SELECT * FROM compare_files WHERE root = ?").all(root) as Row[];
  const map = new Map<string, CachedFile>();
  for (const r of rows) {
    map.set(r.rel_path as string, {
      relPath: r.rel_path as string,
      size: Number(r.size),
      mtimeMs: Number(r.mtime_ms),
      sha256: r.sha256 as string,
      captureTime: (r.capture_time as string | null) ?? null,
      timeZoned: Number(r.time_zoned) === 1,
      reader: Number(r.reader),
    });
  }
  return map;
}

/** Stores (or replaces) files read by a scan, in one transaction. */
export function saveScanCache(index: MediaIndex, root: string, files: CachedFile[]): void {
  if (files.length === 0) return;
  const sql = sqlOf(index);
  const now = nowIso();
  sql.transaction(() => {
    const insert = sql.stmt(
      `INSERT INTO compare_files (root, rel_path, size, mtime_ms, sha256, capture_time, time_zoned,
         reader, scanned_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (root, rel_path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
         sha256 = excluded.sha256, capture_time = excluded.capture_time,
         time_zoned = excluded.time_zoned, reader = excluded.reader, scanned_at = excluded.scanned_at`,
    );
    for (const f of files) {
      insert.run(
        root,
        f.relPath,
        f.size,
        f.mtimeMs,
        f.sha256,
        f.captureTime,
        f.timeZoned ? 1 : 0,
        f.reader,
        now,
      );
    }
  });
}

/** Forgets cached files that a complete scan of `root` no longer found. */
export function dropScanCache(index: MediaIndex, root: string, relPaths: Iterable<string>): void {
  const sql = sqlOf(index);
  sql.transaction(() => {
    const del = sql.stmt("DELETE FROM compare_files WHERE root = ? AND rel_path = ?");
    for (const p of relPaths) del.run(root, p);
  });
}
