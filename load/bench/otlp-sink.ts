/**
 * @module load/bench/otlp-sink — a local OTLP/HTTP receiver for `lorag-traced`: accepts POST /v1/traces,
 * counts exports and bytes, answers 200 with an empty (valid) ExportTraceServiceResponse. Nothing is parsed.
 */
import { createServer, type Server } from 'node:http';

export interface OtlpSink {
  url: string;
  exports: number;
  bytes: number;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const sink = { url: '', exports: 0, bytes: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      sink.bytes += chunk.length;
    });
    req.on('end', () => {
      if (req.url?.startsWith('/v1/traces')) sink.exports++;
      const json = String(req.headers['content-type'] ?? '').includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  sink.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  sink.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sink;
}
