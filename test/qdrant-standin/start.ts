/**
 * Starts the Qdrant stand-in (server.py) on a free port for a test file. Returns null, with the reason,
 * when its venv is missing (run `bash test/qdrant-standin/setup.sh`); tests then skip with that message.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const python = `${here}.venv/bin/python`;

export interface QdrantStandin {
  url: string;
  stop(): Promise<void>;
}

export const standinMissing = existsSync(python)
  ? null
  : 'Qdrant stand-in venv missing: run `bash test/qdrant-standin/setup.sh` (pip install of qdrant-edge-py, jsonschema)';

export async function startQdrantStandin(): Promise<QdrantStandin> {
  if (standinMissing) throw new Error(standinMissing);
  const child: ChildProcess = spawn(python, [`${here}server.py`, '--port', '0'], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`stand-in did not start: ${stderr}`)), 30_000);
    child.stdout?.on('data', (d) => {
      out += String(d);
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stand-in exited with ${code}: ${stderr}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
