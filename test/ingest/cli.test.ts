import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from './fixtures.ts';

const run = promisify(execFile);
const cli = new URL('../../src/cli.ts', import.meta.url).pathname;

test('lorag ingest: summary as JSON; the second run writes nothing; bad usage exits 2', async () => {
  const tmp = await tempDir('lorag-cli-');
  try {
    await mkdir(join(tmp.path, 'docs'));
    await writeFile(join(tmp.path, 'docs', 'a.md'), '# A\n\nAlpha policy text.');
    const cfg = join(tmp.path, 'lorag.yaml');
    await writeFile(
      cfg,
      `upstreams: { base_models: [{ name: b, replicas: [{ url: "http://127.0.0.1:9" }] }] }
embeddings: { kind: hash }
vector_store: { kind: lancedb, path: ${JSON.stringify(join(tmp.path, 'db'))} }
tenants: { legal: { strategy: { default: rag }, collections: [company] } }
`,
    );
    const args = [
      cli,
      'ingest',
      '--config',
      cfg,
      '--tenant',
      'legal',
      '--collection',
      'company',
      '--json',
      join(tmp.path, 'docs'),
    ];
    const first = JSON.parse((await run(process.execPath, args)).stdout);
    assert.equal(first.chunks.added, 1);
    const second = JSON.parse((await run(process.execPath, args)).stdout);
    assert.deepEqual([second.chunks.added, second.chunks.updated, second.revision], [0, 0, null]);
    await assert.rejects(
      run(process.execPath, [cli, 'ingest', '--config', cfg]),
      (err: { code?: number }) => err.code === 2,
    );
  } finally {
    await tmp.remove();
  }
});
