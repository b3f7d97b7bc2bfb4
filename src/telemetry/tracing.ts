/**
 * @module telemetry/tracing — OpenTelemetry trace SDK setup. Off unless `telemetry.traces: true` or
 * OTEL_TRACES_EXPORTER is set; when off nothing is registered, and the API's no-op tracer makes every span
 * helper nearly free. Export is OTLP over HTTP (protobuf by default, JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json)
 * configured by the standard OTEL_EXPORTER_OTLP_* variables.
 *
 * Call `startTracing` first thing in main (before the server is built) and `shutdown()` on drain, so the
 * last batch of spans is flushed.
 */
import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
// Types only: the SDK, its exporters and resources are imported when tracing starts — a gateway with tracing
// off does not load them (~26 MB of RSS, a quarter of an idle gateway's).
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config.ts';
import { setTracingRecording } from './spans.ts';
import {
  batchOptionsFromEnv,
  type Env,
  otlpProtocol,
  samplerFromEnv,
  tracesExporterKind,
  tracingWanted,
} from './trace-env.ts';

export interface Tracing {
  /** True when an SDK was registered (spans are recorded and exported). */
  readonly enabled: boolean;
  /** Export everything ended so far (tests, or before a planned exit). */
  forceFlush(): Promise<void>;
  /** Flush and unregister; safe to call twice. After it, the API is back to no-op. */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  /** Test hook: export to this exporter (e.g. an InMemorySpanExporter) synchronously, sampling every span,
   *  regardless of config and env. */
  exporter?: SpanExporter;
  /** Where OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_* and OTEL_SDK_DISABLED are read; defaults
   *  to process.env, as is OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL. The OTLP exporter's other settings and the resource (OTEL_SERVICE_NAME,
   *  OTEL_RESOURCE_ATTRIBUTES) always read process.env. */
  env?: Env;
}

const disabled: Tracing = { enabled: false, forceFlush: async () => {}, shutdown: async () => {} };
let active: Tracing | undefined;

function serviceVersion(): string | undefined {
  try {
    // src/telemetry and dist/telemetry are both two levels below the package root.
    return (createRequire(import.meta.url)('../../package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}

async function exporterFor(env: Env): Promise<SpanExporter> {
  if (tracesExporterKind(env) === 'console')
    return new (await import('@opentelemetry/sdk-trace')).ConsoleSpanExporter();
  return otlpProtocol(env) === 'http/json'
    ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
    : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
}

/**
 * Registers the global tracer provider, W3C trace-context + baggage propagators and the async-local-storage
 * context manager. Throws if tracing is already started in this process (globals can be registered once).
 */
export async function startTracing(config: TelemetryConfig, options: StartTracingOptions = {}): Promise<Tracing> {
  const env = options.env ?? process.env;
  if (!options.exporter && !tracingWanted(config.traces, env)) return disabled;
  if (active) throw new Error('tracing is already started in this process; shut it down first');

  const [sdk, { AsyncLocalStorageContextManager }, core, resources] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  const { AlwaysOnSampler, BatchSpanProcessor, SimpleSpanProcessor, TracerProvider } = sdk;
  const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } = core;
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = resources;
  const version = serviceVersion();
  // Later merges win: our defaults, then OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'lorag', ...(version ? { 'service.version': version } : {}) }))
    .merge(detectResources({ detectors: [envDetector] }));

  const processor: SpanProcessor = options.exporter
    ? new SimpleSpanProcessor({ exporter: options.exporter })
    : new BatchSpanProcessor({ exporter: await exporterFor(env), ...batchOptionsFromEnv(env) });
  const provider = new TracerProvider({
    resource,
    sampler: options.exporter ? new AlwaysOnSampler() : samplerFromEnv(env, sdk),
    spanProcessors: [processor],
  });

  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(contextManager))
    throw new Error('another OpenTelemetry context manager is registered');
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  setTracingRecording(true);

  let stopped = false;
  const tracing: Tracing = {
    enabled: true,
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      if (stopped) return;
      stopped = true;
      try {
        await provider.shutdown();
      } finally {
        setTracingRecording(false);
        trace.disable();
        propagation.disable();
        context.disable();
        active = undefined;
      }
    },
  };
  active = tracing;
  return tracing;
}
