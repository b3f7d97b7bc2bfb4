/**
 * Nothing internal reaches a tenant (issue 13, D5/D6): /metrics is behind a bearer token or its own
 * listener (or loopback only); an adapter whose source is missing on the model server fails without the
 * path; an embeddings upstream that is down fails without its address; the details go to the log.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { errorResponse } from '../../src/http/error-response.ts';
import { redactInternals } from '../../src/http/redact.ts';
import { assertNoInternals, keys, normalChat, send, startHostileStand } from './stand.ts';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics is for operators only', () => {
  test('telemetry.metrics.bearer_token: 401 without it, 200 with it; no tenant key opens it', async () => {
    const s = await startHostileStand({ config: { telemetry: { metrics: { bearer_token: TOKEN } } } });
    try {
      await send(`${s.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.hr}`, 'content-type': 'application/json' },
        body: JSON.stringify(normalChat('hr')),
      });
      for (const auth of [undefined, `Bearer ${keys.legal}`, `Bearer ${keys.admin}`, `Bearer ${TOKEN}x`, TOKEN]) {
        const a = await send(`${s.gateway.url}/metrics`, { headers: auth ? { authorization: auth } : {} });
        assert.equal(a.status, 401, `authorization ${auth}`);
        assert.doesNotMatch(a.text, /tenant="hr"/);
        assert.equal(a.json.error.code, 'invalid_api_key');
      }
      const ok = await send(`${s.gateway.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
      assert.match(ok.text, /tenant="hr"/);
    } finally {
      await s.close();
    }
  });

  test('telemetry.metrics.listen: /metrics leaves the main port and is served on its own address', async () => {
    const s = await startHostileStand({ config: { telemetry: { metrics: { listen: '127.0.0.1:0' } } } });
    try {
      const main = await send(`${s.gateway.url}/metrics`);
      assert.equal(main.status, 404);
      assert.ok(s.gateway.metricsUrl, 'metrics listener started');
      const own = await send(`${s.gateway.metricsUrl}/metrics`);
      assert.equal(own.status, 200);
      assert.match(own.text, /lorag_/);
      assert.equal(
        (await send(`${s.gateway.metricsUrl}/v1/models`)).status,
        404,
        'the metrics listener serves nothing else',
      );
    } finally {
      await s.close();
    }
  });
});

describe('error messages carry no paths, addresses or stacks', () => {
  test('redaction: paths, addresses, file URLs and stack frames; the gateway’s own routes and model names stay', () => {
    assert.equal(
      redactInternals('Loading lora hr@9 failed: No adapter found for /srv/adapters/hr/v9'),
      'Loading lora hr@9 failed: No adapter found for <path>',
    );
    assert.equal(redactInternals('connect ECONNREFUSED 127.0.0.1:8000'), 'connect ECONNREFUSED <address>');
    assert.equal(redactInternals('GET http://vllm-0.svc:8000/v1/models failed'), 'GET <address> failed');
    assert.equal(redactInternals('boom\n    at f (file:///work/main/src/x.ts:1:2)'), 'boom');
    assert.equal(redactInternals('Unknown route: POST /v1/chat/nope'), 'Unknown route: POST /v1/chat/nope');
    assert.equal(redactInternals('The model `legal@3` does not exist.'), 'The model `legal@3` does not exist.');
    assert.equal(redactInternals("nests deeper at 'messages[0][1].x'"), "nests deeper at 'messages[0][1].x'");
    assert.equal(redactInternals('peer [::1]:8000 reset'), 'peer <address> reset');
  });

  test('a stage error that names a path or an address leaves redacted; the original goes to the log', async () => {
    const app = new Hono();
    app.get('/load', () => {
      throw new GatewayError(
        'adapter_unavailable',
        'Loading lora hr@9 failed: No adapter found for /srv/adapters/hr/v9',
      );
    });
    app.get('/connect', () => {
      throw new GatewayError(
        'upstream_error',
        'fetch failed: connect ECONNREFUSED 10.1.2.3:8000 (http://vllm-0:8000/v1)',
      );
    });
    app.onError((err, c) => errorResponse(c, err));
    const logged: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args.join(' '));
    try {
      for (const path of ['/load', '/connect']) {
        const res = await app.request(path);
        const text = await res.text();
        assert.equal(res.status, 503 - (path === '/connect' ? 1 : 0));
        assertNoInternals(text, path);
        assert.doesNotMatch(text, /\/srv\/|10\.1\.2\.3|vllm-0:8000/);
      }
    } finally {
      console.error = original;
    }
    assert.ok(
      logged.some((l) => l.includes('/srv/adapters/hr/v9')),
      'the operator log keeps the path',
    );
  });

  test('the embeddings upstream down: an error without its address', async () => {
    const s = await startHostileStand();
    try {
      await s.embedder.close();
      const a = await send(`${s.baseURL}/embeddings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny-base', input: 'hi' }),
      });
      assert.ok(a.status >= 500 && a.json?.error, a.text);
      assertNoInternals(a.text, 'embeddings down');
    } finally {
      await s.close().catch(() => {});
    }
  });
});
