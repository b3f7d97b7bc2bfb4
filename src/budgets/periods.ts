/**
 * @module budgets/periods — calendar periods (`day`, `week` Monday first, `month`) in an IANA time zone, with
 * Intl only. A period is named by a label (`2026-12-01`, `2026-W49`, `2026-12`) that also keys its counter,
 * so a new period starts from zero by itself; its bounds are the UTC instants of local midnight, DST included.
 */
import type { BudgetPeriod } from '../config/budgets-schema.ts';

export interface PeriodWindow {
  period: BudgetPeriod;
  label: string;
  /** First instant of the period (UTC ms), inclusive. */
  startMs: number;
  /** First instant of the next period, exclusive. */
  endMs: number;
}

interface Wall {
  y: number;
  m: number; // 1–12
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The local wall-clock time at `ms` in `tz`, as if it were UTC (ms). */
function wallAsUtc(ms: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** The UTC instant at which the local date `w` begins (00:00) in `tz`. */
export function localMidnight(w: Wall, tz: string): number {
  const guess = Date.UTC(w.y, w.m - 1, w.d);
  // offset = local − UTC; two passes settle the offset across a DST change.
  let ms = guess - (wallAsUtc(guess, tz) - guess);
  ms = guess - (wallAsUtc(ms, tz) - ms);
  return ms;
}

function wallDate(ms: number, tz: string): Wall {
  const d = new Date(wallAsUtc(ms, tz));
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

function addDays(w: Wall, days: number): Wall {
  const d = new Date(Date.UTC(w.y, w.m - 1, w.d + days));
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO 8601 week-numbering year and week of a (Monday-first) week start. */
function isoWeek(monday: Wall): { year: number; week: number } {
  const thursday = addDays(monday, 3);
  const jan1 = Date.UTC(thursday.y, 0, 1);
  const week = Math.floor((Date.UTC(thursday.y, thursday.m - 1, thursday.d) - jan1) / 86_400_000 / 7) + 1;
  return { year: thursday.y, week };
}

function windowFrom(period: BudgetPeriod, start: Wall, tz: string): PeriodWindow {
  let next: Wall;
  let label: string;
  if (period === 'day') {
    next = addDays(start, 1);
    label = `${start.y}-${pad(start.m)}-${pad(start.d)}`;
  } else if (period === 'week') {
    next = addDays(start, 7);
    const { year, week } = isoWeek(start);
    label = `${year}-W${pad(week)}`;
  } else {
    next = start.m === 12 ? { y: start.y + 1, m: 1, d: 1 } : { y: start.y, m: start.m + 1, d: 1 };
    label = `${start.y}-${pad(start.m)}`;
  }
  return { period, label, startMs: localMidnight(start, tz), endMs: localMidnight(next, tz) };
}

/** The period of kind `period` that contains the instant `ms`, in `tz`. */
export function periodAt(period: BudgetPeriod, ms: number, tz: string): PeriodWindow {
  const today = wallDate(ms, tz);
  if (period === 'day') return windowFrom('day', today, tz);
  if (period === 'month') return windowFrom('month', { y: today.y, m: today.m, d: 1 }, tz);
  const weekday = new Date(Date.UTC(today.y, today.m - 1, today.d)).getUTCDay(); // 0 = Sunday
  return windowFrom('week', addDays(today, -((weekday + 6) % 7)), tz);
}

/** Parses a label (`2026-11`, `2026-W48`, `2026-11-30`) into its period; null when it is not one. */
export function parsePeriodLabel(label: string, tz: string): PeriodWindow | null {
  let m = /^(\d{4})-(\d{2})$/.exec(label);
  if (m) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) return null;
    return windowFrom('month', { y: Number(m[1]), m: month, d: 1 }, tz);
  }
  m = /^(\d{4})-W(\d{2})$/.exec(label);
  if (m) {
    const year = Number(m[1]);
    const week = Number(m[2]);
    // The Monday of ISO week 1 is the Monday on or before 4 January.
    const jan4 = new Date(Date.UTC(year, 0, 4));
    const monday1 = addDays({ y: year, m: 1, d: 4 }, -((jan4.getUTCDay() + 6) % 7));
    const w = windowFrom('week', addDays(monday1, (week - 1) * 7), tz);
    return week >= 1 && w.label === label ? w : null;
  }
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
  if (m) {
    // addDays(…, 0) normalises an impossible date (2026-02-30 → 2026-03-02), which then fails the label check.
    const w = windowFrom('day', addDays({ y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) }, 0), tz);
    return w.label === label ? w : null;
  }
  return null;
}
