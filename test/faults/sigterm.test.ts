/**
 * Fault: SIGTERM to `lorag serve` under load (grace 1.5 s). Requests under way finish within the grace;
 * streams longer than it end with an SSE error event and `[DONE]`; requests after the signal are refused
 * (503 envelope, or the connection refused once the listener is closed). The process exits by itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closedLoop, faultSuite, newTally, record, total, until } from './outcomes.ts';
import { type FaultStand, startFaultStand } from './stand.ts';

describe('fault: SIGTERM under load', faultSuite, () => {
  let stand: FaultStand;
  before(async () => {
    stand = await startFaultStand({
      name: 'sigterm',
      sims: [['--max-num-seqs', '1000', '--itl-ms', '20', '--output-tokens', '400']],
      config: { server: { shutdown_grace_ms: 1500 } },
    });
  });
  after(() => stand.close());

  const tally = newTally();

  test('SIGTERM under load: in-flight work finishes or ends with an error event; the process exits; 0 hung', async () => {
    const exited = () => stand.gateway.proc.child.exitCode !== null || stand.gateway.proc.child.signalCode !== null;
    let signalled = false;
    let signalledAt = 0;
    let refused = 0;
    const load = closedLoop(
      10,
      tally,
      async (n) => {
        // Every fifth request is a stream of ~4 s (200 tokens at 20 ms), longer than the grace.
        const long = n % 5 === 0;
        const sentAt = Date.now();
        const seen = await stand.chat(n % 2 ? 'legal' : 'hr', n, {
          stream: long || n % 2 === 0,
          maxTokens: long ? 200 : 10,
        });
        if (seen.outcome === 'clean_error' && !seen.detail.startsWith('sse')) refused++;
        if (seen.outcome === 'unclean') {
          const kind = long ? 'long stream' : n % 2 === 0 ? 'stream' : 'json';
          seen.detail += ` (${kind}, sent ${signalledAt ? sentAt - signalledAt : 'before'} ms after SIGTERM, ended ${Date.now() - signalledAt} ms after)`;
        }
        return seen;
      },
      // After the signal a client keeps going until it is refused (as a load balancer's would), or the end.
      () => signalled && (exited() || refused >= 10),
    );
    await until(() => total(tally) >= 60, '60 requests before the signal');
    stand.gateway.proc.child.kill('SIGTERM');
    signalled = true;
    signalledAt = Date.now();
    await until(exited, 'the gateway to exit after SIGTERM');
    await load;
    record('SIGTERM under load (grace 1.5 s, streams of 4 s)', tally, `${total(tally)} requests, 10 clients`);
    assert.equal(stand.gateway.proc.child.exitCode, 0);
    assert.equal(tally.hung, 0);
    // The long streams were cut at the end of the grace, each with the gateway's error event.
    assert.ok(
      Object.keys(tally.cleanCodes).some((c) => c.startsWith('sse')),
      JSON.stringify(tally.cleanCodes),
    );
  });

  // Known: a JSON answer still under way at the end of the grace is cut with its socket instead of getting a 503
  // envelope. The keep-alive races are fixed: an answer computed during the drain says `connection: close`
  // (test/hostile/drain-keepalive.test.ts), and a socket that became idle during the drain (a stream's, whose
  // headers went out before it) lingers 300 ms, so a request already on its way gets the 503 envelope instead of
  // "other side closed" (seen once in 83 in a CI run before that). Kept a todo until the first case is handled.
  test('SIGTERM under load: 0 unclean', { todo: 'a JSON answer cut at the end of the grace (see above)' }, () => {
    assert.equal(tally.unclean, 0, JSON.stringify(tally.problems));
  });
});
