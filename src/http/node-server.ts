/**
 * @module http/node-server — the node:http server around the Hono app, hardened against slow and malformed
 * clients: header/body/idle timeouts from `server.*` (Node's defaults would hold a 1 byte/s body for minutes),
 * Node's own parser errors (431, malformed request line, 408) answered with OpenAI's error envelope instead of
 * an empty body, and a drain that refuses new requests (503 + `connection: close`), closes idle keep-alive
 * sockets at once, gives streams the grace and then ends each with an SSE error event and `[DONE]`.
 */
import { createServer, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { ServerConfig } from '../config/server-section.ts';
import { type ErrorCode, errorCodes } from '../errors/codes.ts';
import { endOpenStreams, openStreamCount } from './stream-sink.ts';

/** A socket with its count of answers under way and since when it has been idle (drain bookkeeping). */
type TrackedSocket = Socket & { loragActive?: number; loragIdleSince?: number };
/** How long a socket that became idle during a drain stays open for a request already on its way. */
const DRAIN_IDLE_LINGER_MS = 300;

export interface GatewayServer {
  server: Server;
  /** Stops accepting, drains, ends streams still open after `graceMs`; resolves when every socket is gone. */
  drain(graceMs: number): Promise<{ streamsEnded: number }>;
}

type Fetch = Parameters<typeof getRequestListener>[0];

export function envelope(code: ErrorCode, message: string): string {
  return JSON.stringify({ error: { message, type: errorCodes[code].type, param: null, code } });
}

/** A complete raw HTTP/1.1 response, for sockets that never got as far as a ServerResponse. */
function rawResponse(code: ErrorCode, message: string): string {
  const { status, retryable } = errorCodes[code];
  const body = envelope(code, message);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'content-type: application/json\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-should-retry: ${retryable}\r\n` +
    'connection: close\r\n\r\n' +
    body
  );
}

/** Node's parser / timeout errors → an error code; null: nothing worth answering (the peer is gone). */
function clientErrorCode(err: NodeJS.ErrnoException): [ErrorCode, string] | null {
  switch (err.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return null;
    case 'HPE_HEADER_OVERFLOW':
      return ['headers_too_large', 'The request headers are too large.'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return ['request_timeout', 'The request was not received in time.'];
    case 'HPE_INVALID_METHOD':
    case 'HPE_INVALID_URL':
    case 'HPE_INVALID_VERSION':
      return ['invalid_request', 'The request line is malformed.'];
    default:
      return ['invalid_request', 'The request could not be parsed as HTTP/1.1.'];
  }
}

export function createGatewayServer(fetch: Fetch, config: ServerConfig, log: (line: string) => void): GatewayServer {
  const listener = getRequestListener(fetch, {
    hostname: config.host,
    // A request Hono cannot even represent (a bad Host header): OpenAI's envelope, not an empty 400.
    errorHandler: () =>
      new Response(envelope('invalid_request', 'The request could not be parsed (check the Host header).'), {
        status: 400,
        headers: { 'content-type': 'application/json', 'x-should-retry': 'false' },
      }),
  });
  let draining = false;
  const open = new Set<ServerResponse>();
  const sockets = new Set<TrackedSocket>();
  const server = createServer(
    {
      headersTimeout: config.headers_timeout_ms,
      requestTimeout: config.request_timeout_ms,
      keepAliveTimeout: config.idle_timeout_ms,
      // Node checks the two timeouts above only this often (default 30 s, which would double them).
      connectionsCheckingInterval: Math.max(25, Math.min(5000, Math.floor(config.headers_timeout_ms / 4))),
    },
    (req, res) => {
      const socket = req.socket as TrackedSocket;
      socket.loragActive = (socket.loragActive ?? 0) + 1;
      res.once('close', () => {
        socket.loragActive = (socket.loragActive ?? 1) - 1;
        socket.loragIdleSince = Date.now();
      });
      if (!draining) {
        // Remembered until finished, so that a drain can tell answers still to come to close their connection.
        open.add(res);
        res.once('close', () => open.delete(res));
        return void listener(req, res);
      }
      const body = envelope('shutting_down', 'The gateway is shutting down; retry the request.');
      res.writeHead(503, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-should-retry': 'true',
        connection: 'close',
      });
      res.end(body);
    },
  );
  server.on('connection', (socket: TrackedSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const answer = clientErrorCode(err);
    const res = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (answer && socket.writable && !res?.headersSent) {
      log(`lorag: client error ${err.code ?? ''}: answered ${errorCodes[answer[0]].status}`);
      socket.end(rawResponse(...answer));
    } else socket.destroy();
  });

  return {
    server,
    async drain(graceMs) {
      draining = true;
      // Answers whose headers are not out yet say `connection: close`: a client must not reuse a socket the
      // drain is about to close (it would see "other side closed" instead of an answer).
      for (const res of open) if (!res.headersSent) res.shouldKeepAlive = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Keep-alive sockets that finish their response while draining become idle; a stream's response could not
      // say `connection: close` (its headers went out before the drain), so its client may reuse the socket at
      // once. Such a socket is closed only after it stayed idle a moment: a request that does arrive on it gets
      // the 503 envelope with `connection: close` instead of "other side closed".
      const sweep = setInterval(() => {
        const now = Date.now();
        for (const socket of sockets) {
          if ((socket.loragActive ?? 0) === 0 && now - (socket.loragIdleSince ?? 0) >= DRAIN_IDLE_LINGER_MS) {
            socket.destroy();
          }
        }
      }, 50);
      let streamsEnded = 0;
      const grace = new Promise<'grace'>((resolve) => setTimeout(() => resolve('grace'), graceMs).unref());
      const first = await Promise.race([closed.then(() => 'closed' as const), grace]);
      if (first === 'grace') {
        if (openStreamCount(server) > 0) {
          streamsEnded = endOpenStreams('The gateway is shutting down; the answer was cut short. Retry the request.', {
            server,
          });
          log(`lorag: drain: ended ${streamsEnded} open stream(s) with an error event after the grace`);
        }
        // Let the final events flush, then cut whatever is left (non-stream requests past the grace).
        await Promise.race([closed, new Promise((r) => setTimeout(r, 200).unref())]);
        server.closeAllConnections();
        await closed;
      }
      clearInterval(sweep);
      return { streamsEnded };
    },
  };
}
