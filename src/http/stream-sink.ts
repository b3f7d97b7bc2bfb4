/**
 * @module http/stream-sink — writes an SSE response. Under @hono/node-server it writes straight into Node's
 * ServerResponse (measured: piping into Node's response is ~45% faster than a web `Response` stream, see
 * shared/reference/performance.md); under `app.request()` (tests) it falls back to a pull-free web stream.
 * Every open sink is tracked, so that a draining gateway can end the streams still open after the grace
 * with an SSE error event and `[DONE]` (endOpenStreams) instead of cutting them mid-event.
 */
import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';

export interface StreamSink {
  /** Resolves when the chunk is flushed or buffered below the high-water mark (backpressure). */
  write(chunk: string): Promise<void> | undefined;
  end(): void;
  /** True once the client has gone away. */
  readonly closed: boolean;
  /** Called once when the client disconnects before end(). */
  onAbort(cb: () => void): void;
}

interface TrackedSink {
  /** The node:http server the stream's connection belongs to (several gateways may share a test process). */
  owner: unknown;
  /** Writes the final error event and `[DONE]`, ends the response, and stops the relay feeding it. */
  endWithError(frame: string): void;
}
const openSinks = new Set<TrackedSink>();

/** Streams currently open in this process (on `server` only, when given). */
export function openStreamCount(server?: unknown): number {
  let n = 0;
  for (const s of openSinks) if (server === undefined || s.owner === server) n++;
  return n;
}

/**
 * Ends every open stream with an SSE error event (OpenAI's envelope, `code`) and `data: [DONE]`; the relays
 * feeding them stop at their next chunk and abort their upstream calls. Returns how many were ended.
 */
export function endOpenStreams(message: string, options: { server?: unknown; code?: string } = {}): number {
  const error = { message, type: 'server_error', param: null, code: options.code ?? 'shutting_down' };
  const frame = `data: ${JSON.stringify({ error })}\n\ndata: [DONE]\n\n`;
  const sinks = [...openSinks].filter((s) => options.server === undefined || s.owner === options.server);
  for (const s of sinks) s.endWithError(frame);
  return sinks.length;
}

export const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};

export function openStream(c: Context, headers: Record<string, string>): { sink: StreamSink; response: Response } {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  return outgoing ? nodeSink(outgoing, headers) : webSink(headers);
}

function nodeSink(res: ServerResponse, headers: Record<string, string>): { sink: StreamSink; response: Response } {
  // Not flushed on their own: Node sends the headers with the first event in one write (a separate header
  // write was ~5% of a stream's CPU in the bench profile). The relay writes as soon as the first event is read.
  res.writeHead(200, { ...sseHeaders, ...headers });
  let closed = false;
  let ended = false;
  const aborts: (() => void)[] = [];
  const tracked: TrackedSink = {
    owner: (res.socket as { server?: unknown } | null)?.server,
    endWithError(frame) {
      if (closed || ended) return;
      res.write(frame);
      closed = true; // the relay sees a closed sink and stops writing
      ended = true;
      openSinks.delete(tracked);
      res.end();
      for (const cb of aborts) cb();
    },
  };
  openSinks.add(tracked);
  res.on('close', () => {
    openSinks.delete(tracked);
    if (closed) return;
    closed = true;
    if (!ended) for (const cb of aborts) cb();
  });
  const sink: StreamSink = {
    write(chunk) {
      if (closed || ended) return undefined;
      if (res.write(chunk)) return undefined;
      return new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    },
    end() {
      if (ended) return;
      ended = true;
      openSinks.delete(tracked);
      if (!closed) res.end();
    },
    get closed() {
      return closed;
    },
    onAbort(cb) {
      aborts.push(cb);
    },
  };
  return { sink, response: RESPONSE_ALREADY_SENT };
}

function webSink(headers: Record<string, string>): { sink: StreamSink; response: Response } {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let ended = false;
  const aborts: (() => void)[] = [];
  const tracked: TrackedSink = {
    owner: null,
    endWithError(frame) {
      if (closed || ended) return;
      controller.enqueue(encoder.encode(frame));
      closed = true;
      ended = true;
      openSinks.delete(tracked);
      controller.close();
      for (const cb of aborts) cb();
    },
  };
  openSinks.add(tracked);
  const stream = new ReadableStream<Uint8Array>({
    start(ctrl) {
      controller = ctrl;
    },
    cancel() {
      openSinks.delete(tracked);
      closed = true;
      if (!ended) for (const cb of aborts) cb();
    },
  });
  const sink: StreamSink = {
    write(chunk) {
      if (!closed && !ended) controller.enqueue(encoder.encode(chunk));
      return undefined;
    },
    end() {
      if (ended) return;
      ended = true;
      openSinks.delete(tracked);
      if (!closed) controller.close();
    },
    get closed() {
      return closed;
    },
    onAbort(cb) {
      aborts.push(cb);
    },
  };
  return { sink, response: new Response(stream, { status: 200, headers: { ...sseHeaders, ...headers } }) };
}
