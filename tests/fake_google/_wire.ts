/**
 * What the fake sends, typed from Google's own references and nothing of the tool's: the Library
 * API (https://developers.google.com/photos/library/reference/rest, discovery document
 * `photoslibrary/v1`) and the Picker API
 * (https://developers.google.com/photos/picker/reference/rest), as summarised in
 * /work/shared/google-api.md §1.4-1.5 and §3.2-3.4. Written apart from the tool's own types on
 * purpose: a field the tool misspells then fails against the fake instead of agreeing with it.
 */

/** OAuth scopes, as Google's authorization guides spell them. */
export const WIRE_SCOPES = {
  /** Library API read access to what this app uploaded: the only read scope since 2025-03-31. */
  libraryAppCreated: "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata",
  /** Picker API access to the items a user picked. */
  pickerReadonly: "https://www.googleapis.com/auth/photospicker.mediaitems.readonly",
} as const;

/** `VideoProcessingStatus` (Library `Video.status`, Picker `VideoMetadata.processingStatus`). */
export type VideoProcessingStatus = "UNSPECIFIED" | "PROCESSING" | "READY" | "FAILED";

// ---- Library API -------------------------------------------------------------------------------

/** Library `Photo`: every field optional; `exposureTime` a Duration (`"0.008s"`). */
export interface LibraryPhoto {
  cameraMake?: string;
  cameraModel?: string;
  focalLength?: number;
  apertureFNumber?: number;
  isoEquivalent?: number;
  exposureTime?: string;
}

/** Library `Video`. */
export interface LibraryVideo {
  cameraMake?: string;
  cameraModel?: string;
  fps?: number;
  status?: VideoProcessingStatus;
}

/** Library `MediaMetadata`: `width` and `height` are int64, so strings on the wire. */
export interface LibraryMediaMetadata {
  creationTime?: string;
  width?: string;
  height?: string;
  photo?: LibraryPhoto;
  video?: LibraryVideo;
}

/** Library `ContributorInfo` (shared albums an app made; effectively gone since 2025). */
export interface LibraryContributorInfo {
  profilePictureBaseUrl?: string;
  displayName?: string;
}

/** Library `MediaItem`. */
export interface LibraryMediaItem {
  id: string;
  description?: string;
  productUrl?: string;
  baseUrl?: string;
  mimeType?: string;
  mediaMetadata?: LibraryMediaMetadata;
  contributorInfo?: LibraryContributorInfo;
  filename?: string;
}

/** `ListMediaItemsResponse` and `SearchMediaItemsResponse`: an empty page may omit the list. */
export interface LibraryMediaItemsPage {
  mediaItems?: LibraryMediaItem[];
  nextPageToken?: string;
}

/** `google.rpc.Status`. */
export interface RpcStatus {
  code: number;
  message: string;
  details?: unknown[];
}

/** One entry of `BatchGetMediaItemsResponse.mediaItemResults`. */
export interface LibraryMediaItemResult {
  status?: RpcStatus;
  mediaItem?: LibraryMediaItem;
}

/** `BatchGetMediaItemsResponse`. */
export interface LibraryBatchGetResponse {
  mediaItemResults: LibraryMediaItemResult[];
}

/** Library `ShareInfo`. */
export interface LibraryShareInfo {
  sharedAlbumOptions?: { isCollaborative?: boolean; isCommentable?: boolean };
  shareableUrl?: string;
  shareToken?: string;
  isJoined?: boolean;
  isOwned?: boolean;
  isJoinable?: boolean;
}

/** Library `Album`: `mediaItemsCount` is int64, so a string on the wire. */
export interface LibraryAlbum {
  id: string;
  title?: string;
  productUrl?: string;
  isWriteable?: boolean;
  shareInfo?: LibraryShareInfo;
  mediaItemsCount?: string;
  coverPhotoBaseUrl?: string;
  coverPhotoMediaItemId?: string;
}

/** `ListAlbumsResponse`. */
export interface LibraryAlbumsPage {
  albums?: LibraryAlbum[];
  nextPageToken?: string;
}

/** `ListSharedAlbumsResponse`. */
export interface LibrarySharedAlbumsPage {
  sharedAlbums?: LibraryAlbum[];
  nextPageToken?: string;
}

/** Library `Date` of a date filter: zeros mean "any" (a whole month, a whole year, any year). */
export interface LibraryDate {
  year?: number;
  month?: number;
  day?: number;
}

/** Library `Filters` of `SearchMediaItemsRequest`. */
export interface LibrarySearchFilters {
  dateFilter?: {
    dates?: LibraryDate[];
    ranges?: { startDate?: LibraryDate; endDate?: LibraryDate }[];
  };
  contentFilter?: {
    includedContentCategories?: string[];
    excludedContentCategories?: string[];
  };
  mediaTypeFilter?: { mediaTypes?: ("ALL_MEDIA" | "VIDEO" | "PHOTO")[] };
  featureFilter?: { includedFeatures?: ("NONE" | "FAVORITES")[] };
  includeArchivedMedia?: boolean;
  excludeNonAppCreatedData?: boolean;
}

/** Body of `mediaItems:search`. */
export interface LibrarySearchRequest {
  albumId?: string;
  pageSize?: number;
  pageToken?: string;
  filters?: LibrarySearchFilters;
  orderBy?: string;
}

/** The `error` of an error response: a `google.rpc.Status` with its canonical code name. */
export interface GoogleErrorStatus extends RpcStatus {
  status?: string;
}

// ---- Picker API --------------------------------------------------------------------------------

/** Picker `PickingSession`; `pollingConfig` only while `mediaItemsSet` is false. */
export interface PickerSession {
  id: string;
  pickerUri: string;
  pollingConfig?: { pollInterval?: string; timeoutIn?: string };
  expireTime?: string;
  /** `maxItemCount` is int64, so a string on the wire. */
  pickingConfig?: { maxItemCount?: string };
  mediaItemsSet?: boolean;
}

/** Picker `PhotoMetadata`. */
export interface PickerPhotoMetadata {
  focalLength?: number;
  apertureFNumber?: number;
  isoEquivalent?: number;
  exposureTime?: string;
}

/** Picker `VideoMetadata`. */
export interface PickerVideoMetadata {
  fps?: number;
  processingStatus?: VideoProcessingStatus;
}

/** Picker `MediaFileMetadata`: numbers here, unlike the Library API; one of photo or video. */
export interface PickerMediaFileMetadata {
  width?: number;
  height?: number;
  cameraMake?: string;
  cameraModel?: string;
  photoMetadata?: PickerPhotoMetadata;
  videoMetadata?: PickerVideoMetadata;
}

/** Picker `MediaFile`. */
export interface PickerMediaFile {
  baseUrl?: string;
  mimeType?: string;
  filename?: string;
  mediaFileMetadata?: PickerMediaFileMetadata;
}

/** Picker `PickedMediaItem`. */
export interface PickerMediaItem {
  id: string;
  createTime?: string;
  type?: "TYPE_UNSPECIFIED" | "PHOTO" | "VIDEO";
  mediaFile?: PickerMediaFile;
}

/** Picker `ListMediaItemsResponse`. */
export interface PickerMediaItemsPage {
  mediaItems?: PickerMediaItem[];
  nextPageToken?: string;
}
