/**
 * @module load/bench/hybrid-docs — a few Markdown documents ingested with the real CLI
 * (`lorag ingest --config F --tenant T --collection C DIR`) into the embedded LanceDB store of `lorag-hybrid`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GatewayConfigOptions, repoRoot, writeGatewayConfig } from './gateway-config.ts';
import { nodeBin } from './procs.ts';
import type { Stand } from './stand.ts';

const topics = [
  'early termination',
  'indemnification',
  'data transfer',
  'notice periods',
  'liability caps',
  'renewal terms',
];

export async function ingestBenchDocs(stand: Stand, config: Omit<GatewayConfigOptions, 'port'>): Promise<void> {
  const docs = join(stand.dir, 'docs');
  mkdirSync(docs, { recursive: true });
  topics.forEach((topic, i) => {
    const body = Array.from(
      { length: 12 },
      (_, j) =>
        `Section ${j + 1}. The ${topic} clause says that either party may act under condition ${i}-${j}, subject to written notice and the governing law of the agreement.`,
    ).join('\n\n');
    writeFileSync(join(docs, `policy-${i}.md`), `# Policy on ${topic}\n\n${body}\n`);
  });
  const file = writeGatewayConfig(stand.dir, 'lorag-hybrid-ingest', { ...config, port: 0 });
  execFileSync(
    nodeBin,
    [
      join(repoRoot, 'src/cli.ts'),
      'ingest',
      '--config',
      file,
      '--tenant',
      'bench',
      '--collection',
      config.collection ?? 'bench-docs',
      docs,
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    },
  );
}
