/**
 * `--stall-after-chunks N` (fault injection): a stream stops after N steps without `[DONE]` and holds its
 * slot until the client goes away; a JSON answer is never sent. At zero inter-token time an unstalled stream
 * is written in one piece, so receiving only the first N steps shows the stall.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { parseSimArgs } from '../../src/sim/options.ts';
import { metrics, value, withSim } from './helpers.ts';

async function running(sim: { url: string }): Promise<number> {
  return value((await metrics(sim as never)).samples, 'vllm:num_requests_running') ?? -1;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

function post(url: string, body: unknown, onData: (text: string) => void) {
  const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
  let ended = false;
  req.on('response', (res) => {
    res.setEncoding('utf8');
    res.on('data', onData);
    res.on('end', () => {
      ended = true;
    });
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end(JSON.stringify(body));
  return { abort: () => req.destroy(), ended: () => ended };
}

test('the flag parses', () => {
  assert.equal(parseSimArgs(['--stall-after-chunks', '2'], {}).stallAfterChunks, 2);
});

test('a stream stalls after N steps, without [DONE], and frees its slot when the client leaves', async () => {
  await withSim({ stallAfterChunks: 2 }, async (sim) => {
    let text = '';
    const call = post(
      `${sim.url}/v1/chat/completions`,
      { model: 'tiny-base', messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: 10 },
      (d) => {
        text += d;
      },
    );
    // The role chunk and two content steps arrive; then nothing.
    await until(async () => (text.match(/^data: /gm) ?? []).length >= 3);
    assert.equal((text.match(/^data: /gm) ?? []).length, 3, text);
    assert.doesNotMatch(text, /\[DONE\]/);
    assert.equal(await running(sim), 1);
    assert.equal(call.ended(), false);
    call.abort();
    await until(async () => (await running(sim)) === 0);
  });
});

test('a JSON answer is never sent; the slot is freed when the client leaves', async () => {
  await withSim({ stallAfterChunks: 0 }, async (sim) => {
    let text = '';
    const call = post(`${sim.url}/v1/completions`, { model: 'tiny-base', prompt: 'hi', max_tokens: 4 }, (d) => {
      text += d;
    });
    await until(async () => (await running(sim)) === 1);
    assert.equal(text, '');
    call.abort();
    await until(async () => (await running(sim)) === 0);
    assert.equal(call.ended(), false);
  });
});
