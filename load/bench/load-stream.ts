/**
 * @module load/bench/load-stream — a closed loop of streaming requests on undici (autocannon cannot see the
 * first byte of an SSE body): each of `connections` workers sends a request, times the first body chunk
 * (time to first byte) and the end of the stream (total), and starts the next. Optionally holds N streams
 * open at once (`runOpenStreams`) to measure the proxy's memory under many slow streams.
 */
import { Pool } from 'undici';
import type { LoadResult } from './load-http.ts';
import { percentile, sortSamples } from './stats.ts';

export interface StreamLoad {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  body: string;
  /** Replace `[<id>]` in the body with a fresh id per request. */
  uniqueBodies?: boolean;
}

let counter = 0;
const bodyFor = (load: StreamLoad) =>
  load.uniqueBodies ? load.body.replaceAll('[<id>]', `s${process.pid}-${++counter}`) : load.body;

async function oneStream(
  pool: Pool,
  path: string,
  load: StreamLoad,
  signal?: AbortSignal,
): Promise<{ ttfb: number; total: number; ok: boolean }> {
  const t0 = performance.now();
  const res = await pool.request({ method: 'POST', path, headers: load.headers, body: bodyFor(load), signal });
  let ttfb = -1;
  let tail = '';
  for await (const chunk of res.body) {
    if (ttfb < 0) ttfb = performance.now() - t0;
    tail = (tail + (chunk as Buffer).toString('latin1')).slice(-32);
  }
  const total = performance.now() - t0;
  return { ttfb, total, ok: res.statusCode === 200 && tail.includes('[DONE]') };
}

export async function runStream(load: StreamLoad): Promise<LoadResult> {
  const url = new URL(load.url);
  const pool = new Pool(url.origin, { connections: load.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const ttfbs: number[] = [];
  const totals: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + load.seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const r = await oneStream(pool, url.pathname, load);
        if (r.ok) {
          ttfbs.push(r.ttfb);
          totals.push(r.total);
        } else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: load.connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  const t = sortSamples(totals);
  const f = sortSamples(ttfbs);
  return {
    rps: totals.length / elapsed,
    p50: percentile(t, 50),
    p99: percentile(t, 99),
    ttfbP50: percentile(f, 50),
    ttfbP99: percentile(f, 99),
    requests: totals.length,
    errors,
  };
}

/**
 * Opens `count` streams at once (against an upstream slow enough that they stay open), waits until every
 * one has sent its first chunk, calls `whileOpen`, then lets them finish. Returns how many opened and ended well.
 */
export async function runOpenStreams(
  load: StreamLoad & { count: number },
  whileOpen: () => Promise<void>,
): Promise<{ opened: number; completed: number }> {
  const url = new URL(load.url);
  const pool = new Pool(url.origin, { connections: load.count, pipelining: 1 });
  let opened = 0;
  let completed = 0;
  let allOpen!: () => void;
  const allOpenP = new Promise<void>((r) => {
    allOpen = r;
  });
  const one = async () => {
    try {
      const res = await pool.request({
        method: 'POST',
        path: url.pathname,
        headers: load.headers,
        body: bodyFor(load),
      });
      let first = true;
      let tail = '';
      for await (const chunk of res.body) {
        if (first) {
          first = false;
          if (++opened === load.count) allOpen();
        }
        tail = (tail + (chunk as Buffer).toString('latin1')).slice(-32);
      }
      if (res.statusCode === 200 && tail.includes('[DONE]')) completed++;
    } catch {
      // counted as not completed
    }
  };
  const all = Promise.all(Array.from({ length: load.count }, one));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([allOpenP, all, new Promise((r) => (timer = setTimeout(r, load.seconds * 1000)))]);
  clearTimeout(timer);
  await whileOpen();
  await all;
  await pool.close();
  return { opened, completed };
}
