/**
 * deploy/Dockerfile: linted with dockerfile-utils (the validator behind VS Code's Dockerfile support, offline),
 * plus the properties this image promises: Node 24 slim, production dependencies only in the final stage,
 * a non-root user, a healthcheck on /healthz, SIGTERM, the serve command, and a build context (.dockerignore)
 * that lets through exactly what the COPY instructions need.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validate } from 'dockerfile-utils';
import { deployDir, readText, repoRoot } from './deploy-files.ts';
import { copiesOf, execForm, isDockerIgnored, parseDockerfile } from './dockerfile.ts';

const text = readText(join(deployDir, 'Dockerfile'));
const dockerignore = readText(join(repoRoot, '.dockerignore'));
const { stages } = parseDockerfile(text);
const final = stages[stages.length - 1];
const all = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);

describe('deploy/Dockerfile', () => {
  it('passes the dockerfile-utils linter with no error or warning', () => {
    const problems = validate(text);
    assert.deepEqual(
      problems.map((p) => `line ${p.range.start.line + 1}: ${p.message}`),
      [],
    );
  });

  it('the linter does flag a broken Dockerfile (so the check above can fail)', () => {
    const broken = `${text}\nEXPOSE 99999999\nHEALTHCHECK CMD\nFROM\n`;
    assert.ok(validate(broken).length >= 2);
  });

  it('builds in one stage and runs on Node 24 slim in another', () => {
    assert.ok(stages.length >= 2);
    for (const s of stages) assert.match(s.image, /^node:24(\.\d+)*-[a-z]+-slim$/);
    assert.ok(stages.slice(0, -1).some((s) => s.instructions.some((i) => /npm run build/.test(i.args))));
  });

  it('installs only production dependencies in the final stage', () => {
    const runs = all('RUN').map((i) => i.args);
    assert.ok(
      runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)),
      runs.join('\n'),
    );
    assert.ok(!runs.some((r) => /\bnpm (ci|install)\b(?!.*--omit=dev)/.test(r)), 'an npm install with dev deps');
  });

  it('runs as a non-root user with a healthcheck, SIGTERM and the serve command', () => {
    const user = all('USER').at(-1)?.args;
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `USER ${user}`);
    const health = all('HEALTHCHECK').at(-1)?.args ?? '';
    assert.match(health, /\/healthz/);
    assert.ok(
      execForm(health.slice(health.indexOf('CMD'))),
      'exec-form healthcheck (slim has no curl, no shell needed)',
    );
    assert.equal(all('STOPSIGNAL').at(-1)?.args, 'SIGTERM');
    assert.deepEqual(execForm(all('CMD').at(-1)?.args ?? ''), [
      'node',
      'dist/cli.js',
      'serve',
      '--config',
      '/etc/lorag/lorag.yaml',
    ]);
    assert.equal(all('ENTRYPOINT').length, 0, 'node is PID 1 and receives SIGTERM directly');
    assert.match(
      all('EXPOSE')
        .map((i) => i.args)
        .join(' '),
      /\b8080\b/,
    );
  });

  it('copies from the context only paths that exist and that .dockerignore lets through', () => {
    const names = new Set(stages.map((s) => s.name).filter(Boolean));
    for (const stage of stages) {
      for (const copy of copiesOf(stage)) {
        if (copy.from) {
          assert.ok(names.has(copy.from), `COPY --from=${copy.from}: no such stage`);
          continue;
        }
        for (const source of copy.sources) {
          assert.ok(existsSync(join(repoRoot, source)), `COPY ${source}: not in the repository`);
          assert.equal(isDockerIgnored(dockerignore, source.replace(/\/$/, '')), false, `${source} is .dockerignored`);
        }
      }
    }
  });

  it('keeps tests, node_modules, data and git history out of the build context', () => {
    for (const path of [
      'node_modules/hono/package.json',
      '.git/HEAD',
      'data/lancedb',
      'test/deploy/k8s.test.ts',
      'src/config/schema.test.ts',
      'dist/cli.js',
      'engine/work/x',
    ]) {
      assert.equal(isDockerIgnored(dockerignore, path), true, path);
    }
    for (const path of ['src/cli.ts', 'src/config/schema.ts', 'package-lock.json', 'bin/lorag.js']) {
      assert.equal(isDockerIgnored(dockerignore, path), false, path);
    }
  });
});
