/**
 * @module telemetry/trace-env — the standard OTEL_* variables that the 3.x trace SDK no longer reads itself
 * (sampler, batch processor, exporter choice). The OTLP exporter still reads OTEL_EXPORTER_OTLP_* on its own,
 * and the env resource detector reads OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES.
 */
// Types only: the SDK itself is loaded by tracing.ts when tracing is on (it is ~26 MB of RSS otherwise).
import type * as SdkTrace from '@opentelemetry/sdk-trace';
import type { BatchSpanProcessorOptions, Sampler } from '@opentelemetry/sdk-trace';

/** The sampler classes of the loaded trace SDK. */
export type SamplerClasses = Pick<
  typeof SdkTrace,
  'AlwaysOnSampler' | 'AlwaysOffSampler' | 'ParentBasedSampler' | 'TraceIdRatioBasedSampler'
>;

export type Env = Record<string, string | undefined>;

/** Which exporter OTEL_TRACES_EXPORTER asks for: `otlp` (the default when tracing is on), `console` or `none`. */
export type TracesExporterKind = 'otlp' | 'console' | 'none';

export function tracesExporterKind(env: Env): TracesExporterKind | undefined {
  const raw = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (!raw) return undefined;
  // The spec allows a comma-separated list; we honour the first one we support.
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === 'otlp' || item === 'console' || item === 'none') return item;
  }
  throw new Error(`OTEL_TRACES_EXPORTER=${raw}: supported values are otlp, console, none`);
}

/** OTLP wire format: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else the spec's
 *  default http/protobuf. gRPC is not bundled (the collector takes OTLP/HTTP on 4318). */
export function otlpProtocol(env: Env): 'http/protobuf' | 'http/json' {
  const raw = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
  if (raw === 'http/protobuf' || raw === 'http/json') return raw;
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${raw}: lorag exports OTLP over HTTP; use http/protobuf or http/json`);
}

/** Tracing is on when the config says so or OTEL_TRACES_EXPORTER names an exporter; OTEL_SDK_DISABLED wins. */
export function tracingWanted(configTraces: boolean, env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const kind = tracesExporterKind(env);
  if (kind === 'none') return false;
  return configTraces || kind !== undefined;
}

function ratio(env: Env): number {
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  if (arg === undefined || arg.trim() === '') return 1;
  const value = Number(arg);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`OTEL_TRACES_SAMPLER_ARG=${arg}: must be a number between 0 and 1`);
  }
  return value;
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG; the spec's default is parentbased_always_on. */
export function samplerFromEnv(env: Env, sdk: SamplerClasses): Sampler {
  const { AlwaysOnSampler, AlwaysOffSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk;
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on';
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio(env));
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio(env)) });
    default:
      throw new Error(
        `OTEL_TRACES_SAMPLER=${name}: supported values are always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio`,
      );
  }
}

function positiveInt(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}=${raw}: must be a positive integer`);
  return value;
}

/** OTEL_BSP_* tuning for the batch span processor; unset variables keep the SDK's defaults. */
export function batchOptionsFromEnv(env: Env): Omit<BatchSpanProcessorOptions, 'exporter'> {
  const options: Omit<BatchSpanProcessorOptions, 'exporter'> = {};
  const delay = positiveInt(env, 'OTEL_BSP_SCHEDULE_DELAY');
  const queue = positiveInt(env, 'OTEL_BSP_MAX_QUEUE_SIZE');
  const batch = positiveInt(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  const timeout = positiveInt(env, 'OTEL_BSP_EXPORT_TIMEOUT');
  if (delay !== undefined) options.scheduledDelayMillis = delay;
  if (queue !== undefined) options.maxQueueSize = queue;
  if (batch !== undefined) options.maxExportBatchSize = batch;
  if (timeout !== undefined) options.exportTimeoutMillis = timeout;
  return options;
}
