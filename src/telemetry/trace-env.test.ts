import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as sdk from '@opentelemetry/sdk-trace';
import { batchOptionsFromEnv, otlpProtocol, samplerFromEnv, tracesExporterKind, tracingWanted } from './trace-env.ts';

describe('OTEL_* variables', () => {
  it('turns tracing on by config or by OTEL_TRACES_EXPORTER, and off by none or OTEL_SDK_DISABLED', () => {
    assert.equal(tracingWanted(false, {}), false);
    assert.equal(tracingWanted(true, {}), true);
    assert.equal(tracingWanted(false, { OTEL_TRACES_EXPORTER: 'otlp' }), true);
    assert.equal(tracingWanted(true, { OTEL_TRACES_EXPORTER: 'none' }), false);
    assert.equal(tracingWanted(true, { OTEL_SDK_DISABLED: 'true' }), false);
    assert.equal(tracesExporterKind({ OTEL_TRACES_EXPORTER: 'zipkin, console' }), 'console');
    assert.throws(() => tracesExporterKind({ OTEL_TRACES_EXPORTER: 'zipkin' }), /OTEL_TRACES_EXPORTER=zipkin/);
  });

  it('builds the sampler the spec names, parent-based always-on by default', () => {
    assert.match(samplerFromEnv({}, sdk).toString(), /ParentBased\{root=AlwaysOnSampler/);
    assert.match(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }, sdk).toString(), /AlwaysOffSampler/);
    assert.match(
      samplerFromEnv(
        { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' },
        sdk,
      ).toString(),
      /TraceIdRatioBased\{0\.25\}/,
    );
    assert.throws(
      () => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, sdk),
      /ARG=2/,
    );
    assert.throws(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, sdk), /jaeger_remote/);
  });

  it('reads the batch processor settings and rejects nonsense', () => {
    assert.deepEqual(batchOptionsFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_MAX_QUEUE_SIZE: '4096' }), {
      scheduledDelayMillis: 200,
      maxQueueSize: 4096,
    });
    assert.deepEqual(batchOptionsFromEnv({}), {});
    assert.throws(() => batchOptionsFromEnv({ OTEL_BSP_EXPORT_TIMEOUT: '-1' }), /OTEL_BSP_EXPORT_TIMEOUT=-1/);
  });

  it('picks the OTLP protocol, signal-specific first, http/protobuf by default, and refuses grpc', () => {
    assert.equal(otlpProtocol({}), 'http/protobuf');
    assert.equal(otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }), 'http/json');
    assert.equal(
      otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }),
      'http/protobuf',
    );
    assert.throws(() => otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), /grpc/);
  });
});
