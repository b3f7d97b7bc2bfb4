/**
 * Fault: clients that go away — mid-body (a declared body never finished, then the socket closed) and
 * mid-stream (the SDK aborts after the first chunk). The clients around them are served; the gateway logs
 * no 500 for them; an abandoned stream's generation is cancelled on the model server (no slot is leaked).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { keys } from '../helpers/stack.ts';
import { closedLoop, faultSuite, newTally, record, total, until } from './outcomes.ts';
import { type FaultStand, startFaultStand } from './stand.ts';

describe('fault: client disconnects', faultSuite, () => {
  let stand: FaultStand;
  before(async () => {
    stand = await startFaultStand({
      name: 'client-disconnect',
      // An abandoned stream asks for 1,900 tokens at 50 ms each (95 s): only a cancelled one stops sooner.
      sims: [['--max-num-seqs', '1000', '--itl-ms', '50', '--output-tokens', '2000']],
    });
  });
  after(() => stand.close());

  /** Gateway log lines that report a 500 (the request log line or the error handler's stack). */
  function fiveHundreds(): string[] {
    return readFileSync(stand.gateway.proc.logFile, 'utf8')
      .split('\n')
      .filter((l) => /"status":5\d\d|internal_error/.test(l));
  }

  /** Sends the headers and 10 of the 1000 declared body bytes, then closes the socket. */
  function abandonBody(port: number): Promise<void> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
            `authorization: Bearer ${keys.legal}\r\ncontent-length: 1000\r\n\r\n{"model":"`,
          () => setImmediate(() => socket.destroy()),
        );
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });
  }

  async function running(): Promise<number> {
    const text = await (await fetch(`${stand.sims[0].url}/metrics`)).text();
    return Number(/^vllm:num_requests_running\{[^}]*\} (\S+)/m.exec(text)?.[1] ?? -1);
  }

  test('clients disconnecting mid-body: bystanders served, no 500 logged; 0 unclean, 0 hung', async () => {
    const tally = newTally();
    let abandoned = 0;
    const bystanders = closedLoop(
      4,
      tally,
      (n) => stand.chat('hr', n, { stream: n % 2 === 0 }),
      () => abandoned >= 40,
    );
    while (abandoned < 40) {
      await Promise.all(Array.from({ length: 4 }, () => abandonBody(stand.gateway.port)));
      abandoned += 4;
      // Interleaved with the bystanders' traffic, not all before it.
      await until(() => total(tally) >= abandoned, 'bystander progress');
    }
    await bystanders;
    record('client disconnects mid-body', tally, `${total(tally)} bystander requests; ${abandoned} bodies abandoned`);
    assert.equal(tally.unclean, 0, JSON.stringify(tally.problems));
    assert.equal(tally.hung, 0);
    assert.equal(tally.clean_error, 0);
    assert.deepEqual(fiveHundreds(), []);
  });

  test('clients disconnecting mid-stream: generation cancelled upstream, bystanders served; 0 unclean, 0 hung', async () => {
    const tally = newTally();
    let aborted = 0;
    const abandonStream = async () => {
      const abort = new AbortController();
      const stream = await stand
        .client('legal')
        .chat.completions.create(
          { model: 'legal', messages: [{ role: 'user', content: 'a long answer' }], max_tokens: 1900, stream: true },
          { signal: abort.signal },
        );
      try {
        for await (const _ of stream) {
          abort.abort();
        }
      } catch {
        // the abort itself
      }
      aborted++;
    };
    const bystanders = closedLoop(
      4,
      tally,
      (n) => stand.chat('hr', n, { stream: n % 2 === 0 }),
      () => aborted >= 40,
    );
    while (aborted < 40) {
      await Promise.all(Array.from({ length: 4 }, abandonStream));
      await until(() => total(tally) >= aborted, 'bystander progress');
    }
    await bystanders;
    // Every abandoned generation stops on the model server: uncancelled, each would run for 95 s.
    await until(async () => (await running()) === 0, 'the simulator to have nothing running', 30_000);
    record('client disconnects mid-stream', tally, `${total(tally)} bystander requests; ${aborted} streams abandoned`);
    assert.equal(tally.unclean, 0, JSON.stringify(tally.problems));
    assert.equal(tally.hung, 0);
    assert.equal(tally.clean_error, 0);
    assert.deepEqual(fiveHundreds(), []);
  });
});
