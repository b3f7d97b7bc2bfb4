/**
 * @module main — `lorag serve`: the composition root. Telemetry first, then config, dependencies by config
 * kind, the HTTP server; SIGHUP reloads the config (a bad one is refused and the old one kept); SIGTERM
 * drains (stop accepting, let streams finish up to `server.shutdown_grace_ms`, then exit).
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { ConfigError, configPathFrom, loadConfigFile } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { buildDeps } from './deps.ts';
import { startTelemetry } from './telemetry/telemetry.ts';

export interface RunningGateway {
  url: string;
  port: number;
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
  const app = createApp(built.deps, built.extra);
  built.deps.pool.start();
  await built.deps.pool.pollOnce();

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.server.host, port: config.server.port }, () =>
      resolve(s as Server),
    );
  });
  server.keepAliveTimeout = 65_000;
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
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, config.server.shutdown_grace_ms).unref();
      });
      await built.close();
      await telemetry.shutdown();
    },
  };
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
