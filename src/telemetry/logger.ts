/**
 * @module telemetry/logger — pino JSON logs, and the one line written per request. That line is built field by
 * field from a fixed list (never by spreading what the caller passed), so no prompt, completion or key can slip
 * in; prompts and completions go in `content` only when the tenant has `log_content: true`.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { TelemetryConfig } from './config.ts';
import { currentTraceId } from './spans.ts';

export type { Logger };

/**
 * JSON lines on stdout (or `destination`, for tests): `level` as a word, ISO `time`, `service: "lorag"`.
 * Authorization headers and API keys are redacted wherever a log call puts them by mistake.
 */
export function createLogger(config: Pick<TelemetryConfig, 'log_level'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.log_level,
    base: { service: 'lorag' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: [
        'authorization',
        'headers.authorization',
        'req.headers.authorization',
        'api_key',
        '*.api_key',
        'key',
        'headers["x-api-key"]',
      ],
      censor: '[redacted]',
    },
  };
  // stdout through an asynchronous, buffered destination: a synchronous write per request line was ~11% of the
  // gateway's CPU under load (profile in load/README.md). Buffered lines are flushed on shutdown.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }));
}

/** The fields of the request line; absent values are written as null so every line has the same shape. */
export interface RequestLogEntry {
  request_id: string;
  /** Defaults to the active span's trace id (null with tracing off). */
  trace_id?: string | null;
  /** The route pattern, e.g. `/v1/chat/completions`. */
  endpoint?: string | null;
  tenant?: string | null;
  /** `adapter@version` as served, or `base`. */
  adapter?: string | null;
  strategy?: string | null;
  cache?: string | null;
  status: number;
  duration_ms: number;
  ttft_ms?: number | null;
  tokens_in?: number | null;
  tokens_out?: number | null;
  replica?: string | null;
  /** As in `x-lorag-degraded`; [] when nothing degraded. */
  degraded?: readonly string[];
}

/** What the tenant sent and got back; logged only on opt-in. */
export interface RequestContent {
  request: unknown;
  response: string;
}

export interface RequestLogOptions {
  /** The tenant's `log_content`. Without it `content` is never called and nothing of it is written. */
  logContent?: boolean;
  /** Called only when `logContent` is true, so the text is not even gathered otherwise. */
  content?: () => RequestContent | undefined;
}

const round = (ms: number | null | undefined) => (ms == null ? null : Math.round(ms * 1000) / 1000);

/** Writes the request's one log line: `info`, or `error` for a 5xx. */
export function requestLog(logger: Logger, entry: RequestLogEntry, options: RequestLogOptions = {}): void {
  const line: Record<string, unknown> = {
    request_id: entry.request_id,
    trace_id: entry.trace_id ?? currentTraceId() ?? null,
    endpoint: entry.endpoint ?? null,
    tenant: entry.tenant ?? null,
    adapter: entry.adapter ?? null,
    strategy: entry.strategy ?? null,
    cache: entry.cache ?? null,
    status: entry.status,
    duration_ms: round(entry.duration_ms),
    ttft_ms: round(entry.ttft_ms),
    tokens_in: entry.tokens_in ?? null,
    tokens_out: entry.tokens_out ?? null,
    replica: entry.replica ?? null,
    degraded: entry.degraded ? [...entry.degraded] : [],
  };
  const level = entry.status >= 500 ? 'error' : 'info';
  if (options.logContent === true && options.content) {
    const content = options.content();
    if (content !== undefined) {
      // Tenant content can hold anything: it goes through pino and its redaction.
      line.content = { request: content.request, response: content.response };
      logger[level](line, 'request');
      return;
    }
  }
  writeRequestLine(logger, level, line);
}

const bindingsCache = new WeakMap<Logger, string>();

/**
 * The request line without pino's per-call serialiser and redaction (~4% of a cache hit's CPU in the bench
 * profile): its fields come from the fixed list above, so there is nothing to redact. Same shape as pino's
 * lines (`level` word, ISO `time`, the logger's bindings, `msg`), written to the logger's own destination.
 */
function writeRequestLine(logger: Logger, level: 'info' | 'error', line: Record<string, unknown>): void {
  if (!logger.isLevelEnabled(level)) return;
  let bindings = bindingsCache.get(logger);
  if (bindings === undefined) {
    const own = JSON.stringify(logger.bindings()).slice(1, -1);
    bindings = own ? `,${own}` : '';
    bindingsCache.set(logger, bindings);
  }
  const stream = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
  const fields = JSON.stringify(line).slice(1, -1);
  stream.write(`{"level":"${level}","time":"${new Date().toISOString()}"${bindings},${fields},"msg":"request"}\n`);
}
