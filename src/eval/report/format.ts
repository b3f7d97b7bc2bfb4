/** @module eval/report/format — number formatting shared by summary.md and index.html. */
import type { Interval } from '../compare.ts';

export function num(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits);
}

export function withInterval(i: Interval | null, digits = 2): string {
  if (!i || i.n === 0 || Number.isNaN(i.value)) return '–';
  return `${num(i.value, digits)} [${num(i.low, digits)}, ${num(i.high, digits)}]`;
}

export function signed(x: number, digits = 2): string {
  return x >= 0 ? `+${x.toFixed(digits)}` : x.toFixed(digits);
}
