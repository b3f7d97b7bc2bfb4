/**
 * Tracing switched on the way an operator does it (OTEL_* variables only, config off): spans reach a real
 * OTLP/HTTP endpoint (a local server standing in for the collector) at /v1/traces, with service.name lorag and
 * the OTEL_RESOURCE_ATTRIBUTES; shutdown flushes the batch. Runs in its own process (node --test), so setting
 * process.env here touches nothing else.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { stageSpan } from '../../src/telemetry/spans.ts';
import { startTracing } from '../../src/telemetry/tracing.ts';

const received: { path: string; contentType: string; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
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

it('exports spans over OTLP/HTTP when OTEL_TRACES_EXPORTER=otlp', async () => {
  const env = { ...process.env, OTEL_TRACES_EXPORTER: 'otlp' };
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
  const payload = JSON.parse(request.body);
  const resource = payload.resourceSpans[0].resource.attributes as { key: string; value: { stringValue?: string } }[];
  const attr = (key: string) => resource.find((a) => a.key === key)?.value.stringValue;
  assert.equal(attr('service.name'), 'lorag');
  assert.equal(attr('deployment.environment'), 'test');
  const span = payload.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(span.name, 'plan');
});
