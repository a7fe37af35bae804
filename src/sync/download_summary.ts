/** What a download run reports: its summary, the items it skipped and failed, its call counts. */

/** Requests counted so far: the pacer's tally. */
export interface CallTally {
  apiCalls: number;
  mediaFetches: number;
}

/** An item left for a later run, with why. */
export interface SkippedItem {
  id: string;
  path: string;
  reason: string;
}

/** An item that could not be fetched, with the last error. */
export interface FailedItem {
  id: string;
  path: string;
  error: string;
}

/** What a download run did. */
export interface DownloadSummary {
  /** Items fetched and recorded. */
  downloaded: number;
  /** Items found complete under their final name (a killed run's) and recorded without fetching. */
  recorded: number;
  /** Items marked downloaded whose file was missing or of another size (`retryDownload`). */
  rechecked: number;
  skipped: SkippedItem[];
  failed: FailedItem[];
  /** Bytes of the files this run fetched and finished (not of cut or failed transfers). */
  bytes: number;
  /** Items queued. */
  total: number;
  /** API calls and media fetches during the engine's life (from the pacer's tally). */
  apiCalls: number;
  mediaFetches: number;
  /** The signal stopped the run before every item was tried. */
  interrupted: boolean;
}
