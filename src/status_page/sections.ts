/** The page's sections below the timeline: compare, health, albums and quota, as HTML strings. */
import type { AlbumSummary, DayUse, FailureRow } from "../index/mod.ts";
import type { VerifyRecord } from "../sync/verify_record.ts";
import { esc, num, pathUrl } from "./html_text.ts";
import type { CompareSummary } from "./page_data.ts";

/** Google's documented daily quota of Library API calls per project. */
export const API_CALLS_PER_DAY = 10_000;
/** Google's documented daily quota of media-bytes (`baseUrl`) fetches per project. */
export const MEDIA_FETCHES_PER_DAY = 75_000;

/** The compare section: missing and extra files per year of the last comparison. */
export function compareSection(compare: CompareSummary | undefined): string {
  if (!compare) {
    return section(
      "compare",
      "Compare",
      `<p class="muted">No comparison yet: <code>gphotos-sync compare TARGET FOLDER</code> ` +
        `checks another backup against this one.</p>`,
    );
  }
  const rows = compare.years.map((y) =>
    `<tr><td>${esc(y.year)}</td><td class="n">${num(y.missing)}</td><td class="n">${
      num(y.extra)
    }</td></tr>`
  );
  const missing = compare.years.reduce((n, y) => n + y.missing, 0);
  const extra = compare.years.reduce((n, y) => n + y.extra, 0);
  return section(
    "compare",
    "Compare",
    `<p>Last comparison with <code>${esc(compare.folder)}</code>` +
      (compare.at ? ` (${esc(shortTime(compare.at))})` : "") +
      `: ${num(compare.matched)} files matched, <b>${num(missing)}</b> missing from the library, ` +
      `<b>${num(extra)}</b> library items not in that folder.</p>` +
      (rows.length
        ? `<table><thead><tr><th>Year</th><th>Missing</th><th>Extra</th></tr></thead>` +
          `<tbody>${rows.join("")}</tbody></table>`
        : ""),
  );
}

/** The health section: the last verify, failed items and items removed from Google. */
export function healthSection(
  verify: VerifyRecord | undefined,
  failures: FailureRow[],
  removed: { path: string; removedAt: string | null }[],
  opts: { rows: number; base: string },
): string {
  const parts: string[] = [];
  if (verify) {
    const bad = verify.missing + verify.changed > 0;
    parts.push(
      `<p id="verify" class="${bad ? "bad" : "good"}">Last <code>status --verify</code>: ` +
        `${esc(shortTime(verify.at))}, ${num(verify.checked)} files checked, ` +
        `${num(verify.missing)} missing, ${num(verify.changed)} changed` +
        (verify.interrupted ? " (interrupted)" : "") + `.</p>`,
    );
    const problems = [
      ...verify.missingPaths.map((p) => ["missing", p]),
      ...verify.changedPaths.map((p) => ["changed", p]),
    ];
    if (problems.length) parts.push(list(problems.map(([k, p]) => `${k} ${link(opts.base, p)}`)));
  } else {
    parts.push(
      `<p id="verify" class="muted">Files never verified: <code>gphotos-sync status TARGET ` +
        `--verify</code> re-hashes every file.</p>`,
    );
  }
  parts.push(`<h3>Failed items (${num(failures.length)})</h3>`);
  parts.push(
    failures.length
      ? table(
        ["Item", "Error", "Attempts", "Last attempt"],
        failures.slice(0, opts.rows).map((f) => [
          esc(f.path ?? f.mediaId),
          esc(f.lastError),
          num(f.attempts),
          esc(shortTime(f.lastAttemptAt)),
        ]),
      ) + more(failures.length, opts.rows)
      : `<p class="muted">None: every item that could be fetched was.</p>`,
  );
  parts.push(`<h3>Removed from Google, files kept (${num(removed.length)})</h3>`);
  parts.push(
    removed.length
      ? list(
        removed.slice(0, opts.rows).map((r) =>
          `${link(opts.base, r.path)}` +
          (r.removedAt ? ` <span class="muted">${esc(shortTime(r.removedAt))}</span>` : "")
        ),
      ) + more(removed.length, opts.rows)
      : `<p class="muted">None.</p>`,
  );
  return section("health", "Health", parts.join("\n"));
}

/** The albums section: each album's count, date and folder. */
export function albumsSection(albums: AlbumSummary[], base: string): string {
  if (!albums.length) return section("albums", "Albums", `<p class="muted">No albums.</p>`);
  return section(
    "albums",
    `Albums (${num(albums.length)})`,
    table(
      ["Album", "Items", "Date", "Folder"],
      albums.map((a) => [
        esc(a.title ?? "(untitled)") + (a.shared ? ` <span class="muted">shared</span>` : ""),
        num(a.items),
        esc(a.firstTime ? a.firstTime.slice(0, 10) : ""),
        a.folder
          ? `<a href="${esc(base + pathUrl(a.folder))}/">${esc(a.folder)}</a>`
          : `<span class="muted">not made yet</span>`,
      ]),
    ),
  );
}

/** The quota section: API calls and media fetches per day against Google's daily limits. */
export function quotaSection(days: DayUse[], fromDay: string, toDay: string): string {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const rows: string[][] = [];
  for (
    let t = Date.parse(`${fromDay}T00:00:00Z`);
    t <= Date.parse(`${toDay}T00:00:00Z`);
    t += 86_400_000
  ) {
    const day = new Date(t).toISOString().slice(0, 10);
    const d = byDay.get(day);
    if (!d) continue;
    rows.push([
      esc(day),
      num(d.runs),
      bar(d.apiCalls, API_CALLS_PER_DAY),
      bar(d.mediaFetches, MEDIA_FETCHES_PER_DAY),
    ]);
  }
  const intro = `<p>Google allows a project ${num(API_CALLS_PER_DAY)} API calls and ` +
    `${num(MEDIA_FETCHES_PER_DAY)} media fetches a day; a run that hits either limit stops ` +
    `with a 429 and the next day's run goes on. Days from ${esc(fromDay)} to ${
      esc(toDay)
    } with runs:</p>`;
  return section(
    "quota",
    "Quota",
    intro +
      (rows.length
        ? table(["Day", "Runs", "API calls", "Media fetches"], rows)
        : `<p class="muted">No runs in these days.</p>`),
  );
}

function bar(value: number, limit: number): string {
  const pct = Math.min(100, (value / limit) * 100);
  return `<div class="quota${value > limit ? " over" : ""}"><span style="width:${
    pct.toFixed(1)
  }%"></span></div> ${num(value)} <span class="muted">(${pct.toFixed(1)}%)</span>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}` +
    `</tbody></table>`;
}

function list(items: string[]): string {
  return `<ul>${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;
}

function link(base: string, path: string): string {
  return `<a href="${esc(base + pathUrl(path))}">${esc(path)}</a>`;
}

function more(total: number, shown: number): string {
  return total > shown
    ? `<p class="muted">… and ${num(total - shown)} more: <code>gphotos-sync status TARGET ` +
      `--json</code> lists them all.</p>`
    : "";
}

/** `2026-11-29 17:27 UTC` from an ISO time. */
export function shortTime(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso)
    ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
    : iso;
}
