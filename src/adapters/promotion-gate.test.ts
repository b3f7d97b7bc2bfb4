import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type EvalReport, evalReportSchema, promotionGate } from './promotion-gate.ts';

const iv = (value: number, low = value - 0.05, high = value + 0.05) => ({ value, low, high, n: 20 });
function report(f1New: number, lowNew: number, highNew: number, generalNew = iv(0.5)): EvalReport {
  const sys = (label: string, model: string, f1: number, general = iv(0.5)) => ({
    label,
    strategy: 'lora',
    model,
    quality: { f1: iv(f1), em: iv(f1) },
    general_f1: general,
  });
  return {
    lorag_eval: 1,
    systems: [sys('lora(legal@1)', 'legal@1', 0.6), sys('lora(legal@2)', 'legal@2', 0.6 + f1New, generalNew)],
    comparisons: [
      {
        system: 'lora(legal@2)',
        against: 'lora(legal@1)',
        metric: 'f1',
        delta: f1New,
        low: lowNew,
        high: highNew,
        measurable: lowNew > 0 || highNew < 0,
      },
    ],
  } as EvalReport;
}
const gates = { f1: { max_drop: 0 }, general_f1: { max_drop: 0 } };

test('a better or not measurably different version passes', () => {
  assert.equal(promotionGate(report(0.1, 0.02, 0.18), 'legal@2', ['legal@1'], gates).ok, true);
  const same = promotionGate(report(-0.02, -0.08, 0.04), 'legal@2', ['legal@1'], gates);
  assert.equal(same.ok, true, same.reasons.join());
  assert.match(same.checked.join(), /lora\(legal@2\) vs lora\(legal@1\) f1 -0.020/);
});

test('measurably worse on f1 is refused and says which; a tolerated drop passes', () => {
  const r = promotionGate(report(-0.2, -0.3, -0.1), 'legal@2', ['legal@1'], gates);
  assert.equal(r.ok, false);
  assert.match(r.reasons.join(), /measurably worse than lora\(legal@1\) on f1: -0.200/);
  assert.equal(promotionGate(report(-0.2, -0.3, -0.1), 'legal@2', ['legal@1'], { f1: { max_drop: 0.25 } }).ok, true);
});

test('forgetting (general_f1 intervals apart) is refused', () => {
  const r = promotionGate(report(0.1, 0.02, 0.18, iv(0.2)), 'legal@2', ['legal@1'], gates);
  assert.match(r.reasons.join(), /general_f1/);
});

test('a report without the versions cannot let anything through', () => {
  assert.match(
    promotionGate(report(0.1, 0.02, 0.18), 'legal@3', ['legal@1'], gates).reasons.join(),
    /no system for legal@3/,
  );
  assert.match(
    promotionGate(report(0.1, 0.02, 0.18), 'legal@2', ['legal@7'], gates).reasons.join(),
    /no system for legal@7/,
  );
});

test("lorag eval's example report (docs/eval-example/report.json) parses with the gate's schema", () => {
  const file = new URL('../../docs/eval-example/report.json', import.meta.url);
  const report = evalReportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  assert.ok(report.systems.some((s) => s.model === 'legal@1'));
  // Not comparable with a version it does not contain: refused, not waved through.
  assert.equal(promotionGate(report, 'legal@2', ['legal@1'], gates).ok, false);
});
