/**
 * @module main — `lorag serve`: the composition root. Telemetry first, then config, dependencies by config
 * kind, the HTTP server (http/node-server.ts: timeouts, parser errors, drain); SIGHUP reloads the config (a
 * bad one is refused and the old one kept); SIGTERM drains: new requests get 503 + `connection: close`, idle
 * keep-alive sockets close at once, streams get `server.shutdown_grace_ms`, then each still open ends with an
 * SSE error event and `[DONE]`.
 */
import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.ts';
import { ConfigError, configPathFrom, loadConfigFile } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { buildDeps } from './deps.ts';
import { createGatewayServer } from './http/node-server.ts';
import { metricsListenerApp } from './http/routes/health.ts';
import { redisFromConfig } from './redis/connection.ts';
import { createResponseStore } from './responses/create-store.ts';
import { metricsSettings } from './telemetry/config.ts';
import { startTelemetry } from './telemetry/telemetry.ts';

export interface RunningGateway {
  url: string;
  port: number;
  /** The metrics-only listener (`telemetry.metrics.listen`), when configured. */
  metricsUrl?: string;
  reload(): void;
  close(): Promise<void>;
}

export async function startGateway(
  config: Config,
  options: { configPath?: string; log?: (line: string) => void } = {},
): Promise<RunningGateway> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Telemetry first, so that everything after it is traced.
  const telemetry = await startTelemetry(config.telemetry, {
    tenants: Object.keys(config.tenants),
    replicas: config.upstreams.base_models.flatMap((b) => b.replicas.map((r, i) => r.id ?? `${b.name}-${i}`)),
  });
  const built = await buildDeps(config, { observer: telemetry.observer, poolEvents: telemetry.poolEvents });
  // Stored Responses API objects: in Redis when `responses.store: redis` (shared by gateway replicas).
  const responsesRedis =
    config.responses.store === 'redis' ? redisFromConfig(config.redis, 'lorag-responses') : undefined;
  const responses = createResponseStore(config.responses, responsesRedis);
  const app = createApp(built.deps, { ...built.extra, responses });
  built.deps.pool.start();
  await built.deps.pool.pollOnce();

  const gatewayServer = createGatewayServer(app.fetch, config.server, log);
  const server = gatewayServer.server;
  await listen(server, config.server.port, config.server.host);
  // `telemetry.metrics.listen`: /metrics on its own address (not reachable by tenants), off the main port.
  const metricsListen = metricsSettings(config.telemetry.metrics).listen;
  let metricsServer: Server | undefined;
  if (metricsListen && built.deps.observer.renderMetrics) {
    metricsServer = createServer(getRequestListener(metricsListenerApp(built.deps).fetch));
    await listen(metricsServer, metricsListen.port, metricsListen.host);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host}:${port}`;

  return {
    url,
    port,
    reload() {
      if (!options.configPath) return;
      try {
        built.reload(loadConfigFile(options.configPath));
        log(`lorag: config reloaded from ${options.configPath}`);
      } catch (err) {
        log(`lorag: config reload refused, keeping the running config.\n${(err as Error).message}`);
      }
    },
    metricsUrl: metricsServer ? urlOf(metricsServer, metricsListen?.host ?? '127.0.0.1') : undefined,
    async close() {
      const { streamsEnded } = await gatewayServer.drain(config.server.shutdown_grace_ms);
      if (streamsEnded) log(`lorag: drain: ${streamsEnded} stream(s) ended with an error event after the grace`);
      if (metricsServer) {
        const ms = metricsServer;
        await new Promise<void>((resolve) => ms.close(() => resolve()));
        ms.closeAllConnections();
      }
      await built.close();
      await responsesRedis?.close();
      await telemetry.shutdown();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function urlOf(server: Server, host: string): string {
  const a = server.address();
  return `http://${host.includes(':') ? `[${host}]` : host}:${typeof a === 'object' && a ? a.port : 0}`;
}

export async function main(argv: string[]): Promise<void> {
  const path = configPathFrom(argv);
  let config: Config;
  try {
    config = loadConfigFile(path);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const gateway = await startGateway(config, { configPath: path });
  process.stderr.write(`lorag: gateway listening on ${gateway.url} (config ${path})\n`);
  process.on('SIGHUP', () => gateway.reload());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`lorag: ${signal}: draining (up to ${config.server.shutdown_grace_ms} ms)\n`);
    void gateway.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
