/** Row shapes of the index, as the rest of the program sees them. */

/** Where an item was first found. */
export type Source = "library" | "album" | "picker" | "takeout";

/** Which clue gave an item its capture time. */
export type DateSource =
  | "api"
  | "picker"
  | "sidecar"
  | "exif"
  | "filename"
  | "folder"
  | "entry"
  | "none";

/** A media item as a source describes it, before the index gives it a path. */
export interface MediaRecord {
  id: string;
  source: Source;
  originalName: string;
  mimeType?: string;
  mediaType: "photo" | "video";
  /** ISO-8601 UTC. */
  captureTime?: string;
  dateSource: DateSource;
  width?: number;
  height?: number;
  cameraMake?: string;
  cameraModel?: string;
  description?: string;
  latitude?: number;
  longitude?: number;
  altitude?: number;
  /** Undefined leaves the stored flag as it is (a plain listing cannot tell). */
  favourite?: boolean;
  archived?: boolean;
  trashed?: boolean;
  videoStatus?: string;
  productUrl?: string;
  people?: string[];
  companionOf?: string;
  companionRole?: "edited" | "live" | "motion";
  fidelity?: "api" | "picker" | "original";
}

/** A media item row. */
export interface MediaRow {
  id: string;
  source: Source;
  originalName: string;
  path: string;
  folder: string;
  dupNo: number;
  mimeType: string | null;
  mediaType: "photo" | "video";
  captureTime: string | null;
  dateSource: DateSource;
  width: number | null;
  height: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  description: string | null;
  latitude: number | null;
  longitude: number | null;
  altitude: number | null;
  favourite: boolean;
  archived: boolean;
  trashed: boolean;
  videoStatus: string | null;
  productUrl: string | null;
  people: string[] | null;
  companionOf: string | null;
  companionRole: string | null;
  fidelity: string | null;
  size: number | null;
  sha256: string | null;
  downloadedAt: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  removedAt: string | null;
}

/** An album row. */
export interface AlbumRow {
  id: string;
  title: string | null;
  shared: boolean;
  source: string;
  itemCount: number | null;
  listedTitle: string | null;
  folder: string | null;
  productUrl: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  removedAt: string | null;
}

/** A failed item. */
export interface FailureRow {
  mediaId: string;
  phase: string;
  lastError: string;
  attempts: number;
  lastAttemptAt: string;
  path: string | null;
  originalName: string | null;
}

/** An item skipped because Google says it cannot serve it. */
export interface SkippedRow {
  id: string;
  path: string;
  reason: string;
  skippedAt: string;
}

/** Options for where new items go on disk. */
export interface LayoutOptions {
  /** `photos/YYYY-MM` instead of `photos/YYYY/MM`. */
  flat?: boolean;
}
