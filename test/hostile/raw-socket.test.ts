/**
 * Raw sockets against a real gateway with small configured timeouts: slow headers, slow body, too many
 * headers, a malformed request line, a client gone mid-body — each answered (or logged) cleanly with
 * OpenAI's envelope — and SIGTERM's drain: idle keep-alive sockets close at once, a request arriving while
 * draining gets 503 + `connection: close`, streams past the grace end with an SSE error event and [DONE].
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNoInternals, assertOtherTenantServed, type HostileStand, keys, startHostileStand } from './stand.ts';

const server = { headers_timeout_ms: 300, request_timeout_ms: 600, idle_timeout_ms: 5000 };

let stand: HostileStand;
before(async () => {
  stand = await startHostileStand({ config: { server } });
});
after(() => stand.close());

interface Raw {
  socket: Socket;
  /** Everything the server sent until it closed the connection. */
  closed: Promise<string>;
}

function open(port: number): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
    });
    const closed = new Promise<string>((done) => socket.on('close', () => done(text)));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Status line and parsed body of a raw HTTP/1.1 answer. */
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape
function parse(raw: string): { status: number; headers: string; body: any } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  let body: unknown = null;
  try {
    body = JSON.parse(rest.join('\r\n\r\n'));
  } catch {}
  return { status, headers: head.toLowerCase(), body };
}

function assertEnvelope(raw: string, status: number, context: string): void {
  const r = parse(raw);
  assert.equal(r.status, status, `${context}: ${raw.slice(0, 300)}`);
  assert.ok(
    r.body?.error && typeof r.body.error.message === 'string',
    `${context}: OpenAI envelope: ${raw.slice(0, 300)}`,
  );
  assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'message', 'param', 'type']);
  assertNoInternals(raw, context);
}

const port = () => stand.gateway.port;

describe('slow and malformed clients', () => {
  test('headers at a trickle → 408 envelope once headers_timeout_ms passes, connection closed', async () => {
    const c = await open(port());
    c.socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => c.socket.writable && c.socket.write('x'), 100);
    const raw = await c.closed;
    clearInterval(trickle);
    assertEnvelope(raw, 408, 'slow headers');
  });

  test('a body at a trickle → 408 envelope once request_timeout_ms passes', async () => {
    const c = await open(port());
    c.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${keys.legal}\r\n` +
        'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":',
    );
    const trickle = setInterval(() => c.socket.writable && c.socket.write(' '), 100);
    const raw = await c.closed;
    clearInterval(trickle);
    assertEnvelope(raw, 408, 'slow body');
  });

  test('1,000 headers → 431 envelope', async () => {
    const c = await open(port());
    let req = 'GET /v1/models HTTP/1.1\r\nHost: x\r\n';
    for (let i = 0; i < 1000; i++) req += `x-h-${i}: ${'v'.repeat(20)}\r\n`;
    c.socket.write(`${req}\r\n`);
    assertEnvelope(await c.closed, 431, 'many headers');
  });

  for (const [label, line] of [
    ['garbage request line', 'GARBAGE\r\n\r\n'],
    ['bad method', 'G@T /v1/models HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['bad version', 'GET /v1/models HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['NUL in the target', 'GET /v1/\u0000models HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['bad header name', 'GET /v1/models HTTP/1.1\r\nHost: x\r\nba d: 1\r\n\r\n'],
    ['bad chunked body', 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'],
    [
      'both content-length and chunked',
      'POST /v1/embeddings HTTP/1.1\r\nHost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
  ] as const) {
    test(`${label} → 400 envelope`, async () => {
      const c = await open(port());
      c.socket.write(line);
      assertEnvelope(await c.closed, 400, label);
    });
  }

  test('a bad Host header → 400 envelope (not an empty body)', async () => {
    const c = await open(port());
    c.socket.write('GET /v1/models HTTP/1.1\r\nHost: a b@c\r\nconnection: close\r\n\r\n');
    assertEnvelope(await c.closed, 400, 'bad host');
  });

  test('a client gone mid-body is no 500 and no stack trace; the next tenant is served', async () => {
    const printed: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => printed.push(args.map(String).join(' '));
    try {
      for (let i = 0; i < 5; i++) {
        const c = await open(port());
        c.socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${keys.legal}\r\n` +
            'content-type: application/json\r\ncontent-length: 100\r\n\r\n{"model":"',
        );
        await sleep(20);
        c.socket.destroy();
        await c.closed;
      }
      await assertOtherTenantServed(stand, 'hr');
    } finally {
      console.error = original;
    }
    assert.deepEqual(
      printed.filter((l) => /internal_error|\bat \S+ \(|Error:/.test(l)),
      [],
      'nothing logged as an internal error',
    );
  });
});

describe('drain (SIGTERM)', () => {
  test('idle keep-alive sockets close at once, new requests get 503 + connection: close, streams end with an error event and [DONE]', async () => {
    const d = await startHostileStand({
      sims: [{ itlMs: 50 }],
      config: { server: { ...server, shutdown_grace_ms: 300 } },
    });
    const url = `${d.baseURL}/chat/completions`;
    const streams = Array.from({ length: 4 }, async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'legal',
          stream: true,
          max_tokens: 400,
          messages: [{ role: 'user', content: 'long' }],
        }),
      });
      assert.equal(res.status, 200);
      return res.text();
    });
    // An idle keep-alive connection (one request answered, then nothing).
    const idle = await open(d.gateway.port);
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    while (
      !(await Promise.race([sleep(10).then(() => false), new Promise((r) => idle.socket.once('data', () => r(true)))]))
    ) {}
    // A keep-alive connection with a short request in flight when the drain begins: closed once answered.
    const busy = await open(d.gateway.port);
    const short = JSON.stringify({ model: 'legal', max_tokens: 2, messages: [{ role: 'user', content: 'short' }] });
    busy.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${keys.legal}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(short)}\r\n\r\n${short}`,
    );
    // A connection whose request is completed only after the drain began.
    const late = await open(d.gateway.port);
    late.socket.write('GET /v1/models HTTP/1.1\r\nHost: x\r\n');
    await sleep(100); // let the streams start
    const events: string[] = [];
    idle.closed.then(() => events.push('idle closed'));
    busy.closed.then(() => events.push('busy closed'));
    for (const s of streams) s.then(() => events.push('stream ended'));
    const closing = d.gateway.close().then(() => events.push('gateway closed'));
    late.socket.write(`authorization: Bearer ${keys.legal}\r\n\r\n`);
    const lateRaw = await late.closed;
    assertEnvelope(lateRaw, 503, 'request while draining');
    assert.match(parse(lateRaw).headers, /connection: close/);
    const bodies = await Promise.all(streams);
    await closing;
    assert.ok(
      events.indexOf('idle closed') >= 0 && events.indexOf('idle closed') < events.indexOf('stream ended'),
      `the idle socket closes at once, not at the grace: ${events}`,
    );
    assert.ok(
      events.indexOf('busy closed') < events.indexOf('stream ended'),
      `a keep-alive socket answered during the drain closes then, not at the grace: ${events}`,
    );
    assert.equal(parse(await busy.closed).status, 200, 'the request in flight was answered');
    for (const body of bodies) {
      const frames = body.split('\n\n').filter(Boolean);
      assert.equal(frames.at(-1), 'data: [DONE]', 'ends with [DONE]');
      const last = JSON.parse(frames.at(-2)!.slice('data: '.length));
      assert.equal(last.error?.code, 'shutting_down', `an SSE error event before [DONE]: ${frames.at(-2)}`);
    }
    await d.embedder.close();
    await Promise.all(d.sims.map((s) => s.close()));
  });
});
