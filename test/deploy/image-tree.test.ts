/**
 * The production file tree of deploy/Dockerfile, without Docker: `npm run build`, then exactly the paths the
 * final stage COPYs (read from the Dockerfile, so the two cannot drift), production dependencies installed
 * there with the same `npm ci --omit=dev` (offline-first, from the npm cache), and the result started with
 * node: `--help`, the simulator, and the gateway in front of it. A file or dependency the image lacks fails.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deployDir, readText, repoRoot } from './deploy-files.ts';
import { copiesOf, parseDockerfile } from './dockerfile.ts';

const { stages } = parseDockerfile(readText(join(deployDir, 'Dockerfile')));
const final = stages[stages.length - 1];
const workdir = final.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/';
const app = mkdtempSync(join(tmpdir(), 'lorag-image-'));
const children: ChildProcess[] = [];

/** Maps an absolute path in the image (under WORKDIR) into the temporary tree. */
function inTree(dest: string): string {
  const abs = dest.startsWith('/') ? dest : join(workdir, dest);
  assert.ok(abs.startsWith(workdir), `COPY to ${abs}, outside WORKDIR ${workdir}`);
  return join(app, abs.slice(workdir.length));
}

/** Starts `node dist/cli.js ARGS` in the tree; resolves with the first stdout line matching `ready`. */
function start(
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['dist/cli.js', ...args], {
    cwd: app,
    env: { ...process.env, NODE_ENV: 'production', ...env },
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 30 s: ${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const match = out.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready: ${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function poll(url: string): Promise<Response> {
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(url);
      if (res.ok || i > 100) return res;
    } catch (err) {
      if (i > 100) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the production image tree (deploy/Dockerfile, final stage)', () => {
  before(() => {
    const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.ts')], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
    for (const copy of copiesOf(final)) {
      for (const source of copy.sources) {
        // --from=build: the build stage ran `npm run build` in the same WORKDIR, so /app/dist is our dist/.
        const from = copy.from
          ? join(repoRoot, source.replace(new RegExp(`^${workdir}/?`), ''))
          : join(repoRoot, source);
        const to =
          copy.sources.length > 1 || copy.dest.endsWith('/')
            ? join(inTree(copy.dest), source.split('/').pop() ?? '')
            : inTree(copy.dest);
        mkdirSync(dirname(to), { recursive: true });
        cpSync(from, to, { recursive: true });
      }
    }
    const install = final.instructions.find((i) => i.keyword === 'RUN' && /npm ci/.test(i.args));
    const npmCi =
      /npm ci[^&;|]*/
        .exec(install?.args ?? '')?.[0]
        .trim()
        .split(/\s+/) ?? [];
    assert.deepEqual(npmCi.slice(0, 3), ['npm', 'ci', '--omit=dev']);
    const ci = spawnSync('npm', [...npmCi.slice(1), '--prefer-offline', '--ignore-scripts=false'], {
      cwd: app,
      encoding: 'utf8',
    });
    assert.equal(ci.status, 0, `${npmCi.join(' ')} failed:\n${ci.stderr}`);
    // What the image mounts or creates: the adapter registry and the data folder.
    cpSync(join(repoRoot, 'adapters'), join(app, 'adapters'), { recursive: true });
    mkdirSync(join(app, 'data'), { recursive: true });
  });

  after(async () => {
    await Promise.all(children.map(stop));
    rmSync(app, { recursive: true, force: true });
  });

  it('ships no TypeScript source, test or devDependency', () => {
    assert.equal(existsSync(join(app, 'src')), false);
    assert.ok(existsSync(join(app, 'dist', 'cli.js')));
    const files = readdirSync(join(app, 'dist'), { recursive: true, encoding: 'utf8' });
    assert.deepEqual(
      files.filter((f) => /\.ts$|\.test\.js$/.test(f)),
      [],
    );
    // (typescript itself does arrive: @qdrant/js-client-rest declares it as a peer dependency.)
    for (const dev of ['@biomejs/biome', 'autocannon', 'kubernetes-models', 'dclint']) {
      assert.equal(existsSync(join(app, 'node_modules', dev)), false, `${dev} is a devDependency`);
    }
  });

  it('has every package that dist/ imports among the production dependencies', () => {
    const missing = new Set<string>();
    for (const file of readdirSync(join(app, 'dist'), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.js')) continue;
      const code = readText(join(app, 'dist', file));
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
        const spec = m[1];
        if (!/^(@[\w.-]+\/)?[\w.-]+(\/[\w./-]*)?$/.test(spec)) continue; // not a module specifier
        if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) continue;
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!existsSync(join(app, 'node_modules', pkg, 'package.json'))) missing.add(`${pkg} (${file})`);
      }
    }
    assert.deepEqual([...missing], []);
  });

  it('runs `node dist/cli.js --help`', () => {
    const help = spawnSync(process.execPath, ['dist/cli.js', '--help'], { cwd: app, encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    for (const command of ['serve', 'sim', 'ingest']) assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
  });

  it('starts the simulator and the gateway in front of it, then stops both on SIGTERM', async () => {
    const sim = await start(
      ['sim', '--host', '127.0.0.1', '--port', '0', '--model', 'tiny-base'],
      /listening on (http:\/\/\S+)/,
    );
    const simUrl = sim.match[1].replace(/\/$/, '');
    const models = await poll(`${simUrl}/v1/models`);
    assert.equal(models.status, 200);

    const config = join(app, 'image-test.yaml');
    writeFileSync(
      config,
      [
        'server: {host: 127.0.0.1, port: 0}',
        'upstreams:',
        '  base_models:',
        `    - {name: tiny-base, replicas: [{id: sim-0, url: "${simUrl}"}]}`,
        'vector_store: {kind: none}',
        'tenants: {}',
        '',
      ].join('\n'),
    );
    const gw = await start(['serve', '--config', config], /(https?:\/\/[\d.:[\]a-z]+:\d+)/i);
    const gwUrl = gw.match[1];
    assert.equal((await poll(`${gwUrl}/healthz`)).status, 200);
    assert.equal((await poll(`${gwUrl}/readyz`)).status, 200);
    assert.equal(await stop(gw.child), 0, 'the gateway exits cleanly on SIGTERM');
    assert.equal(await stop(sim.child), 0, 'the simulator exits cleanly on SIGTERM');
  });
});
