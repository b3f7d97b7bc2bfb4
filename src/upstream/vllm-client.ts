/**
 * @module upstream/vllm-client — one undici Pool per vLLM replica (keep-alive, created once, never per
 * request). Timeouts: connect, first byte (`headersTimeout`: queueing + prefill) and the idle gap between
 * body chunks (`bodyTimeout`). Takes a Dispatcher so tests can swap the transport.
 */
import { type Dispatcher, Pool } from 'undici';

export interface ClientTimeouts {
  connect_ms: number;
  first_byte_ms: number;
  idle_ms: number;
}

export interface ReplicaClient {
  readonly id: string;
  readonly url: string;
  post(
    path: string,
    body: string,
    options?: { signal?: AbortSignal; headers?: Record<string, string>; timeoutMs?: number },
  ): Promise<Dispatcher.ResponseData>;
  get(path: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Dispatcher.ResponseData>;
  close(): Promise<void>;
}

export interface ReplicaClientOptions {
  id: string;
  url: string;
  apiKey?: string;
  timeouts: ClientTimeouts;
  connections: number;
  /** For tests: any undici Dispatcher (MockAgent, …). */
  dispatcher?: Dispatcher;
}

export function createReplicaClient(options: ReplicaClientOptions): ReplicaClient {
  const origin = new URL(options.url).origin;
  const basePath = new URL(options.url).pathname.replace(/\/+$/, '');
  const dispatcher =
    options.dispatcher ??
    new Pool(origin, {
      connections: options.connections,
      connectTimeout: options.timeouts.connect_ms,
      headersTimeout: options.timeouts.first_byte_ms,
      bodyTimeout: options.timeouts.idle_ms,
      keepAliveTimeout: 30_000,
    });
  const auth: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const jsonHeaders = { 'content-type': 'application/json', ...auth };

  return {
    id: options.id,
    url: options.url,
    post(path, body, opts = {}) {
      return dispatcher.request({
        origin,
        method: 'POST',
        path: basePath + path,
        body,
        headers: opts.headers ? { ...jsonHeaders, ...opts.headers } : jsonHeaders,
        signal: opts.signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
    },
    get(path, opts = {}) {
      return dispatcher.request({
        origin,
        method: 'GET',
        path: basePath + path,
        headers: auth,
        signal: opts.signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
    },
    async close() {
      if (!options.dispatcher) await dispatcher.close();
    },
  };
}
