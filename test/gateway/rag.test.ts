/**
 * Retrieval with citations end to end: `lorag ingest` (the CLI, as a process) into the shared collection
 * `company`, then the official OpenAI SDK asks through the gateway. The answer cites the one document that
 * holds the fact, streaming and not; the other tenant, sharing the collection, never gets it. The streamed
 * hybrid request's span tree is asserted too.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { keys, testConfig } from '../helpers/stack.ts';
import { type CollectedSpans, collectSpans } from '../telemetry/span-helpers.ts';

const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lorag-rag-'));
const configFile = join(dir, 'lorag.yaml');
let sim: RunningSim;
let gateway: RunningGateway;
let spans: CollectedSpans;

const question = 'How many days of notice does the Zephyr supplier contract require for termination?';
const client = (tenant: 'legal' | 'hr') =>
  new OpenAI({ apiKey: keys[tenant], baseURL: `${gateway.url}/v1`, maxRetries: 0 });

// Async: the simulator answering the CLI's embedding calls runs in this process.
async function ingest(
  tenant: string,
  path: string,
): Promise<{ chunks: { added: number; updated: number }; revision: number | null }> {
  const args = [cli, 'ingest', '--config', configFile, '--tenant', tenant, '--collection', 'company', '--json', path];
  const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(stdout);
}

before(async () => {
  spans = await collectSpans();
  sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true });
  const legalDocs = join(dir, 'legal-docs');
  const hrDocs = join(dir, 'hr-docs');
  mkdirSync(legalDocs);
  mkdirSync(hrDocs);
  writeFileSync(
    join(legalDocs, 'zephyr.md'),
    '---\ntitle: Zephyr supplier contract\n---\n# Termination\n\nThe Zephyr supplier contract can be terminated by either party with 45 days of written notice.\n',
  );
  writeFileSync(
    join(legalDocs, 'nda.md'),
    '# NDA policy\n\nEvery NDA must be reviewed by counsel before signature. Mutual NDAs are preferred.\n',
  );
  writeFileSync(
    join(hrDocs, 'leave.md'),
    '# Vacation\n\nNew employees get 25 vacation days per year, accrued monthly.\n',
  );
  const raw = testConfig([sim.url], {
    config: {
      embeddings: { kind: 'openai', url: `${sim.url}/v1`, model: 'tiny-base' },
      knowledge: { revision_poll_ms: 100 },
    },
    tenants: {
      legal: { collections: ['company'], strategy: { default: 'hybrid', allowed: ['lora', 'hybrid', 'rag'] } },
      hr: { collections: ['company'], strategy: { default: 'hybrid', allowed: ['lora', 'hybrid', 'rag'] } },
    },
  });
  writeFileSync(configFile, stringify(raw));
  const first = await ingest('legal', legalDocs);
  assert.equal(first.chunks.added, 2);
  await ingest('hr', hrDocs);
  gateway = await startGateway(parseConfig(raw), { log: () => {} });
});
after(async () => {
  await gateway?.close();
  await sim?.close();
  await spans?.stop();
});

describe('cited answers', () => {
  test('non-streaming: citations[0] is the document that holds the fact; annotations mark the [1] in the text', async () => {
    const { data, response } = await client('legal')
      .chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: question }] })
      .withResponse();
    assert.equal(response.headers.get('x-lorag-strategy'), 'hybrid');
    // The first request for legal@1 loaded it: an adapter_load span under replica_choice.
    const [load] = spans.named('adapter_load');
    assert.equal(load?.attributes['lorag.adapter'], 'legal@1');
    const choice = spans.named('replica_choice')[0];
    assert.equal(load.parentSpanContext?.spanId ?? (load as any).parentSpanId, choice.spanContext().spanId);
    const citations = (
      data as unknown as {
        citations: { index: number; document_id: string; chunk_id: string; url: string; text: string }[];
      }
    ).citations;
    assert.ok(citations.length >= 1);
    assert.equal(citations[0].index, 1);
    assert.equal(citations[0].document_id, 'zephyr.md');
    assert.match(citations[0].text, /45 days/);
    assert.equal(citations[0].url, `lorag://company/zephyr.md#${citations[0].chunk_id}`);
    const content = data.choices[0].message.content ?? '';
    assert.match(content, /According to \[1\]/, 'the simulator quotes source [1], so the context reached the model');
    const annotations = (
      data.choices[0].message as unknown as {
        annotations: { url_citation: { start_index: number; end_index: number; url: string } }[];
      }
    ).annotations;
    assert.equal(annotations.length, 1);
    const [a] = annotations;
    assert.equal([...content].slice(a.url_citation.start_index, a.url_citation.end_index).join(''), '[1]');
    assert.equal(a.url_citation.url, citations[0].url);

    const chunk = await fetch(`${gateway.url}/v1/knowledge/chunks/${encodeURIComponent(citations[0].chunk_id)}`, {
      headers: { authorization: `Bearer ${keys.legal}` },
    });
    assert.equal(chunk.status, 200);
    const other = await fetch(`${gateway.url}/v1/knowledge/chunks/${encodeURIComponent(citations[0].chunk_id)}`, {
      headers: { authorization: `Bearer ${keys.hr}` },
    });
    assert.equal(other.status, 404, 'a chunk is returned only to its own tenant');
  });

  test('streaming: citations on the first chunk, annotations on the finish chunk', async () => {
    spans.reset();
    const stream = await client('legal').chat.completions.create({
      model: 'legal',
      stream: true,
      messages: [{ role: 'user', content: question }],
    });
    const chunks: any[] = [];
    for await (const c of stream) chunks.push(c);
    assert.equal(chunks[0].citations[0].document_id, 'zephyr.md');
    assert.ok(chunks.slice(1).every((c) => c.citations === undefined));
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish.choices[0].delta.annotations.length, 1);

    // The span tree of this streamed hybrid request.
    await new Promise((r) => setTimeout(r, 50));
    const root = spans.root('POST /v1/chat/completions');
    const names = spans.childNames(root);
    for (const stage of ['auth', 'limits', 'plan', 'cache', 'retrieve', 'replica_choice', 'upstream'])
      assert.ok(names.includes(stage), `${stage} missing in\n${spans.render(root)}`);
    assert.equal(root.attributes['lorag.tenant'], 'legal');
    assert.equal(root.attributes['lorag.strategy'], 'hybrid');
    assert.equal(root.attributes['lorag.adapter'], 'legal@1');
    assert.ok(Number(root.attributes['lorag.citations']) >= 1);
    const upstream = spans.named('upstream')[0];
    assert.equal(upstream.attributes['gen_ai.request.model'], 'legal@1');
    assert.ok(Number(upstream.attributes['gen_ai.usage.output_tokens']) > 0);
    assert.ok(upstream.events.some((e) => e.name === 'gen_ai.first_token'));
  });

  test('the other tenant, sharing the collection, never gets legal’s documents', async () => {
    const data = (await client('hr').chat.completions.create({
      model: 'hr',
      messages: [{ role: 'user', content: question }],
    })) as unknown as {
      citations?: { document_id: string; text: string }[];
    };
    for (const c of data.citations ?? []) {
      assert.notEqual(c.document_id, 'zephyr.md');
      assert.doesNotMatch(c.text, /Zephyr/);
    }
  });

  test('re-ingesting the same folder writes nothing', async () => {
    const again = await ingest('legal', join(dir, 'legal-docs'));
    assert.equal(again.chunks.added, 0);
    assert.equal(again.chunks.updated, 0);
    assert.equal(again.revision, null);
  });
});
