/**
 * Fault: one of two replicas SIGKILLed while streams are under way on it. Streams already sending end with an
 * SSE error event (a clean error); requests not yet answered move to the other replica; nothing is cut
 * silently and nothing hangs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closedLoop, faultSuite, newTally, record, total, until } from './outcomes.ts';
import { type FaultStand, startFaultStand } from './stand.ts';

const simFlags = ['--itl-ms', '20', '--max-num-seqs', '1000'];
describe('fault: replica killed mid-stream', faultSuite, () => {
  let stand: FaultStand;
  before(async () => {
    stand = await startFaultStand({ name: 'replica-kill', sims: [simFlags, simFlags] });
  });
  after(() => stand.close());

  test('a replica killed mid-stream: open streams end with an error event, the rest is served; 0 unclean, 0 hung', async () => {
    const tally = newTally();
    let afterKill = -1;
    const load = closedLoop(
      8,
      tally,
      (n) => stand.chat(n % 2 ? 'legal' : 'hr', n, { stream: n % 4 !== 3, maxTokens: 30 }),
      () => afterKill >= 0 && total(tally) >= afterKill + 60,
    );
    await until(() => total(tally) >= 24, '24 requests before the fault');
    await stand.sims[1].proc.kill('SIGKILL');
    afterKill = total(tally);
    await load;
    record(
      'replica SIGKILLed mid-stream (1 of 2)',
      tally,
      `${total(tally)} requests, 8 clients, 3/4 streams of 30 tokens`,
    );
    assert.equal(tally.unclean, 0, JSON.stringify(tally.problems));
    assert.equal(tally.hung, 0);
    // The fault hit streams in flight: they ended with the gateway's error event, not silently.
    assert.ok(tally.clean_error > 0, 'no stream was cut by the kill');
  });
});
