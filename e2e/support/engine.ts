/**
 * The Python side of the real-vLLM lane, driven from the tests: the engine venv and the prepared tiny model
 * (both idempotent, so a clean clone just works and a prepared machine pays nothing), and a vLLM process started
 * with engine/serve-vllm.sh — or an already running one named by LORAG_E2E_VLLM_URL (then nothing is prepared and
 * that server must have been started by serve-vllm.sh from this checkout, since the tests read engine/work).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const engineDir = join(repoRoot, 'engine');
export const enginePython = join(engineDir, '.venv', 'bin', 'python');

export interface Prepared {
  base: string;
  served_model_name: string;
  base_marker: string;
  probe: string;
  registry: string;
  adapters: Record<string, { path: string; marker: string; rank: number }>;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** engine/setup.sh then engine/prepare.py; each is a no-op when already done. */
export function prepareEngine(): Prepared {
  if (!process.env.LORAG_E2E_VLLM_URL) {
    run('bash', [join(engineDir, 'setup.sh')]);
    run(enginePython, [join(engineDir, 'prepare.py')]);
  }
  const stamp = join(engineDir, 'work', 'prepared.json');
  if (!existsSync(stamp)) throw new Error(`${stamp} missing: run engine/setup.sh and engine/prepare.py`);
  return JSON.parse(readFileSync(stamp, 'utf8')) as Prepared;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(url: string, child: ChildProcess | null, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`${what} exited with ${child.exitCode} before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: ${url} not healthy after ${timeoutMs} ms`);
}

export interface RunningProcess {
  url: string;
  log: string;
  close(): Promise<void>;
}

/** Kills a detached child's whole process group (vLLM forks an engine core process). */
export function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {}
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** vLLM on the tiny model with legal@1 preloaded (engine/serve-vllm.sh), or LORAG_E2E_VLLM_URL. */
export async function startVllm(): Promise<RunningProcess> {
  const external = process.env.LORAG_E2E_VLLM_URL;
  if (external) {
    const url = external.replace(/\/$/, '');
    await waitFor(`${url}/health`, null, 10_000, 'LORAG_E2E_VLLM_URL');
    return { url, log: '(external)', close: async () => {} };
  }
  return startEngineScript('serve-vllm.sh', 'vllm');
}

/** vLLM's pooling runner on all-MiniLM-L6-v2 (engine/serve-embeddings.sh), served as `all-minilm-l6-v2`. */
export function startEmbeddings(): Promise<RunningProcess> {
  return startEngineScript('serve-embeddings.sh', 'embeddings');
}

async function startEngineScript(script: string, name: string): Promise<RunningProcess> {
  const port = await freePort();
  const log = join(engineDir, 'work', `${name}-${port}.log`);
  const child = spawn('bash', [join(engineDir, script), '--port', String(port), '--log', log], {
    cwd: repoRoot,
    detached: true,
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/health`, child, 600_000, `${script} (log: ${log})`);
  } catch (err) {
    await killGroup(child);
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-40).join('\n') : '';
    throw new Error(`${(err as Error).message}\n--- last lines of ${log}:\n${tail}`);
  }
  return { url, log, close: () => killGroup(child) };
}
