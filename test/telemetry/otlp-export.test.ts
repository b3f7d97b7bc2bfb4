/**
 * Tracing switched on the way an operator does it (OTEL_* variables only, config off): spans reach a real
 * OTLP/HTTP endpoint (a local server standing in for the collector) at /v1/traces, with service.name lorag and
 * the OTEL_RESOURCE_ATTRIBUTES; shutdown flushes the batch. Runs in its own process (node --test), so setting
 * process.env here touches nothing else.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, it } from 'node:test';
import { stageSpan } from '../../src/telemetry/spans.ts';
import { startTracing } from '../../src/telemetry/tracing.ts';

const received: { path: string; contentType: string; body: Buffer }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // The OTLP exporter and the resource detector read process.env themselves.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
  process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment=test';
});
after(() => server.close());

beforeEach(() => {
  received.length = 0;
});

it('exports spans as OTLP/HTTP protobuf by default when OTEL_TRACES_EXPORTER=otlp', async () => {
  const env = { ...process.env, OTEL_TRACES_EXPORTER: 'otlp' };
  const tracing = await startTracing({ traces: false, metrics: true, log_level: 'info' }, { env });
  assert.equal(tracing.enabled, true);
  await stageSpan('retrieve', undefined, async () => undefined);
  await tracing.shutdown();
  assert.equal(received.length, 1);
  assert.equal(received[0].path, '/v1/traces');
  assert.equal(received[0].contentType, 'application/x-protobuf');
  // Protobuf strings are stored verbatim: the resource and the span name are in the bytes.
  assert.ok(received[0].body.includes('lorag'), 'service.name');
  assert.ok(received[0].body.includes('retrieve'), 'span name');
});

it('exports OTLP/HTTP JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json', async () => {
  const env = { ...process.env, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
  const off = await startTracing(
    { traces: false, metrics: true, log_level: 'info' },
    { env: { ...env, OTEL_TRACES_EXPORTER: 'none' } },
  );
  assert.equal(off.enabled, false);

  const tracing = await startTracing({ traces: false, metrics: true, log_level: 'info' }, { env });
  assert.equal(tracing.enabled, true);
  await stageSpan('plan', { 'lorag.tenant': 'legal-dept' }, async () => undefined);
  await tracing.shutdown();
  await tracing.shutdown(); // twice is fine

  assert.equal(received.length, 1, 'one batch, flushed by shutdown');
  const [request] = received;
  assert.equal(request.path, '/v1/traces');
  assert.match(request.contentType, /application\/json/);
  const payload = JSON.parse(request.body.toString('utf8'));
  const resource = payload.resourceSpans[0].resource.attributes as { key: string; value: { stringValue?: string } }[];
  const attr = (key: string) => resource.find((a) => a.key === key)?.value.stringValue;
  assert.equal(attr('service.name'), 'lorag');
  assert.equal(attr('deployment.environment'), 'test');
  const span = payload.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(span.name, 'plan');
});
