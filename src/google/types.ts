/** Shapes of Google's Library and Picker APIs, as they arrive on the wire. */

/** `mediaMetadata.photo` of the Library API. */
export interface PhotoMetadata {
  cameraMake?: string;
  cameraModel?: string;
  focalLength?: number;
  apertureFNumber?: number;
  isoEquivalent?: number;
  exposureTime?: string;
}

/** Processing state of a video. */
export type VideoStatus = "UNSPECIFIED" | "PROCESSING" | "READY" | "FAILED";

/** `mediaMetadata.video` of the Library API. */
export interface VideoMetadata {
  cameraMake?: string;
  cameraModel?: string;
  fps?: number;
  status?: VideoStatus;
}

/** `mediaMetadata` of a Library API media item; width and height are strings on the wire. */
export interface MediaMetadata {
  creationTime?: string;
  width?: string;
  height?: string;
  photo?: PhotoMetadata;
  video?: VideoMetadata;
}

/** A Library API media item. */
export interface MediaItem {
  id: string;
  description?: string;
  productUrl?: string;
  baseUrl?: string;
  mimeType?: string;
  mediaMetadata?: MediaMetadata;
  filename?: string;
}

/** A page of `mediaItems.list` or `mediaItems:search`; the list key may be absent. */
export interface MediaItemsPage {
  mediaItems?: MediaItem[];
  nextPageToken?: string;
}

/** `google.rpc.Status` (the canonical code name is only in error bodies, not here). */
export interface RpcStatus {
  code: number;
  message: string;
  details?: unknown[];
}

/** One entry of `mediaItems:batchGet`. */
export interface MediaItemResult {
  mediaItem?: MediaItem;
  status?: RpcStatus;
}

/** A Library API album; `mediaItemsCount` is a string on the wire. */
export interface Album {
  id: string;
  title?: string;
  productUrl?: string;
  isWriteable?: boolean;
  mediaItemsCount?: string;
  coverPhotoBaseUrl?: string;
  coverPhotoMediaItemId?: string;
  shareInfo?: {
    shareableUrl?: string;
    shareToken?: string;
    isJoined?: boolean;
    isOwned?: boolean;
    isJoinable?: boolean;
  };
}

/** A page of `albums.list` (`albums`) or `sharedAlbums.list` (`sharedAlbums`). */
export interface AlbumsPage {
  albums?: Album[];
  sharedAlbums?: Album[];
  nextPageToken?: string;
}

/** A calendar date of a search filter; zeros mean "any". */
export interface FilterDate {
  year: number;
  month: number;
  day: number;
}

/** `SearchMediaItemsRequest.filters`. */
export interface SearchFilters {
  dateFilter?: {
    dates?: FilterDate[];
    ranges?: { startDate: FilterDate; endDate: FilterDate }[];
  };
  contentFilter?: {
    includedContentCategories?: string[];
    excludedContentCategories?: string[];
  };
  mediaTypeFilter?: { mediaTypes: ("ALL_MEDIA" | "VIDEO" | "PHOTO")[] };
  featureFilter?: { includedFeatures: ("NONE" | "FAVORITES")[] };
  includeArchivedMedia?: boolean;
  excludeNonAppCreatedData?: boolean;
}

/** Body of `mediaItems:search`. */
export interface SearchRequest {
  albumId?: string;
  pageSize?: number;
  pageToken?: string;
  filters?: SearchFilters;
  orderBy?: string;
}

/** A Picker API session. */
export interface PickingSession {
  id: string;
  pickerUri: string;
  pollingConfig?: { pollInterval?: string; timeoutIn?: string };
  expireTime?: string;
  pickingConfig?: { maxItemCount?: string };
  mediaItemsSet?: boolean;
}

/** `photoMetadata` of the Picker API: the camera fields sit one level up, on the file. */
export interface PickerPhotoMetadata {
  focalLength?: number;
  apertureFNumber?: number;
  isoEquivalent?: number;
  exposureTime?: string;
}

/** A Picker API media item; width and height are numbers here. */
export interface PickedMediaItem {
  id: string;
  createTime?: string;
  type?: "TYPE_UNSPECIFIED" | "PHOTO" | "VIDEO";
  mediaFile?: {
    baseUrl?: string;
    mimeType?: string;
    filename?: string;
    mediaFileMetadata?: {
      width?: number;
      height?: number;
      cameraMake?: string;
      cameraModel?: string;
      photoMetadata?: PickerPhotoMetadata;
      videoMetadata?: { fps?: number; processingStatus?: VideoStatus };
    };
  };
}

/** A page of the Picker's `mediaItems.list`. */
export interface PickedMediaItemsPage {
  mediaItems?: PickedMediaItem[];
  nextPageToken?: string;
}

/** What the token endpoint answers. */
export interface TokenResponse {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  token_type?: string;
  id_token?: string;
}

/** OAuth scopes the tool asks for. */
export const SCOPES = {
  library: "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata",
  picker: "https://www.googleapis.com/auth/photospicker.mediaitems.readonly",
} as const;
