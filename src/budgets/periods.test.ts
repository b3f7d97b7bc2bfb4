import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePeriodLabel, periodAt } from './periods.ts';

const iso = (ms: number) => new Date(ms).toISOString();

test('month in UTC and in Europe/Berlin (a local midnight is 23:00 UTC the day before)', () => {
  const t = Date.parse('2026-11-30T23:30:00Z');
  const utc = periodAt('month', t, 'UTC');
  assert.deepEqual(
    [utc.label, iso(utc.startMs), iso(utc.endMs)],
    ['2026-11', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
  );
  const berlin = periodAt('month', t, 'Europe/Berlin');
  assert.deepEqual(
    [berlin.label, iso(berlin.startMs), iso(berlin.endMs)],
    ['2026-12', '2026-11-30T23:00:00.000Z', '2026-12-31T23:00:00.000Z'],
  );
});

test('a day across a DST change lasts 23 hours; ISO weeks start on Monday', () => {
  const spring = periodAt('day', Date.parse('2026-03-29T12:00:00Z'), 'Europe/Berlin');
  assert.equal(spring.label, '2026-03-29');
  assert.equal(spring.endMs - spring.startMs, 23 * 3_600_000);
  const week = periodAt('week', Date.parse('2026-12-03T10:00:00Z'), 'America/New_York');
  assert.deepEqual(
    [week.label, iso(week.startMs), iso(week.endMs)],
    ['2026-W49', '2026-11-30T05:00:00.000Z', '2026-12-07T05:00:00.000Z'],
  );
  // 1 January 2027 is a Friday: it belongs to ISO week 53 of 2026.
  assert.equal(periodAt('week', Date.parse('2027-01-01T12:00:00Z'), 'UTC').label, '2026-W53');
});

test('labels parse back to the same window; nonsense is null', () => {
  for (const period of ['day', 'week', 'month'] as const) {
    const w = periodAt(period, Date.parse('2026-07-15T08:00:00Z'), 'Asia/Kolkata');
    assert.deepEqual(parsePeriodLabel(w.label, 'Asia/Kolkata'), w);
  }
  for (const bad of ['2026-13', '2026-02-30', '2026-W54', '2026-W00', 'november', '']) {
    assert.equal(parsePeriodLabel(bad, 'UTC'), null, bad);
  }
});

test('every instant lies in its period, and consecutive periods tile time', () => {
  let t = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < 400; i++, t += 21 * 3_600_000 + 17 * 60_000) {
    for (const period of ['day', 'week', 'month'] as const) {
      const w = periodAt(period, t, 'Australia/Lord_Howe');
      assert.ok(w.startMs <= t && t < w.endMs, `${period} ${iso(t)} in [${iso(w.startMs)}, ${iso(w.endMs)})`);
      assert.equal(periodAt(period, w.endMs, 'Australia/Lord_Howe').startMs, w.endMs);
    }
  }
});
