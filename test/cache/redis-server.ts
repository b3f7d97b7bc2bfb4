/**
 * A private `redis-server` for tests: a random free port, no persistence, and stop()/start() so that a test can
 * take Redis away mid-run and bring it back on the same port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before } from 'node:test';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';

export interface TestRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child) return;
      const proc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child = proc;
      let out = '';
      await new Promise<void>((resolve, reject) => {
        proc.on('error', reject);
        proc.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
        proc.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Ready to accept connections')) resolve();
        });
      });
      proc.removeAllListeners('exit');
      proc.stdout!.resume();
      proc.stderr!.resume();
    },
    async stop() {
      const proc = child;
      if (!proc) return;
      child = undefined;
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = once(proc, 'exit');
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
  await redis.start();
  return redis;
}

/**
 * A private Redis for one test file: started in `before`, stopped in `after`, with `connect()` opening
 * connections (closed in `after`) that are ready before they are returned.
 */
export function redisForTestFile(commandTimeoutMs: number): {
  server(): TestRedis;
  connect(keyPrefix: string): Promise<RedisConnection>;
} {
  let server: TestRedis | undefined;
  const connections: RedisConnection[] = [];
  before(async () => {
    server = await startTestRedis();
  });
  after(async () => {
    for (const c of connections) await c.close();
    await server?.stop();
  });
  return {
    server: () => server!,
    async connect(keyPrefix) {
      const conn = createRedisConnection({ url: server!.url, commandTimeoutMs, keyPrefix });
      connections.push(conn);
      if (!(await conn.waitReady(5000))) throw new Error(`test Redis on ${server!.url} not ready`);
      return conn;
    },
  };
}
