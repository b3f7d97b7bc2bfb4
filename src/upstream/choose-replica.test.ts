import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseReplica } from './choose-replica.ts';
import { newReplicaState, type ReplicaState, reserve } from './replica-state.ts';
import type { ReplicaClient } from './vllm-client.ts';

function replica(
  id: string,
  o: {
    maxLoras?: number;
    registered?: string[];
    ours?: Record<string, number>;
    observed?: string[];
    runtime?: boolean;
  } = {},
): ReplicaState {
  const r = newReplicaState(
    id,
    'base',
    {
      url: `http://${id}`,
      preloaded: o.registered ?? [],
      runtime_lora_loading: o.runtime ?? true,
      max_loras: o.maxLoras ?? 2,
    },
    {} as ReplicaClient,
  );
  for (const [a, n] of Object.entries(o.ours ?? {})) for (let i = 0; i < n; i++) reserve(r, a);
  r.observedActive = new Set(o.observed ?? []);
  return r;
}

test('prefers the replica where the adapter is already in flight', () => {
  const a = replica('a', { ours: { x: 1, y: 1 } });
  const b = replica('b', { ours: { legal: 5 } });
  assert.equal(chooseReplica([a, b], 'legal')?.id, 'b');
});

test('never one more distinct adapter on a replica whose slots are all busy while another has room', () => {
  const full = replica('full', { ours: { x: 1, y: 1 }, registered: ['legal'] });
  const room = replica('room', { ours: { z: 20 } });
  assert.equal(chooseReplica([full, room], 'legal')?.id, 'room', 'room beats registration and load');
  // Busy per vLLM's gauge (another gateway's traffic) counts too.
  const fullElsewhere = replica('full2', { observed: ['x', 'y'], registered: ['legal'] });
  assert.equal(chooseReplica([fullElsewhere, room], 'legal')?.id, 'room');
});

test('with room on several, the one where the adapter is registered wins (no load), then the least loaded', () => {
  const a = replica('a', { ours: { base: 1 } });
  const b = replica('b', { registered: ['legal'], ours: { x: 3 } });
  const c = replica('c');
  assert.equal(chooseReplica([a, b, c], 'legal')?.id, 'b');
  assert.equal(chooseReplica([a, c], 'legal')?.id, 'c');
});

test("affinity holds only while the adapter's replica is within its slots", () => {
  // vLLM's gauge lists three adapters on a 2-slot replica (a stale series): treat it as over-full.
  const over = replica('over', { observed: ['legal', 'x', 'y'] });
  const other = replica('other');
  assert.equal(chooseReplica([over, other], 'legal')?.id, 'other');
});

test("when every replica looks full by vLLM's (stale) gauge, our own counters decide", () => {
  const a = replica('a', { observed: ['x', 'y'], ours: { x: 1, y: 1 } });
  const b = replica('b', { observed: ['z', 'w'], ours: { z: 1 } });
  assert.equal(chooseReplica([a, b], 'legal')?.id, 'b');
});

test('all full: least loaded (vLLM queues it; nothing better exists)', () => {
  const a = replica('a', { ours: { x: 3, y: 3 } });
  const b = replica('b', { ours: { z: 1, w: 1 } });
  assert.equal(chooseReplica([a, b], 'legal')?.id, 'b');
});

test('excluded, ejected and drained replicas are skipped; base requests go to the least loaded', () => {
  const a = replica('a');
  const b = replica('b', { ours: { x: 1 } });
  const c = replica('c', { ours: { x: 2 } });
  a.openUntil = Date.now() + 10_000;
  assert.equal(chooseReplica([a, b, c], null)?.id, 'b');
  b.drained = true;
  assert.equal(chooseReplica([a, b, c], null)?.id, 'c');
  assert.equal(chooseReplica([a, b, c], null, new Set(['c'])), undefined);
  a.openUntil = Date.now() - 1; // cooldown over: half-open, routable again
  assert.equal(chooseReplica([a, b, c], null)?.id, 'a');
});

test('static-only replicas serve only what they have registered', () => {
  const staticOnly = replica('static', { runtime: false, registered: ['hr'] });
  const dynamic = replica('dynamic', { ours: { x: 1, y: 1 } });
  assert.equal(chooseReplica([staticOnly, dynamic], 'hr')?.id, 'static');
  assert.equal(chooseReplica([staticOnly, dynamic], 'legal')?.id, 'dynamic');
  assert.equal(chooseReplica([staticOnly], 'legal'), undefined);
});
