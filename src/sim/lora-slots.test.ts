import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLoraSlots } from './lora-slots.ts';

test('a request for one adapter too many waits; base and running adapters do not wait behind it', async () => {
  const slots = createLoraSlots(1, 10);
  const releaseA = await slots.acquire('a');
  let bStarted = false;
  const b = slots.acquire('b').then((r) => {
    bStarted = true;
    return r;
  });
  await Promise.resolve();
  assert.equal(bStarted, false);
  assert.equal(slots.waiting, 1);
  assert.deepEqual(slots.waitingAdapters(), ['b']);
  const releaseBase = await slots.acquire(null);
  const releaseA2 = await slots.acquire('a');
  assert.equal(slots.running, 3);
  releaseA();
  assert.equal(slots.waiting, 1, 'a still has a running request');
  releaseA2();
  const releaseB = await b;
  assert.deepEqual(slots.runningAdapters(), ['b']);
  releaseB();
  releaseBase();
  assert.equal(slots.running, 0);
});

test('max_num_seqs bounds the running count; release admits the next waiter', async () => {
  const slots = createLoraSlots(4, 1);
  const first = await slots.acquire(null);
  const second = slots.acquire('x');
  assert.equal(slots.waiting, 1);
  first();
  first(); // releasing twice is harmless
  (await second)();
  assert.equal(slots.running, 0);
});

test('an aborted waiter leaves the queue and rejects; onChange sees every change', async () => {
  let changes = 0;
  const slots = createLoraSlots(1, 10, () => changes++);
  const release = await slots.acquire('a');
  const ctrl = new AbortController();
  const waiting = slots.acquire('b', ctrl.signal);
  ctrl.abort(new Error('gone'));
  await assert.rejects(waiting, /gone/);
  assert.equal(slots.waiting, 0);
  release();
  assert.equal(changes, 4);
});
