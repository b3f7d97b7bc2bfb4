/**
 * Real processes for the suites that kill, stall or signal them (Schemathesis, faults, soak): `redis-server`,
 * `lorag sim` and `lorag serve`, each on a free loopback port with its output in a log file of one run
 * directory, readiness by polling, and stop/kill by the child's own pid (never by name).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const cli = join(repoRoot, 'src/cli.ts');

export interface Proc {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited (at once if it already has). */
  exited(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function runDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `lorag-${prefix}-`));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The environment of a child: no LORAG_* (every one is a config override) and no NODE_OPTIONS test flags. */
function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('LORAG_') && k !== 'NODE_TEST_CONTEXT' && k !== 'NODE_OPTIONS') env[k] = v;
  }
  return { ...env, ...extra };
}

export function spawnLogged(dir: string, name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { cwd: repoRoot, env: childEnv(env), stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const exitedP = gone() ? Promise.resolve() : once(child, 'exit').then(() => {});
  return {
    name,
    child,
    logFile,
    exited: () => (gone() ? Promise.resolve() : exitedP),
    async kill(signal = 'SIGKILL') {
      if (gone()) return;
      child.kill(signal);
      await exitedP;
    },
  };
}

export function logTail(proc: Proc, lines = 20): string {
  try {
    return readFileSync(proc.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls `url` until it answers below 500 (or `accept` says so). */
export async function waitHttp(proc: Proc, url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && proc.child.exitCode === null) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} not ready at ${url} (exit ${proc.child.exitCode}):\n${logTail(proc)}`);
}

export interface RedisProc {
  port: number;
  url: string;
  proc(): Proc;
  /** SIGKILL (a crash, not a clean shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

export async function startRedis(dir: string): Promise<RedisProc> {
  const port = await freePort();
  let current: Proc | undefined;
  const redis: RedisProc = {
    port,
    url: `redis://127.0.0.1:${port}`,
    proc: () => current!,
    async kill() {
      await current?.kill('SIGKILL');
    },
    async start() {
      current = spawnLogged(dir, 'redis', 'redis-server', [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ]);
      const until = Date.now() + 10_000;
      while (!readFileSync(current.logFile, 'utf8').includes('Ready to accept connections')) {
        if (Date.now() > until || current.child.exitCode !== null) throw new Error(`redis: ${logTail(current)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  await redis.start();
  return redis;
}

export interface SimProc {
  url: string;
  proc: Proc;
}

/** `lorag sim` with runtime LoRA loading on; `args` are its flags (see `lorag sim --help`). */
export async function startSimProc(dir: string, name: string, args: string[] = []): Promise<SimProc> {
  const port = await freePort();
  const proc = spawnLogged(dir, name, process.execPath, [cli, 'sim', '--port', String(port), ...args], {
    VLLM_ALLOW_RUNTIME_LORA_UPDATING: 'true',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(proc, `${url}/health`);
  return { url, proc };
}

export interface GatewayProc {
  url: string;
  port: number;
  proc: Proc;
  configFile: string;
}

/** `lorag serve --config <file>` with `config` (a config object; the port is chosen here). */
export async function startGatewayProc(dir: string, name: string, config: Record<string, any>): Promise<GatewayProc> {
  const port = await freePort();
  const configFile = join(dir, `${name}.json`);
  writeFileSync(configFile, JSON.stringify({ ...config, server: { ...config.server, port } }, null, 2));
  const proc = spawnLogged(dir, name, process.execPath, [cli, 'serve', '--config', configFile]);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(proc, `${url}/healthz`);
  return { url, port, proc, configFile };
}

/**
 * `lorag ingest` with `config` (before the gateway starts, on the same vector store and embedder): the files
 * under `paths` into the tenant's collection.
 */
export function ingest(
  dir: string,
  config: Record<string, any>,
  tenant: string,
  collection: string,
  paths: string[],
): void {
  const file = join(dir, `ingest-${tenant}-${collection}.json`);
  writeFileSync(file, JSON.stringify(config));
  execFileSync(
    process.execPath,
    [cli, 'ingest', '--config', file, '--tenant', tenant, '--collection', collection, '--json', ...paths],
    { cwd: repoRoot, env: childEnv({}), stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
