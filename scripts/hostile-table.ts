/**
 * Re-runs issue 13's defect table against a real gateway and prints, per row, what a client saw — then fires
 * a burst of generated hostile requests (test/hostile/arbitraries.ts) and prints the status histogram,
 * 5xx count, non-OpenAI error bodies and hangs. `--root DIR` runs the gateway from another checkout (e.g. the
 * commit before the fixes, `git archive <rev> | tar -x -C DIR` with node_modules linked) for a before/after.
 *
 *   npx node scripts/hostile-table.ts [--root DIR] [--burst 1000] [--slow]   (--slow: the 1 byte/s rows, ~1 min)
 */

import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { anyValue, mutatedChat, mutatedCompletion, mutatedEmbedding } from '../test/hostile/arbitraries.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = resolve(opt('--root') ?? new URL('..', import.meta.url).pathname);
const burst = Number(opt('--burst') ?? 1000);
const slow = args.includes('--slow');

const { startGateway } = await import(join(root, 'src/main.ts'));
const { startSim } = await import(join(root, 'src/sim/main.ts'));
const { parseConfig } = await import(join(root, 'src/config/load.ts'));
const { sha256Hex } = await import(join(root, 'src/auth/keys.ts'));
const { startTestRedis } = await import(join(root, 'test/cache/redis-server.ts'));

const keys = { legal: 'sk-t-legal', hr: 'sk-t-hr', fin: 'sk-t-fin', admin: 'sk-t-admin' };
const sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true, itlMs: 0 });
const embedder = await startSim({ port: 0 });
const redis = await startTestRedis();
const tenant = (key: string, adapters: string[], extra: Record<string, unknown> = {}) => ({
  keys: [{ sha256: sha256Hex(key), name: `${key}-name` }],
  adapters,
  strategy: { default: 'lora', allowed: ['base', 'lora', 'rag', 'hybrid'] },
  ...extra,
});
const raw = {
  server: { host: '0.0.0.0', port: 0, shutdown_grace_ms: 1500 },
  admin: { keys: [{ sha256: sha256Hex(keys.admin) }] },
  adapters: { dir: join(root, 'adapters') },
  upstreams: {
    base_models: [
      {
        name: 'tiny-base',
        max_model_len: 2048,
        replicas: [
          { id: 'sim-0', url: sim.url },
          { id: 'dead-1', url: 'http://127.0.0.1:9' },
        ],
      },
    ],
    poll_interval_ms: 200,
  },
  redis: { url: redis.url },
  cache: { kind: 'off' },
  limits: { kind: 'redis' },
  embeddings: { kind: 'openai', url: `${embedder.url}/v1`, model: 'tiny-base' },
  vector_store: { kind: 'lancedb', path: mkdtempSync(join(tmpdir(), 'lorag-table-')) },
  telemetry: { log_level: 'silent' },
  tenants: {
    legal: tenant(keys.legal, ['legal'], { collections: ['company'] }),
    hr: tenant(keys.hr, ['hr']),
    // F1 in a fresh token window: the first request of the minute is the oversized one.
    fin: tenant(keys.fin, ['hr'], { limits: { tokens_per_minute: 200_000 } }),
  },
};
const gateway = await startGateway(parseConfig(raw, 'table'), { log: () => {} });
const base = `http://127.0.0.1:${gateway.port}`;
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

interface Seen {
  status: number;
  text: string;
  headers: Headers;
}
const histogram = new Map<string, number>();
const count = (k: string) => histogram.set(k, (histogram.get(k) ?? 0) + 1);

async function req(path: string, init: RequestInit & { key?: string; url?: string } = {}): Promise<Seen> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  try {
    const res = await fetch(`${init.url ?? base}${path}`, { ...init, headers, signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    count(String(res.status));
    return { status: res.status, text, headers: res.headers };
  } catch (err) {
    count('hang/transport');
    return { status: 0, text: String((err as Error).message), headers: new Headers() };
  }
}
const post = (path: string, body: string | Uint8Array, key = keys.legal, headers: Record<string, string> = {}) =>
  req(path, { method: 'POST', key, body, headers: { 'content-type': 'application/json', ...headers } });
const chat = (model: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, max_tokens: 4, messages: [{ role: 'user', content: 'hi' }], ...extra });
const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const isEnvelope = (text: string) => {
  try {
    const e = JSON.parse(text).error;
    return Boolean(e && typeof e.message === 'string' && 'type' in e && 'param' in e && 'code' in e);
  } catch {
    return false;
  }
};
const short = (s: Seen) => `${s.status}${s.status >= 400 ? ` ${s.text.replace(/\s+/g, ' ').slice(0, 90)}` : ''}`;

/** Raw socket: write, optionally trickle, and report what came back and after how long. */
function rawSocket(payload: string, trickle?: string, capMs = 45_000): Promise<{ text: string; heldMs: number }> {
  return new Promise((done) => {
    const t0 = Date.now();
    const s = connect(gateway.port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      text += d;
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearInterval(timer);
      done({ text, heldMs: Date.now() - t0 });
    });
    s.on('connect', () => {
      s.write(payload);
      if (trickle) timer = setInterval(() => s.writable && s.write(trickle), 1000);
    });
    setTimeout(() => s.destroy(), capMs).unref();
  });
}
const rawStatus = (t: string) => /^HTTP\/1\.1 (\d{3})/.exec(t)?.[1] ?? '—';

const rows: [string, string, string][] = [];
const row = (id: string, what: string, seen: string) => {
  rows.push([id, what, seen]);
  process.stderr.write(`${id}: ${seen}\n`);
};

await new Promise((r) => setTimeout(r, 500)); // a poll round: the dead replica is marked down

// D1 — three deeply nested chat requests of legal, then hr.
const d1 = [];
for (let i = 0; i < 3; i++)
  d1.push(
    (
      await post(
        '/v1/chat/completions',
        // a top-level pass-through field: the token estimate never reads it (before: JSON.stringify threw
        // inside the upstream call and the replica was marked failed)
        `{"model":"legal","messages":[{"role":"user","content":"hi"}],"x":${deep(10_000)}}`,
      )
    ).status,
  );
const hrAfter = await post('/v1/chat/completions', chat('hr'), keys.hr);
row('D1', '3× legal, top-level field nested 10,000 deep, then hr', `legal ${d1.join(',')}; hr → ${short(hrAfter)}`);

// D2 — the same nesting on completions, embeddings; 5,000-deep array in messages.
const d2 = [
  await post(
    '/v1/chat/completions',
    `{"model":"legal","messages":[{"role":"user","content":"hi","x":${'['.repeat(5000)}${']'.repeat(5000)}}]}`,
  ),
  await post('/v1/completions', `{"model":"legal","prompt":"hi","x":${deep(6000)}}`),
  await post('/v1/embeddings', `{"model":"tiny-base","input":"hi","x":${deep(6000)}}`),
];
row('D2', 'nesting ≥ 5,000 on chat / completions / embeddings', d2.map((s) => s.status).join(', '));

// F1 — hr asks for 250,000 tokens, then a normal request.
const big = await post('/v1/chat/completions', chat('hr', { max_tokens: 250_000 }), keys.fin);
const next = await post('/v1/chat/completions', chat('hr'), keys.fin);
row(
  'F1',
  'TPM-200k tenant: max_tokens 250000, then a normal request',
  `${big.status} (x-should-retry ${big.headers.get('x-should-retry')}); next → ${short(next)}`,
);

// D5 — /metrics from loopback and from another address.
const mLocal = await req('/metrics');
const mExt = external ? await req('/metrics', { url: `http://${external}:${gateway.port}` }) : null;
row(
  'D5',
  '/metrics without a key (loopback / non-loopback)',
  `loopback ${mLocal.status} (${(mLocal.text.match(/tenant="hr"/g) ?? []).length} hr lines); ${external ?? 'no external if'} → ${mExt ? `${mExt.status} (${(mExt.text.match(/tenant="hr"/g) ?? []).length} hr lines)` : 'n/a'}`,
);

// D6 — /readyz with a dead replica; embeddings upstream stopped.
const ready = await req('/readyz');
row(
  'D6a',
  '/readyz with a dead replica: error strings / addresses',
  /127\.0\.0\.1|ECONNREFUSED|error"/.test(ready.text)
    ? `leaks: ${ready.text.slice(0, 160)}`
    : `clean: ${ready.text.slice(0, 120)}`,
);
// D3/D4 — admin lookups and ranges.
const adm = (p: string) => req(p, { key: keys.admin });
row(
  'D3',
  '/admin/knowledge/documents?tenant=constructor|__proto__',
  `${(await adm('/admin/knowledge/documents?tenant=constructor&collection=company')).status}, ${(await adm('/admin/knowledge/documents?tenant=__proto__&collection=company')).status}`,
);
row('D4a', '/admin/usage?from=99999999999999999999', `${(await adm('/admin/usage?from=99999999999999999999')).status}`);
row(
  'D4b',
  '/admin/usage?from=<1 h ago>&to=2030-01-01 (Redis ledger)',
  `${(await adm(`/admin/usage?from=${Math.floor(Date.now() / 1000) - 3600}&to=2030-01-01T00:00:00Z`)).status}`,
);

// D10, F2, CORS.
row('D10', 'model legal@1@anything', short(await post('/v1/chat/completions', chat('legal@1@anything'))));
row(
  'F2',
  'gzip body / zstd body',
  `${(await post('/v1/chat/completions', gzipSync(chat('legal')), keys.legal, { 'content-encoding': 'gzip' })).status}, ${(await post('/v1/chat/completions', chat('legal'), keys.legal, { 'content-encoding': 'zstd' })).status}`,
);
const pre = await req('/v1/chat/completions', {
  method: 'OPTIONS',
  headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' },
});
row('CORS', 'OPTIONS preflight with Origin', String(pre.status));

// Node parser errors.
let many = 'GET /v1/models HTTP/1.1\r\nHost: x\r\n';
for (let i = 0; i < 1000; i++) many += `x-h-${i}: vvvvvvvvvvvvvvvvvvvv\r\n`;
const r431 = await rawSocket(`${many}\r\n`);
const r400 = await rawSocket('GARBAGE\r\n\r\n');
row(
  'parser',
  '1,000 headers / malformed request line',
  `${rawStatus(r431.text)} ${isEnvelope(r431.text.split('\r\n\r\n')[1] ?? '') ? 'envelope' : 'NO envelope'} / ${rawStatus(r400.text)} ${isEnvelope(r400.text.split('\r\n\r\n')[1] ?? '') ? 'envelope' : 'NO envelope'}`,
);

// D8 — client gone mid-body: what the gateway prints.
const printed: string[] = [];
const original = console.error;
console.error = (...a: unknown[]) => printed.push(a.map(String).join(' '));
for (let i = 0; i < 3; i++)
  await rawSocket(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${keys.legal}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"model":"`,
    undefined,
    300,
  );
await new Promise((r) => setTimeout(r, 300));
console.error = original;
row(
  'D8',
  'content-length 100, 10 bytes, close (×3)',
  `${printed.filter((l) => /internal_error|\n\s+at /.test(l)).length} stack traces / internal errors logged`,
);

// D7 — slow clients (optional: up to 45 s each, in parallel).
if (slow) {
  const [h, b] = await Promise.all([
    rawSocket('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n', 'x'),
    rawSocket(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${keys.legal}\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n{`,
      ' ',
    ),
  ]);
  const held = (r: { text: string; heldMs: number }) =>
    `${r.heldMs >= 44_000 ? '≥45 s (cap)' : `${(r.heldMs / 1000).toFixed(1)} s`} → ${rawStatus(r.text)}`;
  row('D7', 'headers / body at 1 byte/s: held for', `headers ${held(h)}; body ${held(b)}`);
}

// Burst of generated hostile requests.
const before5xx = [...histogram].filter(([s]) => s.startsWith('5')).reduce((n, [, v]) => n + v, 0);
void before5xx;
const burstHist = new Map<string, number>();
let non = 0;
let fivexx = 0;
let hangs = 0;
const samples: [string, string][] = [
  ...fc
    .sample(mutatedChat('legal'), Math.ceil(burst * 0.4))
    .map((b) => ['/v1/chat/completions', b] as [string, string]),
  ...fc.sample(anyValue, Math.ceil(burst * 0.2)).map((b) => ['/v1/chat/completions', b] as [string, string]),
  ...fc
    .sample(mutatedCompletion('legal'), Math.ceil(burst * 0.2))
    .map((b) => ['/v1/completions', b] as [string, string]),
  ...fc.sample(mutatedEmbedding(), Math.ceil(burst * 0.2)).map((b) => ['/v1/embeddings', b] as [string, string]),
];
for (const [path, body] of samples) {
  const s = await post(path, body);
  const k = s.status === 0 ? 'hang' : String(s.status);
  burstHist.set(k, (burstHist.get(k) ?? 0) + 1);
  if (s.status === 0) hangs++;
  else if (s.status >= 500) fivexx++;
  if (s.status >= 400 && !isEnvelope(s.text)) non++;
}

await embedder.close();
const emb = await post('/v1/embeddings', '{"model":"tiny-base","input":"hi"}');
row(
  'D6b',
  'embeddings upstream down: tenant-facing message',
  `${emb.status} ${/127\.0\.0\.1:\d+/.test(emb.text) ? 'LEAKS address' : 'no address'}: ${emb.text.slice(0, 110)}`,
);

// D9 — SIGTERM with streams longer than the grace and an idle keep-alive socket.
const slowSim = await startSim({ port: 0, allowRuntimeLoraUpdating: true, itlMs: 100 });
const g2 = await startGateway(
  parseConfig(
    {
      ...raw,
      server: { host: '127.0.0.1', port: 0, shutdown_grace_ms: 1000 },
      upstreams: {
        ...raw.upstreams,
        base_models: [{ name: 'tiny-base', max_model_len: 2048, replicas: [{ id: 's', url: slowSim.url }] }],
      },
      redis: {},
      limits: { kind: 'memory' },
    },
    'd9',
  ),
  { log: () => {} },
);
const streams = Array.from({ length: 5 }, () =>
  fetch(`${g2.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'legal', stream: true, max_tokens: 150, messages: [{ role: 'user', content: 'x' }] }),
  })
    .then((r) => r.text())
    .catch(() => ''),
);
const idleSock = connect(Number(new URL(g2.url).port), '127.0.0.1');
await new Promise((r) => idleSock.once('connect', r));
idleSock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
await new Promise((r) => idleSock.once('data', r));
await new Promise((r) => setTimeout(r, 300));
const t0 = Date.now();
let idleClosedAt = 0;
idleSock.on('close', () => {
  idleClosedAt = Date.now() - t0;
});
await g2.close();
const closedAt = Date.now() - t0;
const bodies = await Promise.all(streams);
const clean = bodies.filter((b) => /"error"[\s\S]*data: \[DONE\]\s*$/.test(b)).length;
row(
  'D9',
  'SIGTERM, 5 streams > grace 1 s + 1 idle keep-alive',
  `idle socket closed after ${idleClosedAt} ms (drain ${closedAt} ms); ${clean}/5 streams ended with SSE error + [DONE]`,
);
await slowSim.close();

await gateway.close();
await sim.close();
await redis.stop();

const width = Math.max(...rows.map((r) => r[1].length));
process.stdout.write(`\nissue 13 table (${root}):\n`);
for (const [id, what, seen] of rows) process.stdout.write(`  ${id.padEnd(6)} ${what.padEnd(width)}  ${seen}\n`);
process.stdout.write(
  `\nhostile burst: ${samples.length} requests — ${[...burstHist]
    .sort()
    .map(([s, n]) => `${s}:${n}`)
    .join(' ')}; 5xx ${fivexx}, non-OpenAI error bodies ${non}, hangs ${hangs}\n`,
);
process.exit(0);
