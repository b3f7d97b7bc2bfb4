/**
 * @module load/bench/peers — peer gateways measured beside lorag in the same run (`--peers portkey`), with the
 * same simulator as upstream and on the same CPU as the proxy under test. Portkey's OSS gateway lives in
 * load/peers/portkey with its own package.json and lockfile (so its `@hono/node-server` 1.13.5 override
 * cannot touch the project's); the bench installs it there on first use (`npm ci`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './gateway-config.ts';
import { freePort, nodeBin, spawnPinned, waitReady } from './procs.ts';
import type { Stand, Target } from './stand.ts';

export const portkeyDir = join(repoRoot, 'load/peers/portkey');
const portkeyServer = join(portkeyDir, 'node_modules/@portkey-ai/gateway/build/start-server.js');

export function installPortkey(log: (line: string) => void): void {
  if (existsSync(portkeyServer)) return;
  log('bench: installing the Portkey peer into load/peers/portkey (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: portkeyDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 300_000,
  });
}

/** Starts Portkey's gateway (`start-server.js --port=N`) on the proxy CPU. */
export async function startPortkey(stand: Stand): Promise<Target> {
  installPortkey(stand.options.log);
  const port = await freePort();
  const child = spawnPinned('portkey', nodeBin, [portkeyServer, `--port=${port}`], {
    cpu: stand.options.proxyCpu,
    logDir: stand.dir,
    cwd: portkeyDir,
    env: { NODE_ENV: 'production' },
    quietStdout: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, `${url}/`);
  const target = { name: 'portkey', url, pid: child.pid };
  stand.targets.set('portkey', target);
  return target;
}

/** Portkey routes by headers: provider openai, custom host = the simulator's /v1. */
export function portkeyHeaders(simUrl: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    authorization: 'Bearer sk-unused',
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${simUrl}/v1`,
  };
}
