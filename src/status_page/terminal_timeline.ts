/** `status --timeline`: the timeline in a terminal, one line per year. */
import { type Timeline, UNDATED } from "./timeline.ts";

const BLOCKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
// Eight steps that read as rising in plain ASCII too.
const ASCII = [".", ":", "-", "=", "+", "*", "#", "@"];

/** Whether the terminal takes UTF-8, from the locale (LC_ALL over LC_CTYPE over LANG). */
export function isUtf8Locale(env: Record<string, string | undefined>): boolean {
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((v) => v !== undefined && v !== "");
  return locale !== undefined && /utf-?8/i.test(locale);
}

/**
 * Lines of the timeline: a header of month letters, then per year twelve characters scaled to the
 * busiest month (gaps `·`, or `_` in ASCII; months outside the range blank) and the year's count.
 */
export function timelineLines(timeline: Timeline, opts: { utf8: boolean }): string[] {
  const steps = opts.utf8 ? BLOCKS : ASCII;
  const gap = opts.utf8 ? "·" : "_";
  const dated = timeline.columns.filter((c) => c.key !== UNDATED);
  const undated = timeline.columns.find((c) => c.key === UNDATED);
  if (!dated.length && !undated) return ["timeline: no items"];
  const lines = [`timeline (${steps[steps.length - 1]} = ${timeline.max} items in a month):`];
  if (dated.length) lines.push(`       JFMAMJJASOND`);
  const years = new Map<string, string[]>();
  const totals = new Map<string, number>();
  for (const col of dated) {
    const year = col.key.slice(0, 4);
    if (!years.has(year)) years.set(year, Array(12).fill(" "));
    const month = Number(col.key.slice(5, 7)) - 1;
    years.get(year)![month] = col.total === 0 ? gap : steps[level(col.total, timeline.max)];
    totals.set(year, (totals.get(year) ?? 0) + col.total);
  }
  for (const [year, cells] of years) {
    lines.push(`  ${year} ${cells.join("")}  ${totals.get(year)}`);
  }
  if (undated) lines.push(`  undated: ${undated.total}`);
  return lines;
}

/** The step (0..7) of a month's count against the busiest month; any item shows at least 0. */
function level(count: number, max: number): number {
  return Math.max(0, Math.min(7, Math.ceil((count / max) * 8) - 1));
}
