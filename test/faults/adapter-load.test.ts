/**
 * Fault: an adapter whose weights the model server cannot load (its source does not exist there). A tenant
 * with `on_adapter_failure: error` gets 503 `adapter_unavailable`; one with `base` is answered by the base
 * model (`x-lorag-degraded: adapter`); every other adapter keeps working on the same replica.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, runDir } from '../helpers/processes.ts';
import { closedLoop, faultSuite, newTally, record, total } from './outcomes.ts';
import { type FaultStand, startFaultStand } from './stand.ts';

describe('fault: adapter load failures', faultSuite, () => {
  let stand: FaultStand;
  before(async () => {
    const adapters = join(runDir('faults-adapters'), 'adapters');
    for (const name of ['legal', 'hr'])
      cpSync(join(repoRoot, 'adapters', name, 'adapter.yaml'), join(adapters, name, 'adapter.yaml'));
    mkdirSync(join(adapters, 'broken'), { recursive: true });
    writeFileSync(
      join(adapters, 'broken', 'adapter.yaml'),
      [
        'name: broken',
        'description: an adapter whose weights are missing on the model server',
        'base_model: tiny-base',
        'rank: 8',
        'versions:',
        '  - version: "1"',
        '    source: /nonexistent/broken/v1',
        '',
      ].join('\n'),
    );
    stand = await startFaultStand({
      name: 'adapter-load',
      sims: [['--max-num-seqs', '1000', '--max-loras', '4']],
      config: { adapters: { dir: adapters } },
      tenants: {
        legal: { adapters: ['legal', 'broken'], on_adapter_failure: 'error' },
        hr: { adapters: ['hr', 'broken'], on_adapter_failure: 'base' },
      },
    });
  });
  after(() => stand.close());

  test('adapter load failures: 503 adapter_unavailable or the base model, never unclean; others unaffected', async () => {
    const tally = newTally();
    const broken = newTally();
    await closedLoop(
      6,
      tally,
      async (n) => {
        const tenant = n % 2 ? 'legal' : 'hr';
        if (n % 3 !== 0) return stand.chat(tenant, n, { stream: n % 5 === 0 });
        const seen = await stand.chat(tenant, n, { stream: n % 5 === 0, model: 'broken' });
        broken[seen.outcome]++;
        return seen;
      },
      () => total(tally) >= 90,
    );
    record(
      'adapter load fails (source missing on the replica)',
      tally,
      `${total(tally)} requests, 1/3 ask for the broken adapter`,
    );
    assert.equal(tally.unclean, 0, JSON.stringify(tally.problems));
    assert.equal(tally.hung, 0);
    // Only legal's requests for the broken adapter fail, each as 503 adapter_unavailable.
    assert.deepEqual(Object.keys(tally.cleanCodes), ['503 adapter_unavailable']);
    assert.equal(tally.clean_error, broken.clean_error);
    assert.equal(tally.succeeded, total(tally) - broken.clean_error);
  });
});
