import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FinishedRequest } from '../telemetry/observer.ts';
import { withFeedbackCapture } from './capture.ts';
import { createMemoryFeedbackStore } from './memory-store.ts';

const record = (over: Partial<FinishedRequest>): FinishedRequest => ({
  requestId: 'req_1',
  endpoint: 'chat',
  tenant: 'legal',
  adapter: 'legal@1',
  strategy: 'hybrid',
  cache: 'miss',
  replica: 'r0',
  status: 200,
  durationMs: 1,
  ttftMs: 1,
  usage: null,
  degraded: [],
  citations: 0,
  ...over,
});

test('successful generation requests are remembered for feedback; the inner observer still sees everything', async () => {
  const store = createMemoryFeedbackStore();
  const seen: string[] = [];
  const inner = {
    requestStarted() {},
    requestFinished: (r: FinishedRequest) => seen.push(r.requestId),
    cacheResult() {},
    rateLimited() {},
    upstreamError() {},
    retrieval() {},
  };
  const observer = withFeedbackCapture(inner, store);
  observer.requestFinished(record({}));
  observer.requestFinished(record({ requestId: 'req_err', status: 503 }));
  observer.requestFinished(record({ requestId: 'req_models', endpoint: 'models', strategy: null }));
  observer.requestFinished(record({ requestId: 'req_anon', tenant: null }));
  assert.deepEqual(seen, ['req_1', 'req_err', 'req_models', 'req_anon']);
  const served = await store.served('req_1');
  assert.deepEqual([served?.tenant, served?.adapter, served?.strategy], ['legal', 'legal@1', 'hybrid']);
  for (const id of ['req_err', 'req_models', 'req_anon']) assert.equal(await store.served(id), null);
});
