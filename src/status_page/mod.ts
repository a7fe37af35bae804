/** The status page (`status --html`) and the terminal timeline (`status --timeline`). */
export { collectPageData, ITEMS_PER_MONTH } from "./page_data.ts";
export type { KnownNumbers, PageData } from "./page_data.ts";
export { renderPage } from "./page.ts";
export type { PageOptions } from "./page.ts";
export { buildTimeline } from "./timeline.ts";
export type { Timeline, TimelineColumn } from "./timeline.ts";
export { isUtf8Locale, timelineLines } from "./terminal_timeline.ts";
