/**
 * @module load/bench/hybrid-docs — the knowledge base of `lorag-hybrid`: Markdown documents of 20 headed
 * sections each (a heading starts a chunk, so one section = one chunk), `chunks` in all (default 10,000:
 * the corpus size), ingested with the real CLI (`lorag ingest --config F --tenant T --collection C
 * DIR`, embeddings from the simulator) into the embedded LanceDB store, which builds its indexes on the way.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { rng } from './corpus-data.ts';
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
  'confidentiality',
  'payment terms',
];
const words =
  'agreement party supplier customer notice written period days months fees penalty breach cure remedy law court claim damages cap insurance audit records personal data processor controller transfer safeguards clause schedule annex amendment assignment subcontractor warranty service level credit invoice'.split(
    ' ',
  );

export async function ingestBenchDocs(
  stand: Stand,
  config: Omit<GatewayConfigOptions, 'port'>,
  chunks = 10_000,
): Promise<void> {
  const docs = join(stand.dir, 'docs');
  mkdirSync(docs, { recursive: true });
  const r = rng(42);
  const perDoc = 20;
  for (let d = 0; d * perDoc < chunks; d++) {
    const topic = topics[d % topics.length];
    const sections = Array.from({ length: Math.min(perDoc, chunks - d * perDoc) }, (_, j) => {
      const filler = Array.from({ length: 40 }, () => words[Math.floor(r() * words.length)]).join(' ');
      return `## Clause ${j + 1}\n\nThe ${topic} clause ${d}-${j} says that either party may act subject to written notice: ${filler}.`;
    });
    writeFileSync(join(docs, `policy-${d}.md`), `# Policy ${d} on ${topic}\n\n${sections.join('\n\n')}\n`);
  }
  const file = writeGatewayConfig(stand.dir, 'lorag-hybrid-ingest', { ...config, port: 0 });
  // Asynchronous: the other targets' readiness polls run meanwhile (a sync call would starve them).
  await promisify(execFile)(
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
    { cwd: repoRoot, timeout: 900_000, maxBuffer: 64 * 1024 * 1024 },
  );
}
