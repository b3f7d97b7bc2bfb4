/**
 * Fault: Redis (cache + limits) SIGKILLed under load and started again on the same port. Every request is
 * still served (memory fallback, `x-lorag-degraded`); none fails uncleanly or hangs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closedLoop, faultSuite, newTally, record, total, until } from './outcomes.ts';
import { type FaultStand, startFaultStand } from './stand.ts';

describe('fault: Redis killed and restarted', faultSuite, () => {
  let stand: FaultStand;
  before(async () => {
    stand = await startFaultStand({ name: 'redis', sims: [['--max-num-seqs', '1000']], redis: true });
  });
  after(() => stand.close());

  test('Redis killed and restarted under load: 0 unclean, 0 hung', async () => {
    const tally = newTally();
    let phase: 'before' | 'down' | 'after' = 'before';
    let afterCount = 0;
    const load = closedLoop(
      8,
      tally,
      async (n) => {
        const seen = await stand.chat(n % 2 ? 'legal' : 'hr', n, { stream: n % 3 === 0, cacheable: n % 4 !== 0 });
        if (phase === 'after') afterCount++;
        return seen;
      },
      () => afterCount >= 150,
    );
    await until(() => total(tally) >= 100, '100 requests before the fault');
    await stand.redis!.kill();
    phase = 'down';
    const degraded = async () => {
      const res = await stand
        .client('legal')
        .chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: 'probe' }], max_tokens: 2 })
        .withResponse();
      return res.response.headers.get('x-lorag-degraded') ?? '';
    };
    // The fault is real: the gateway notices and says so on each answer.
    await until(async () => (await degraded()) !== '', 'x-lorag-degraded on answers');
    const atKill = total(tally);
    await until(() => total(tally) >= atKill + 100, '100 requests while Redis is down');
    await stand.redis!.start();
    phase = 'after';
    await load;
    // Degraded while Redis was down, and back once it returned (the gateway reconnects on its own).
    await until(async () => (await degraded()) === '', 'the gateway to use Redis again');
    record('Redis killed + restarted under load', tally, `${total(tally)} requests, 8 clients, mixed stream/cached`);
    assert.equal(tally.unclean, 0, JSON.stringify(tally.problems));
    assert.equal(tally.hung, 0);
    assert.equal(tally.clean_error, 0, JSON.stringify(tally.cleanCodes));
  });
});
