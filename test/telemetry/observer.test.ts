/**
 * The observer the routes call (http/deps.ts `Observer`): a finished request reaches the metrics and the one
 * log line; the in-flight gauge cannot go negative; content is logged only when the route passed it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observer } from '../../src/http/deps.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { createObserver, type FinishedRequest, poolEvents } from '../../src/telemetry/observer.ts';
import { startTelemetry } from '../../src/telemetry/telemetry.ts';
import type { PoolEvents } from '../../src/upstream/replica-pool.ts';

function setup(metricsOn = true) {
  const lines: string[] = [];
  const logger = createLogger({ log_level: 'info' }, { write: (s: string) => void lines.push(s) });
  const metrics = createMetrics({ metrics: metricsOn }, { defaultMetrics: false, tenants: ['legal-dept'] });
  // Compile-time check: what we build is what the routes take.
  const observer: Observer = createObserver(metrics, logger);
  return { observer, lines };
}

const record: FinishedRequest = {
  requestId: 'req-1',
  endpoint: 'chat',
  tenant: 'legal-dept',
  adapter: 'legal@3',
  strategy: 'lora',
  cache: 'miss',
  replica: 'vllm-0',
  status: 200,
  durationMs: 250,
  ttftMs: 40,
  usage: { prompt_tokens: 12, completion_tokens: 5 },
  degraded: [],
  citations: 0,
};

describe('telemetry observer', () => {
  it('turns a finished request into metrics and one log line', async () => {
    const { observer, lines } = setup();
    observer.requestStarted('legal-dept');
    observer.cacheResult('legal-dept', 'miss');
    observer.cacheResult('legal-dept', 'weird'); // not a cache result: ignored, not a new label value
    observer.requestFinished(record);
    observer.requestFinished({ ...record, requestId: 'req-2', cache: 'hit', ttftMs: 2 });
    const { body } = await observer.renderMetrics!();
    assert.match(body, /lorag_requests_in_flight\{tenant="legal-dept"\} 0/);
    assert.match(
      body,
      /lorag_request_duration_seconds_count\{tenant="legal-dept",adapter="legal@3",endpoint="chat",status="200"\} 2/,
    );
    assert.match(body, /lorag_time_to_first_token_seconds_count\{tenant="legal-dept",adapter="legal@3"\} 2/);
    assert.match(
      body,
      /lorag_tokens_total\{tenant="legal-dept",adapter="legal@3",direction="in"\} 12\n/,
      'the hit cost no tokens',
    );
    assert.match(body, /lorag_cache_requests_total\{tenant="legal-dept",result="miss"\} 1/);
    assert.doesNotMatch(body, /weird/);
    assert.equal(lines.length, 2);
    const line = JSON.parse(lines[0]);
    assert.equal(line.request_id, 'req-1');
    assert.equal(line.tokens_in, 12);
    assert.equal(line.duration_ms, 250);
    assert.equal('content' in line, false);
  });

  it('never drives the in-flight gauge below zero', async () => {
    const { observer } = setup();
    observer.requestFinished({ ...record, tenant: null, adapter: null, status: 401, usage: null, ttftMs: null });
    observer.requestFinished(record);
    const { body } = await observer.renderMetrics!();
    assert.doesNotMatch(body, /lorag_requests_in_flight\{[^}]*\} -/);
    assert.match(
      body,
      /lorag_request_duration_seconds_count\{tenant="none",adapter="none",endpoint="chat",status="401"\} 1/,
    );
  });

  it('logs content only when the route passed it (tenant opted in)', () => {
    const { observer, lines } = setup();
    observer.requestFinished({
      ...record,
      content: { request: [{ role: 'user', content: 'hello secret' }], response: 'hi' },
    });
    assert.deepEqual(JSON.parse(lines[0]).content, {
      request: [{ role: 'user', content: 'hello secret' }],
      response: 'hi',
    });
  });

  it('has no renderMetrics when metrics are off', () => {
    const { observer, lines } = setup(false);
    observer.requestFinished(record);
    assert.equal(observer.renderMetrics, undefined);
    assert.equal(lines.length, 1, 'the log line is still written');
  });

  it("turns the replica pool's events into adapter-load and health metrics", async () => {
    const metrics = createMetrics({ metrics: true }, { defaultMetrics: false });
    const events: PoolEvents = poolEvents(metrics); // compile-time check against the pool's hooks
    events.onLoad?.('vllm-0', 'legal@3', 'ok', 1.5);
    events.onLoad?.('vllm-0', 'legal@4', 'error', 0.2);
    events.onReplicaHealth?.('vllm-1', false);
    const { body } = await metrics.render();
    assert.match(body, /lorag_adapter_loads_total\{replica="vllm-0",adapter="legal@3",result="ok"\} 1/);
    assert.match(body, /lorag_adapter_loads_total\{replica="vllm-0",adapter="legal@4",result="error"\} 1/);
    assert.match(body, /lorag_replica_healthy\{replica="vllm-1"\} 0/);
  });

  it('is assembled by startTelemetry, with tracing off by default', async () => {
    const lines: string[] = [];
    const telemetry = await startTelemetry(
      { traces: false, metrics: true, log_level: 'info' },
      { defaultMetrics: false, tracing: { env: {} }, logDestination: { write: (s: string) => void lines.push(s) } },
    );
    assert.equal(telemetry.tracing.enabled, false);
    telemetry.observer.requestFinished(record);
    telemetry.poolEvents.onReplicaHealth('vllm-0', true);
    const { body } = await telemetry.observer.renderMetrics!();
    assert.match(body, /lorag_replica_healthy\{replica="vllm-0"\} 1/);
    assert.equal(lines.length, 1);
    await telemetry.shutdown();
  });
});
