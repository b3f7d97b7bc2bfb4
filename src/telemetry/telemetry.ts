/**
 * @module telemetry/telemetry — one call for the composition root: tracing (first, so everything after it is
 * traced), metrics, logger and the observer the routes call; `shutdown()` flushes the last spans on drain.
 */
import type { DestinationStream, Logger } from 'pino';
import type { TelemetryConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createMetrics, type Metrics, type MetricsOptions } from './metrics.ts';
import { createObserver, poolEvents, type TelemetryObserver, type TelemetryPoolEvents } from './observer.ts';
import { type StartTracingOptions, startTracing, type Tracing } from './tracing.ts';

export interface Telemetry {
  tracing: Tracing;
  metrics: Metrics;
  logger: Logger;
  observer: TelemetryObserver;
  /** Pass to the ReplicaPool as its events: adapter loads and replica health become metrics. */
  poolEvents: TelemetryPoolEvents;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions extends MetricsOptions {
  tracing?: StartTracingOptions;
  /** Log destination (tests); default stdout. */
  logDestination?: DestinationStream;
}

export async function startTelemetry(config: TelemetryConfig, options: TelemetryOptions = {}): Promise<Telemetry> {
  const logger = createLogger(config, options.logDestination);
  const tracing = await startTracing(config, options.tracing);
  const metrics = createMetrics(config, options);
  if (tracing.enabled) logger.debug('tracing on');
  return {
    tracing,
    metrics,
    logger,
    observer: createObserver(metrics, logger),
    poolEvents: poolEvents(metrics),
    async shutdown() {
      await tracing.shutdown();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    },
  };
}
