/**
 * The stand a fault is injected into: real `lorag sim` replicas, optionally Redis, and `lorag serve` as its own
 * process (so it can be signalled), all on loopback with logs in one run directory; SDK clients per tenant and
 * request builders for the traffic mix.
 */
import OpenAI from 'openai';
import {
  type GatewayProc,
  type Proc,
  type RedisProc,
  runDir,
  type SimProc,
  startGatewayProc,
  startRedis,
  startSimProc,
} from '../helpers/processes.ts';
import { keys, type StackOptions, testConfig } from '../helpers/stack.ts';
import type { Seen } from './outcomes.ts';
import { observe } from './outcomes.ts';

export interface FaultStand {
  dir: string;
  sims: SimProc[];
  redis: RedisProc | null;
  gateway: GatewayProc;
  client(tenant: 'legal' | 'hr'): OpenAI;
  /** One chat request as a client sends it, observed to its outcome. */
  chat(
    tenant: 'legal' | 'hr',
    n: number,
    options?: { stream?: boolean; cacheable?: boolean; maxTokens?: number; model?: string },
  ): Promise<Seen>;
  close(): Promise<void>;
}

export interface FaultStandOptions {
  name: string;
  /** Flags of each simulator (one entry per replica). */
  sims: string[][];
  redis?: boolean;
  config?: StackOptions['config'];
  tenants?: StackOptions['tenants'];
}

const highLimits = { requests_per_minute: 1_000_000, tokens_per_minute: 1_000_000_000 };

export async function startFaultStand(o: FaultStandOptions): Promise<FaultStand> {
  const dir = runDir(`faults-${o.name}`);
  const redis = o.redis ? await startRedis(dir) : null;
  // Room for every adapter the traffic uses (a later --max-loras in `flags` wins): with one LoRA slot, a
  // stream for one adapter can starve behind a steady flow for another (vLLM's scheduling), which is not
  // the fault under test.
  const sims = await Promise.all(
    o.sims.map((flags, i) => startSimProc(dir, `sim-${i}`, ['--max-loras', '4', ...flags])),
  );
  const redisConfig = redis
    ? { redis: { url: redis.url, key_prefix: 'lorag-faults:' }, cache: { kind: 'redis' }, limits: { kind: 'redis' } }
    : { cache: { kind: 'memory' } };
  const config = testConfig(
    sims.map((s) => s.url),
    {
      config: { ...redisConfig, telemetry: { log_level: 'info' }, ...o.config },
      tenants: { legal: { limits: highLimits }, hr: { limits: highLimits }, ...o.tenants },
    },
  ) as Record<string, any>;
  const gateway = await startGatewayProc(dir, 'gateway', config);
  const clients = {
    legal: new OpenAI({ apiKey: keys.legal, baseURL: `${gateway.url}/v1`, maxRetries: 0 }),
    hr: new OpenAI({ apiKey: keys.hr, baseURL: `${gateway.url}/v1`, maxRetries: 0 }),
  };
  const procs: Proc[] = [gateway.proc, ...sims.map((s) => s.proc)];
  return {
    dir,
    sims,
    redis,
    gateway,
    client: (tenant) => clients[tenant],
    chat(tenant, n, options = {}) {
      const body = {
        model: options.model ?? tenant,
        messages: [{ role: 'user' as const, content: options.cacheable ? `question ${n % 5}` : `question ${n}` }],
        max_tokens: options.maxTokens ?? 8,
        ...(options.cacheable ? { temperature: 0 } : {}),
      };
      return observe((signal) =>
        options.stream
          ? clients[tenant].chat.completions.create({ ...body, stream: true }, { signal })
          : clients[tenant].chat.completions.create(body, { signal }),
      );
    },
    async close() {
      for (const p of procs) await p.kill('SIGKILL');
      await redis?.kill();
    },
  };
}
