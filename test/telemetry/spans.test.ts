/**
 * The span helpers under the real SDK (in-memory exporter): a fake streamed hybrid request built from the
 * helpers must give one SERVER root with one child per stage, GenAI attributes on `upstream`, a first-token
 * event, error status on a throwing stage, and a `traceparent` that continues the incoming trace.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createLogger, requestLog } from '../../src/telemetry/logger.ts';
import { extractTraceContext, injectTraceHeaders } from '../../src/telemetry/propagation.ts';
import { startRequestSpan } from '../../src/telemetry/request-span.ts';
import { currentTraceId, setLoragAttributes, stageSpan, withSpan } from '../../src/telemetry/spans.ts';
import { startUpstreamSpan } from '../../src/telemetry/upstream-span.ts';
import { type CollectedSpans, collectSpans } from './span-helpers.ts';

const INCOMING_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING_PARENT = '00f067aa0ba902b7';

/** A streamed hybrid request as the route will run it: stages in order, a stream that outlives the handler. */
async function fakeHybridRequest(seenUpstreamHeaders: Record<string, string>[]) {
  const request = startRequestSpan({
    method: 'POST',
    route: '/v1/chat/completions',
    requestId: 'req-1',
    headers: { traceparent: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01`, 'content-type': 'application/json' },
  });
  await request.run(async () => {
    await stageSpan('auth', undefined, async () => 'tenant-a');
    await stageSpan('limits', { 'lorag.tenant': 'legal-dept' }, async () => undefined);
    await stageSpan('plan', undefined, async (span) =>
      setLoragAttributes(span, { adapter: 'legal@3', strategy: 'hybrid' }),
    );
    await stageSpan('cache', undefined, async (span) => setLoragAttributes(span, { cache: 'miss' }));
    await stageSpan('embed', undefined, async () => [0.1, 0.2]);
    await stageSpan('retrieve', { 'lorag.collections': ['contracts'] }, async () => ['c1', 'c2']);
    await stageSpan('compose', undefined, async (span) => setLoragAttributes(span, { citations: 2 }));
    await stageSpan('replica_choice', undefined, async (span) => setLoragAttributes(span, { replica: 'vllm-0' }));
    await stageSpan('adapter_load', { 'lorag.adapter': 'legal@3', 'lorag.replica': 'vllm-0' }, async () => 'loaded');
  });
  // The handler has returned; the stream goes on, still under the request span.
  const upstream = request.run(() =>
    startUpstreamSpan({
      operation: 'chat',
      model: 'legal@3',
      replica: 'vllm-0',
      maxTokens: 64,
      temperature: 0,
      stream: true,
    }),
  );
  seenUpstreamHeaders.push(injectTraceHeaders({ 'content-type': 'application/json' }, upstream.context));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const ttft = upstream.firstToken();
  assert.equal(upstream.firstToken(), ttft, 'first token is recorded once');
  upstream.response({ model: 'legal@3', inputTokens: 42, outputTokens: 7, finishReasons: ['stop'] });
  upstream.end();
  setLoragAttributes(request.span, {
    tenant: 'legal-dept',
    adapter: 'legal@3',
    strategy: 'hybrid',
    cache: 'miss',
    replica: 'vllm-0',
    citations: 2,
  });
  request.finish(200);
  request.finish(500); // a second finish must not change or re-end anything
}

describe('span helpers with the trace SDK', () => {
  let spans: CollectedSpans;
  before(async () => {
    spans = await collectSpans();
  });
  after(() => spans.stop());
  beforeEach(() => spans.reset());

  it('builds the span tree of a streamed hybrid request', async () => {
    const headers: Record<string, string>[] = [];
    await fakeHybridRequest(headers);
    const root = spans.root('POST /v1/chat/completions');
    assert.deepEqual(
      spans.childNames(root),
      ['auth', 'limits', 'plan', 'cache', 'embed', 'retrieve', 'compose', 'replica_choice', 'adapter_load', 'upstream'],
      spans.render(root),
    );
    assert.equal(root.kind, SpanKind.SERVER);
    assert.equal(root.spanContext().traceId, INCOMING_TRACE, 'continues the incoming trace');
    assert.equal(root.parentSpanContext?.spanId, INCOMING_PARENT);
    assert.equal(root.attributes['http.response.status_code'], 200);
    assert.equal(root.status.code, SpanStatusCode.UNSET);
    assert.equal(root.attributes['lorag.request_id'], 'req-1');
    assert.equal(root.attributes['lorag.tenant'], 'legal-dept');
    assert.equal(root.attributes['lorag.adapter'], 'legal@3');
    assert.equal(root.attributes['lorag.strategy'], 'hybrid');
    assert.equal(root.attributes['lorag.cache'], 'miss');
    assert.equal(root.attributes['lorag.citations'], 2);
    assert.equal(spans.named('POST /v1/chat/completions').length, 1, 'ended once');

    const [upstream] = spans.named('upstream');
    assert.equal(upstream.kind, SpanKind.CLIENT);
    assert.deepEqual(
      {
        op: upstream.attributes['gen_ai.operation.name'],
        system: upstream.attributes['gen_ai.system'],
        reqModel: upstream.attributes['gen_ai.request.model'],
        resModel: upstream.attributes['gen_ai.response.model'],
        input: upstream.attributes['gen_ai.usage.input_tokens'],
        output: upstream.attributes['gen_ai.usage.output_tokens'],
        maxTokens: upstream.attributes['gen_ai.request.max_tokens'],
        temperature: upstream.attributes['gen_ai.request.temperature'],
        replica: upstream.attributes['lorag.replica'],
      },
      {
        op: 'chat',
        system: 'vllm',
        reqModel: 'legal@3',
        resModel: 'legal@3',
        input: 42,
        output: 7,
        maxTokens: 64,
        temperature: 0,
        replica: 'vllm-0',
      },
    );
    const events = upstream.events.filter((e) => e.name === 'gen_ai.first_token');
    assert.equal(events.length, 1);
    const ttft = events[0].attributes?.['gen_ai.response.time_to_first_token'];
    assert.ok(typeof ttft === 'number' && ttft > 0, `ttft ${ttft}`);

    // The header sent to vLLM names the upstream span as parent, in the incoming trace.
    assert.equal(headers[0].traceparent, `00-${INCOMING_TRACE}-${upstream.spanContext().spanId}-01`);
    assert.equal(headers[0]['content-type'], 'application/json');
  });

  it('marks a throwing stage as failed, rethrows, and keeps the error code', async () => {
    const failure = Object.assign(new Error('no such model'), { code: 'model_not_found' });
    const request = startRequestSpan({ method: 'POST', route: '/v1/chat/completions' });
    await assert.rejects(
      request.run(() => stageSpan('plan', undefined, async () => Promise.reject(failure))),
      failure,
    );
    request.finish(404);
    const [plan] = spans.named('plan');
    assert.equal(plan.status.code, SpanStatusCode.ERROR);
    assert.equal(plan.status.message, 'no such model');
    assert.equal(plan.attributes['error.type'], 'model_not_found');
    assert.equal(plan.events.filter((e) => e.name === 'exception').length, 1);
    const root = spans.root('POST /v1/chat/completions');
    assert.equal(root.status.code, SpanStatusCode.UNSET, 'a 4xx does not fail the server span');
    assert.notEqual(root.spanContext().traceId, INCOMING_TRACE, 'no traceparent: a new trace');
  });

  it('fails the server span on 5xx', async () => {
    startRequestSpan({ method: 'GET', route: '/v1/models' }).finish(503);
    const root = spans.root('GET /v1/models');
    assert.equal(root.status.code, SpanStatusCode.ERROR);
    assert.equal(root.attributes['error.type'], '503');
  });

  it('gives withSpan the active span as parent and exposes the trace id', async () => {
    const traceId = await withSpan('outer', { a: 1 }, async () => {
      await withSpan('inner', undefined, async () => undefined);
      return currentTraceId();
    });
    const outer = spans.root('outer');
    assert.equal(traceId, outer.spanContext().traceId);
    assert.deepEqual(spans.childNames(outer), ['inner']);
    assert.equal(outer.attributes.a, 1);
  });

  it('extracts nothing from a malformed traceparent', () => {
    const request = startRequestSpan({ method: 'GET', route: '/x', headers: { traceparent: 'garbage' } });
    request.finish(200);
    assert.equal(spans.root('GET /x').parentSpanContext, undefined);
    assert.equal(currentTraceId(extractTraceContext({ traceparent: 'garbage' })), undefined);
  });

  it("puts the request span's trace id on the request log line", () => {
    const lines: string[] = [];
    const logger = createLogger({ log_level: 'info' }, { write: (line: string) => void lines.push(line) });
    const request = startRequestSpan({ method: 'POST', route: '/v1/completions' });
    request.run(() => requestLog(logger, { request_id: 'r', status: 200, duration_ms: 1 }));
    request.finish(200);
    assert.equal(JSON.parse(lines[0]).trace_id, request.span.spanContext().traceId);
    assert.match(JSON.parse(lines[0]).trace_id, /^[0-9a-f]{32}$/);
  });
});
