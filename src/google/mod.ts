/** The Google client layer: client secret, OAuth, pacer, HTTP and the Library API. */
export {
  CLIENT_SECRET_FILE,
  type ClientSecret,
  configDir,
  findClientSecret,
  type FindClientSecretOptions,
  parseClientSecret,
} from "./client_secret.ts";
export {
  deleteToken,
  readToken,
  type StoredToken,
  TOKEN_FILE,
  tokenPath,
  writeToken,
} from "./token_store.ts";
export {
  login,
  type LoginOptions,
  type LoginResult,
  REQUESTED_SCOPES,
  splitScopes,
  TokenProvider,
  type TokenProviderOptions,
} from "./auth.ts";
export {
  type CallKind,
  type Classify,
  classifyError,
  HttpStatusError,
  NetworkError,
  Pacer,
  type PacerOptions,
  parseRetryAfter,
  RETRY_STATUSES,
  type RetryDecision,
  type RetryInfo,
  type Tally,
} from "./pacer.ts";
export {
  errorFromResponse,
  GoogleHttp,
  type GoogleHttpOptions,
  type MediaOptions,
  SCOPE_HINT,
  type TokenSource,
} from "./http.ts";
export {
  ALBUM_PAGE_SIZE,
  BATCH_GET_MAX,
  LibraryApi,
  type LibraryApiOptions,
  type ListingKind,
  MEDIA_PAGE_SIZE,
  type RawPage,
  uniquePages,
} from "./library_api.ts";
export * from "./types.ts";
