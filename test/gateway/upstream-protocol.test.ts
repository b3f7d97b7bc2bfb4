/**
 * What the gateway sends to vLLM and how it reads vLLM's answers, against a scripted upstream that records
 * every request: unknown fields pass through, `lorag` is stripped, streams always ask for usage, vLLM's nested
 * and flat error shapes become OpenAI errors, a broken stream ends with an SSE error event, and a client that
 * goes away aborts the upstream request.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { keys, testConfig } from '../helpers/stack.ts';

type Script = (req: IncomingMessage, body: any, res: ServerResponse) => void;
let script: Script;
const seen: { path: string; body: any; headers: IncomingMessage['headers'] }[] = [];
let upstreamClosed: Promise<void> = Promise.resolve();
let server: Server;
let gateway: RunningGateway;
let client: OpenAI;

const chunk = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'legal@1' };

before(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      if (req.url === '/v1/models') {
        res.end(
          JSON.stringify({
            object: 'list',
            data: [
              { id: 'tiny-base', parent: null },
              { id: 'legal@1', parent: 'tiny-base' },
            ],
          }),
        );
        return;
      }
      if (req.method === 'GET') return void res.end(''); // /health, /metrics
      if (req.url === '/v1/load_lora_adapter') return void res.end("Success: LoRA adapter 'x' added successfully.");
      const body = raw ? JSON.parse(raw) : null;
      seen.push({ path: req.url ?? '', body, headers: req.headers });
      upstreamClosed = new Promise((resolve) => res.once('close', () => resolve()));
      script(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const raw = testConfig([`http://127.0.0.1:${port}`]) as any;
  raw.upstreams.base_models[0].replicas[0].preloaded = ['legal@1'];
  raw.upstreams.timeouts = { first_byte_ms: 400, idle_ms: 400 };
  gateway = await startGateway(parseConfig(raw), { log: () => {} });
  client = new OpenAI({ apiKey: keys.legal, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
});
after(async () => {
  await gateway.close();
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  seen.length = 0;
});

const okJson: Script = (_req, body, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    }),
  );
};

describe('requests to vLLM', () => {
  test('unknown fields pass through, lorag is stripped, model is the resolved version', async () => {
    script = okJson;
    await client.chat.completions.create({
      model: 'legal',
      messages: [{ role: 'user', content: 'hi' }],
      // @ts-expect-error vLLM-specific sampling fields and the lorag extension
      top_k: 5,
      min_p: 0.1,
      vllm_xargs: { a: 1 },
      lorag: { strategy: 'lora' },
    });
    const sent = seen[0];
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.body.model, 'legal@1');
    assert.equal(sent.body.top_k, 5);
    assert.equal(sent.body.min_p, 0.1);
    assert.deepEqual(sent.body.vllm_xargs, { a: 1 });
    assert.equal('lorag' in sent.body, false);
    assert.equal('stream_options' in sent.body, false, 'vLLM rejects stream_options without stream');
    assert.match(String(sent.headers['x-request-id']), /^req_/);
  });

  test('streams always ask vLLM for usage', async () => {
    script = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }));
      res.write(chunk({ ...head, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }] }));
      res.write(chunk({ ...head, choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
      res.end('data: [DONE]\n\n');
    };
    const s = await client.chat.completions.create({
      model: 'legal',
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    let sawUsage = false;
    for await (const c of s) if (c.usage) sawUsage = true;
    assert.deepEqual(seen[0].body.stream_options, { include_usage: true });
    assert.equal(sawUsage, false);
  });
});

describe('vLLM errors', () => {
  test('nested error shape → same status, OpenAI envelope', async () => {
    script = (_req, _body, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: "This model's maximum context length is 2048 tokens.",
            type: 'BadRequestError',
            param: 'messages',
            code: 400,
          },
        }),
      );
    };
    await assert.rejects(
      client.chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: 'x' }] }),
      (err: any) => {
        assert.equal(err.status, 400);
        assert.equal(err.code, 'context_length_exceeded');
        assert.equal(err.type, 'invalid_request_error');
        assert.match(err.message, /maximum context length/);
        return true;
      },
    );
  });

  test('old flat error shape is understood too', async () => {
    script = (_req, _body, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'error',
          message: 'temperature must be non-negative',
          type: 'BadRequestError',
          param: null,
          code: 400,
        }),
      );
    };
    await assert.rejects(
      client.chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: 'x' }] }),
      (err: any) => {
        assert.equal(err.status, 400);
        assert.match(err.message, /temperature must be non-negative/);
        return true;
      },
    );
  });

  test('a 5xx from the only replica → 503 with retry hint, never the raw body', async () => {
    script = (_req, _body, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: 'engine dead', type: 'InternalServerError', param: null, code: 500 } }),
      );
    };
    await assert.rejects(
      client.chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: 'x' }] }),
      (err: any) => {
        assert.ok(err.status === 502 || err.status === 503, `status ${err.status}`);
        assert.equal(err.type, 'server_error');
        return true;
      },
    );
    await new Promise((r) => setTimeout(r, 600)); // let the breaker's cooldown pass for the next tests
  });

  test('a stream that breaks off ends with an SSE error event and [DONE]', async () => {
    script = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }));
      res.write(chunk({ ...head, choices: [{ index: 0, delta: { content: 'partial' } }] }));
      setTimeout(() => res.destroy(), 20);
    };
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'legal', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await res.text();
    assert.match(text, /partial/);
    assert.match(text, /data: \{"error":\{"message":"The stream was interrupted/);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
    await new Promise((r) => setTimeout(r, 600)); // the broken stream ejected the replica; the next poll brings it back
  });
});

test('a client that disconnects mid-stream aborts the upstream request', async () => {
  script = (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const timer = setInterval(
      () => res.write(chunk({ ...head, choices: [{ index: 0, delta: { content: 'x' } }] })),
      10,
    );
    res.once('close', () => clearInterval(timer));
  };
  const ac = new AbortController();
  const s = await client.chat.completions.create(
    { model: 'legal', stream: true, messages: [{ role: 'user', content: 'x' }] },
    { signal: ac.signal },
  );
  let n = 0;
  try {
    for await (const _ of s) if (++n === 3) ac.abort();
  } catch {
    // the SDK may surface the abort as an error or just end the iteration
  }
  assert.equal(n, 3);
  await upstreamClosed; // resolves only when the gateway closed its upstream request
});

describe('timeouts', () => {
  const settle = () => new Promise((r) => setTimeout(r, 600)); // the timed-out replica is ejected until the next poll

  test('no first byte within upstreams.timeouts.first_byte_ms → 504 upstream_timeout', async () => {
    script = () => {}; // never answers
    await assert.rejects(
      client.chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: 'x' }] }),
      (err: any) => {
        assert.equal(err.status, 504);
        assert.equal(err.code, 'upstream_timeout');
        return true;
      },
    );
    await settle();
  });

  test('a silent gap longer than idle_ms mid-stream ends the stream with an SSE error event', async () => {
    script = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }));
      res.write(chunk({ ...head, choices: [{ index: 0, delta: { content: 'then silence' } }] }));
    };
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'legal', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await res.text();
    assert.match(text, /then silence/);
    assert.match(text, /"code":"upstream_error"/);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
    await settle();
  });
});
