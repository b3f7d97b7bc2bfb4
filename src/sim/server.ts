/**
 * @module sim/server — `startSim(options)`: the vLLM simulator on plain `node:http` (no framework: it is
 * the bench's upstream at zero think time), with keep-alive and no per-request allocation beyond the work.
 *
 * @example
 *   const sim = await startSim({ port: 0, maxLoras: 2, allowRuntimeLoraUpdating: true });
 *   const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x' });
 *   await sim.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type SimContext, seededRandom } from './context.ts';
import { handleEmbeddings } from './embeddings.ts';
import { readBody, sendDetail, sendError, sendJson } from './http-io.ts';
import { handleChat, handleCompletion } from './inference-routes.ts';
import { handleLoad, handleUnload, loadAdapter } from './lora-routes.ts';
import { createLoraSlots } from './lora-slots.ts';
import { createSimMetrics } from './metrics.ts';
import { createRegistry, modelList } from './models.ts';
import { type ResolvedSimOptions, resolveSimOptions, type SimOptions } from './options.ts';
import { createSimState, type SimState } from './state.ts';
import { handleTokenize } from './tokenize-route.ts';

export interface RunningSim {
  /** `http://host:port`, without a trailing slash (the OpenAI baseURL is `${url}/v1`). */
  url: string;
  port: number;
  options: ResolvedSimOptions;
  state: SimState;
  close(): Promise<void>;
}

type Handler = (ctx: SimContext, req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

const CURRENT_VERSION = '0.11.0';
const LEGACY_VERSION = '0.10.0';

async function empty(_ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await readBody(req);
  res.writeHead(200, { 'content-length': 0 });
  res.end();
}

function routes(ctx: SimContext): Map<string, Partial<Record<string, Handler>>> {
  const table = new Map<string, Partial<Record<string, Handler>>>([
    ['/v1/chat/completions', { POST: handleChat }],
    ['/v1/completions', { POST: handleCompletion }],
    ['/v1/embeddings', { POST: handleEmbeddings }],
    ['/v1/models', { GET: (c, _q, res) => sendJson(res, 200, modelList(c.registry, c.opts.maxModelLen)) }],
    ['/tokenize', { POST: handleTokenize }],
    ['/health', { GET: empty }],
    ['/ping', { GET: empty, POST: empty }],
    [
      '/version',
      {
        GET: (c, _q, res) => sendJson(res, 200, { version: c.compat === 'legacy' ? LEGACY_VERSION : CURRENT_VERSION }),
      },
    ],
    ['/load', { GET: (c, _q, res) => sendJson(res, 200, { server_load: c.slots.running + c.slots.waiting }) }],
    [
      '/metrics',
      {
        GET: (c, _q, res) => {
          const text = c.metrics.render();
          res.writeHead(200, {
            'content-type': 'text/plain; version=0.0.4; charset=utf-8',
            'content-length': Buffer.byteLength(text),
          });
          res.end(text);
        },
      },
    ],
  ]);
  // Like vLLM, the routes only exist when runtime updating is on (otherwise Starlette's 404).
  if (ctx.opts.allowRuntimeLoraUpdating) {
    table.set('/v1/load_lora_adapter', { POST: handleLoad });
    table.set('/v1/unload_lora_adapter', { POST: handleUnload });
  }
  return table;
}

export async function startSim(options: SimOptions = {}): Promise<RunningSim> {
  const opts = resolveSimOptions(options);
  const registry = createRegistry(opts.model, opts.servedModelNames);
  const ctx = {
    opts,
    compat: opts.vllmCompat,
    registry,
    random: seededRandom(opts.seed),
    loadLocks: new Map(),
    shutdown: new AbortController(),
  } as Omit<SimContext, 'slots' | 'metrics'> as SimContext;
  ctx.metrics = createSimMetrics(
    {
      compat: ctx.compat,
      modelName: opts.servedModelNames[0],
      maxLoras: opts.maxLoras,
      kvCacheTokens: opts.kvCacheTokens,
    },
    () => ctx.slots,
  );
  ctx.slots = createLoraSlots(opts.maxLoras, opts.maxNumSeqs, () => ctx.metrics.touchLoraInfo());
  // Static adapters load through the same path as the API; any failure stops startup (vLLM init_static_loras).
  for (const m of opts.loraModules) {
    try {
      await loadAdapter(ctx, m.name, m.path, { baseModelName: m.base_model_name });
    } catch (err) {
      throw new Error(`--lora-modules ${m.name}=${m.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const table = routes(ctx);
  const server = createServer((req, res) => {
    if (opts.replicaId) res.setHeader('x-inference-pod', opts.replicaId);
    const q = req.url?.indexOf('?') ?? -1;
    const path = q >= 0 ? req.url!.slice(0, q) : (req.url ?? '/');
    const methods = table.get(path);
    if (!methods) return sendDetail(res, 404);
    const handler = methods[req.method ?? 'GET'];
    if (!handler) return sendDetail(res, 405);
    try {
      const done = handler(ctx, req, res);
      if (done) done.catch((err) => sendError(res, ctx.compat, err));
    } catch (err) {
      sendError(res, ctx.compat, err);
    }
  });
  // Keep idle keep-alive connections longer than typical client pools do, so the gateway reuses them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    options: opts,
    state: createSimState(ctx),
    close() {
      closing ??= new Promise<void>((resolve) => {
        ctx.shutdown.abort(new Error('simulator closing'));
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
