import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { folderCycles, folderEdges, layeringProblems } from './check-layers.ts';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('a cycle between two stages and a leaf importing a stage are reported with the offending import', () => {
  const root = tree({
    'cache/a.ts': "import type { P } from '../routing/plan.ts';\n",
    'routing/plan.ts': "import { k } from '../cache/a.ts';\nexport type P = 1;\n",
    'config/schema.ts': "import { x } from '../rag/config.ts';\n",
    'rag/config.ts': 'export const x = 1;\n',
    'main.ts': "import { k } from './cache/a.ts';\n",
    'ingest/ingest.ts': "import { x } from '../rag/config.ts';\n",
  });
  const edges = folderEdges(root);
  assert.deepEqual(folderCycles(edges), [['cache', 'routing']]);
  const problems = layeringProblems(edges).join('\n');
  assert.match(problems, /leaf 'config' imports stage 'rag': .*config\/schema.ts:1/);
  assert.match(problems, /folder cycle cache ↔ routing/);
  assert.match(problems, /'ingest' reaches past rag\/index.ts: .*ingest\/ingest.ts:1/);
});

test('a clean tree has no problems (composition-root files and tests are not counted)', () => {
  const root = tree({
    'http/route.ts': "import { plan } from '../routing/plan.ts';\nimport { e } from '../errors/e.ts';\n",
    'routing/plan.ts': "import { e } from '../errors/e.ts';\n",
    'errors/e.ts': 'export const e = 1;\n',
    'errors/e.test.ts': "import { plan } from '../routing/plan.ts';\n",
    'deps.ts': "import { plan } from './routing/plan.ts';\n",
  });
  assert.deepEqual(layeringProblems(folderEdges(root)), []);
});
