/**
 * @module load/bench/load-http — a closed loop of `connections` keep-alive connections for `seconds`, driven
 * by autocannon in this process. Latencies are taken from autocannon's per-response event (hrtime, float ms):
 * its own histogram has a 1 ms floor, too coarse for sub-millisecond added latency.
 */
import autocannon from 'autocannon';
import { percentile, sortSamples } from './stats.ts';

export interface HttpLoad {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  /** One body, or several that each connection cycles through. */
  bodies: string[];
  /** Replace `[<id>]` in the body with a fresh id per request (each request a cache miss). */
  uniqueBodies?: boolean;
  /** Per-request headers that each connection cycles through with the bodies (many keys or tenants). */
  headerSets?: Record<string, string>[];
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  ttfbP50?: number;
  ttfbP99?: number;
}

export function runHttp(load: HttpLoad): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: load.url,
        method: 'POST',
        connections: load.connections,
        duration: load.seconds,
        headers: load.headers,
        body: load.bodies[0],
        requests: load.headerSets
          ? load.headerSets.map((headers, i) => ({ headers, body: load.bodies[i % load.bodies.length] }))
          : load.bodies.length > 1
            ? load.bodies.map((body) => ({ body }))
            : undefined,
        idReplacement: load.uniqueBodies ?? false,
        timeout: 30,
      },
      (err, result) => {
        if (err) return reject(err);
        const elapsed = (performance.now() - started) / 1000;
        const sorted = sortSamples(latencies);
        resolve({
          rps: latencies.length / Math.min(elapsed, result.duration || elapsed),
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          requests: latencies.length,
          errors: result.errors + result.timeouts + result.non2xx,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}
