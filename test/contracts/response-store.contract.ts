/**
 * The ResponseStore contract: memory and Redis pass the same cases. `make(ttlMs)` returns a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { conversationAfter, type ResponseStore, type StoredResponse } from '../../src/responses/store.ts';

const record = (id: string, text = 'answer'): StoredResponse => ({
  response: { id, object: 'response', output: [{ type: 'message', role: 'assistant', content: [{ text }] }] },
  inputItems: [{ id: `msg_${id}`, type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] }],
  history: [{ id: 'msg_0', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'earlier' }] }],
});

export function responseStoreContract(name: string, make: (ttlMs: number) => Promise<ResponseStore>): void {
  test(`${name}: put then get returns the record; unknown ids are null`, async () => {
    const s = await make(60_000);
    await s.put('acme', record('resp_1'));
    assert.deepEqual(await s.get('acme', 'resp_1'), record('resp_1'));
    assert.equal(await s.get('acme', 'resp_2'), null);
    assert.deepEqual(
      conversationAfter((await s.get('acme', 'resp_1')) as StoredResponse).map((i) => i.id ?? i.type),
      ['msg_0', 'msg_resp_1', 'message'],
    );
  });

  test(`${name}: another tenant's id reads as unknown and cannot be deleted`, async () => {
    const s = await make(60_000);
    await s.put('acme', record('resp_1'));
    assert.equal(await s.get('globex', 'resp_1'), null);
    assert.equal(await s.delete('globex', 'resp_1'), false);
    assert.ok(await s.get('acme', 'resp_1'));
  });

  test(`${name}: delete removes it once`, async () => {
    const s = await make(60_000);
    await s.put('acme', record('resp_1'));
    assert.equal(await s.delete('acme', 'resp_1'), true);
    assert.equal(await s.get('acme', 'resp_1'), null);
    assert.equal(await s.delete('acme', 'resp_1'), false);
  });

  test(`${name}: records expire after the TTL`, async () => {
    const s = await make(40);
    await s.put('acme', record('resp_1'));
    await sleep(120);
    assert.equal(await s.get('acme', 'resp_1'), null);
  });

  test(`${name}: a stored record is a copy (mutating the original changes nothing)`, async () => {
    const s = await make(60_000);
    const r = record('resp_1');
    await s.put('acme', r);
    r.response.output = [];
    assert.equal((await s.get('acme', 'resp_1'))?.response.output.length, 1);
  });
}
