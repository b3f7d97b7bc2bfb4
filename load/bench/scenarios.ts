/**
 * @module load/bench/scenarios — what `npm run bench` measures. Every scenario sends the same chat request
 * shape (one user message, max_tokens 16, ~700-byte answer or ~20 SSE chunks) to one target; `[<id>]` makes
 * each body unique, so a lorag scenario is a real cache miss (lookup and store) unless it is meant to hit.
 * Probes check, before measuring, that the gateway really does what the scenario is named after.
 */
import { BENCH_KEY } from './gateway-config.ts';
import { portkeyHeaders } from './peers.ts';
import type { Stand } from './stand.ts';

export interface Scenario {
  name: string;
  kind: 'http' | 'stream';
  target: string;
  headers: Record<string, string>;
  /** One body, or several that each connection cycles through. */
  bodies: string[];
  uniqueBodies: boolean;
  /** Scenario whose c=1 latency is subtracted for "added latency". */
  baseline: 'direct' | 'direct-stream';
  /** Scenario whose throughput is the denominator of "× bare". */
  bare: 'bare-proxy' | 'bare-proxy-stream';
  note?: string;
  skipped?: string;
}

export const PATH = '/v1/chat/completions';

/** The process each scenario measures (the runner starts only the ones it needs). */
export const TARGET_OF: Record<string, string> = {
  direct: 'sim',
  'bare-proxy': 'bare-proxy',
  'lorag-miss': 'lorag',
  'lorag-hit': 'lorag',
  'lorag-hit-redis': 'lorag-redis',
  'direct-stream': 'sim',
  'bare-proxy-stream': 'bare-proxy',
  'lorag-stream': 'lorag',
  'lorag-hybrid': 'lorag-hybrid',
  'adapter-churn': 'lorag-churn',
  'lorag-traced': 'lorag-traced',
  portkey: 'portkey',
  'portkey-stream': 'portkey',
};

/** Scenarios that measure a peer gateway, run only with `--peers <name>`. */
const PEER_OF: Record<string, string> = { portkey: 'portkey', 'portkey-stream': 'portkey' };

/** Scenarios to run for `--only` (direct and bare-proxy always, and their stream twins when a stream is asked). */
export function selectScenarios(only: string[] | null, peers: string[] = []): string[] {
  const all = Object.keys(TARGET_OF).filter((n) => !PEER_OF[n] || peers.includes(PEER_OF[n]));
  if (!only) return all;
  const unknown = only.filter((n) => !(n in TARGET_OF));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${all.join(', ')}`);
  const wanted = [...only, ...all.filter((n) => PEER_OF[n])];
  const keep = new Set([
    ...wanted,
    'direct',
    'bare-proxy',
    ...(wanted.some((n) => n.includes('stream')) ? ['direct-stream', 'bare-proxy-stream'] : []),
  ]);
  return all.filter((n) => keep.has(n));
}
const question = 'bench [<id>] What does clause 4 say about early termination?';

const chat = (model: string, extra: Record<string, unknown> = {}, content = question) =>
  JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: 16, temperature: 0, ...extra });

const json = { 'content-type': 'application/json' };
const auth = { ...json, authorization: `Bearer ${BENCH_KEY}` };

/** The scenarios in table order. Order of measurement is alternated per round by the runner. */
export function scenarios(stand: Stand): Scenario[] {
  const http = { kind: 'http' as const, baseline: 'direct' as const, bare: 'bare-proxy' as const };
  const stream = { kind: 'stream' as const, baseline: 'direct-stream' as const, bare: 'bare-proxy-stream' as const };
  const fixed = chat('legal', {}, 'What does clause 4 say about early termination?');
  const list: Scenario[] = [
    { ...http, name: 'direct', target: 'sim', headers: json, bodies: [chat('legal@1')], uniqueBodies: true },
    { ...http, name: 'bare-proxy', target: 'bare-proxy', headers: json, bodies: [chat('legal@1')], uniqueBodies: true },
    {
      ...http,
      name: 'lorag-miss',
      target: 'lorag',
      headers: auth,
      bodies: [chat('legal')],
      uniqueBodies: true,
      note: 'lora, unique prompts: cache lookup+store',
    },
    {
      ...http,
      name: 'lorag-hit',
      target: 'lorag',
      headers: auth,
      bodies: [fixed],
      uniqueBodies: false,
      note: 'memory cache',
    },
    {
      ...http,
      name: 'lorag-hit-redis',
      target: 'lorag-redis',
      headers: auth,
      bodies: [fixed],
      uniqueBodies: false,
      note: 'redis cache',
    },
    {
      ...stream,
      name: 'direct-stream',
      target: 'sim',
      headers: json,
      bodies: [chat('legal@1', { stream: true })],
      uniqueBodies: true,
    },
    {
      ...stream,
      name: 'bare-proxy-stream',
      target: 'bare-proxy',
      headers: json,
      bodies: [chat('legal@1', { stream: true })],
      uniqueBodies: true,
    },
    {
      ...stream,
      name: 'lorag-stream',
      target: 'lorag',
      headers: auth,
      bodies: [chat('legal', { stream: true })],
      uniqueBodies: true,
      note: 'SSE relay, cache miss',
    },
    {
      ...http,
      name: 'lorag-hybrid',
      target: 'lorag-hybrid',
      headers: auth,
      bodies: [chat('legal')],
      uniqueBodies: true,
      note: `embed + LanceDB hybrid over ${stand.options.hybridChunks ?? 10_000} chunks + citations`,
    },
    {
      ...http,
      name: 'adapter-churn',
      target: 'lorag-churn',
      headers: auth,
      bodies: stand.churnAdapters.map((a) => chat(a)),
      uniqueBodies: true,
      note: `${stand.churnAdapters.length} adapters, sim --max-loras 2`,
    },
    {
      ...http,
      name: 'lorag-traced',
      target: 'lorag-traced',
      headers: auth,
      bodies: [chat('legal')],
      uniqueBodies: true,
      note: 'traces → local OTLP sink',
    },
  ];
  const simUrl = stand.targets.get('sim')?.url ?? '';
  list.push(
    {
      ...http,
      name: 'portkey',
      target: 'portkey',
      headers: portkeyHeaders(simUrl),
      bodies: [chat('legal@1')],
      uniqueBodies: true,
      note: 'peer: Portkey OSS gateway 1.15.2',
    },
    {
      ...stream,
      name: 'portkey-stream',
      target: 'portkey',
      headers: portkeyHeaders(simUrl),
      bodies: [chat('legal@1', { stream: true })],
      uniqueBodies: true,
      note: 'peer: Portkey, streaming',
    },
  );
  for (const s of list) {
    if (TARGET_OF[s.name] !== s.target)
      throw new Error(`scenario ${s.name}: target ${s.target} disagrees with TARGET_OF`);
    const reason = stand.missing.get(s.target);
    if (reason) s.skipped = reason;
    else if (!stand.targets.has(s.target)) s.skipped = `target ${s.target} not started`;
  }
  return list;
}

async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: body.replaceAll('[<id>]', `probe-${Math.random().toString(36).slice(2)}`),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Checks each runnable scenario once; a failed probe marks it skipped with what was seen. */
export async function probe(stand: Stand, list: Scenario[]): Promise<void> {
  for (const s of list) {
    if (s.skipped) continue;
    const url = stand.targets.get(s.target)!.url + PATH;
    try {
      for (const body of s.bodies) {
        const r = await post(url, s.headers, body);
        if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`);
        if (s.kind === 'stream' && !r.text.includes('data: [DONE]')) throw new Error('stream did not end with [DONE]');
      }
      if (s.name === 'lorag-hit' || s.name === 'lorag-hit-redis') {
        const again = await post(url, s.headers, s.bodies[0]);
        const seen = again.headers.get('x-lorag-cache');
        if (seen !== 'hit')
          throw new Error(
            `response cache not wired into the gateway yet (second identical request: x-lorag-cache: ${seen})`,
          );
      }
      if (s.name === 'lorag-hybrid') {
        const r = await post(url, s.headers, s.bodies[0]);
        if (r.headers.get('x-lorag-strategy') !== 'hybrid' || !r.text.includes('"citations":[{')) {
          throw new Error(
            `hybrid retrieval not answering with citations (strategy ${r.headers.get('x-lorag-strategy')}, degraded ${r.headers.get('x-lorag-degraded')})`,
          );
        }
      }
      if (s.name === 'lorag-traced') {
        const until = Date.now() + 4000;
        while (stand.sink.exports === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        if (stand.sink.exports === 0)
          throw new Error('tracing not wired into `lorag serve` yet (no span export reached the OTLP sink)');
      }
    } catch (err) {
      s.skipped = (err as Error).message.split('\n')[0];
    }
  }
}
