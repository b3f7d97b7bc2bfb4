/**
 * Fault: one of two replicas stalls after the first chunk (`lorag sim --stall-after-chunks 1`: the connection
 * stays open, nothing more comes). Streams on it end with an SSE error event once the upstream idle timeout
 * passes; JSON requests time out before their first byte and are retried on the healthy replica.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closedLoop, faultSuite, newTally, record, total } from './outcomes.ts';
import { type FaultStand, startFaultStand } from './stand.ts';

describe('fault: replica stalls after the first chunk', faultSuite, () => {
  let stand: FaultStand;
  before(async () => {
    stand = await startFaultStand({
      name: 'replica-stall',
      sims: [
        ['--max-num-seqs', '1000'],
        ['--max-num-seqs', '1000', '--stall-after-chunks', '1'],
      ],
      config: { upstreams: { timeouts: { first_byte_ms: 1500, idle_ms: 1000 } } },
    });
  });
  after(() => stand.close());

  test('a replica that stalls after the first chunk: streams end with an error event; 0 unclean, 0 hung', async () => {
    const tally = newTally();
    await closedLoop(
      8,
      tally,
      (n) => stand.chat(n % 2 ? 'legal' : 'hr', n, { stream: n % 2 === 0, maxTokens: 12 }),
      () => total(tally) >= 120,
    );
    record('replica stalls after the first chunk (1 of 2)', tally, `${total(tally)} requests, 8 clients, half streams`);
    assert.equal(tally.unclean, 0, JSON.stringify(tally.problems));
    assert.equal(tally.hung, 0);
    assert.ok(tally.succeeded > 0, 'the healthy replica served nothing');
    assert.ok(tally.clean_error > 0, 'no request reached the stalled replica');
  });
});
