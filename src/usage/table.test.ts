import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UsageRow } from './ledger.ts';
import { formatUsageTable, parseSince, totalsByKey } from './table.ts';

const row = (
  hour: string,
  tenant: string,
  adapter: string,
  key: string,
  requests: number,
  p: number,
  c: number,
): UsageRow => ({
  hour,
  tenant,
  adapter,
  key,
  requests,
  prompt_tokens: p,
  completion_tokens: c,
  total_tokens: p + c,
});
const rows = [
  row('2025-01-01T10:00:00.000Z', 'acme', 'legal@3', 'ci', 2, 100, 20),
  row('2025-01-01T11:00:00.000Z', 'acme', 'legal@3', 'ci', 1, 50, 10),
  row('2025-01-01T11:00:00.000Z', 'globex', 'base', 'web', 4, 400, 80),
];

test('totals sum over hours per tenant/adapter/key, largest first', () => {
  const t = totalsByKey(rows);
  assert.deepEqual(
    t.map((r) => [r.tenant, r.requests, r.total_tokens]),
    [
      ['globex', 4, 480],
      ['acme', 3, 180],
    ],
  );
});

test('the table has aligned columns and a total line', () => {
  const text = formatUsageTable(rows, { hourly: false });
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0], /^TENANT\s+ADAPTER\s+KEY\s+REQUESTS\s+PROMPT\s+COMPLETION\s+TOTAL$/);
  assert.match(lines[2], /^globex\s+base\s+web\s+4\s+400\s+80\s+480$/);
  assert.match(lines.at(-1)!, /^total\s+7\s+550\s+110\s+660$/);
  assert.equal(new Set(lines.slice(0, -1).map((l) => l.length)).size <= 2, true);
  assert.match(formatUsageTable(rows, { hourly: true }), /2025-01-01 11:00\s+globex/);
  assert.equal(formatUsageTable([], { hourly: false }), 'no usage recorded in this period\n');
});

test('--since takes minutes, hours or days', () => {
  assert.equal(parseSince('24h'), 86_400_000);
  assert.equal(parseSince('7d'), 7 * 86_400_000);
  assert.equal(parseSince('90m'), 5_400_000);
  assert.throws(() => parseSince('yesterday'), /--since/);
});
