/**
 * The gateway in front of a real vLLM (CPU build) serving a tiny base model and LoRA adapters trained by
 * engine/prepare.py. Each adapter answers the probe with its own department's marker phrase and the base model
 * with none, so these tests fail if the gateway sent every request to the same adapter or to the base model.
 * Then the vLLM protocol contract (the one `lorag sim` passes in `npm test`) runs against the same vLLM.
 *
 * Slow by nature (vLLM start on CPU); `npm run test:e2e` runs it. LORAG_E2E_VLLM_URL reuses a running vLLM.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { runPythonClient } from '../test/responses/python-client.ts';
import { vllmProtocolContract } from './contract/vllm-protocol.contract.ts';
import { vllmStructuredContract } from './contract/vllm-structured.contract.ts';
import {
  enginePython,
  type Prepared,
  prepareEngine,
  type RunningProcess,
  repoRoot,
  startVllm,
} from './support/engine.ts';
import { startGatewayProcess, type Tenant, tenantKeys } from './support/gateway.ts';

let prepared: Prepared;
let vllm: RunningProcess;
let gateway: RunningProcess;

before(async () => {
  prepared = prepareEngine();
  vllm = await startVllm();
});
after(async () => {
  await vllm?.close();
});

const client = (tenant: Tenant) =>
  new OpenAI({ apiKey: tenantKeys[tenant], baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 300_000 });

const markers = () => Object.values(prepared.adapters).map((a) => a.marker);

async function ask(tenant: Tenant, model: string = tenant) {
  const res = await client(tenant)
    .chat.completions.create({
      model,
      messages: [{ role: 'user', content: prepared.probe }],
      temperature: 0,
      max_tokens: 12,
    })
    .withResponse();
  return { text: res.data.choices[0].message.content ?? '', model: res.data.model, headers: res.response.headers };
}

function assertMarker(text: string, tenant: Tenant): void {
  const own = prepared.adapters[tenant].marker;
  assert.ok(text.startsWith(own), `${tenant} should answer with ${own}, got ${JSON.stringify(text)}`);
  for (const m of markers()) if (m !== own) assert.ok(!text.includes(m), `${tenant}'s answer has ${m}: ${text}`);
}

async function vllmModels(): Promise<string[]> {
  const body = (await (await fetch(`${vllm.url}/v1/models`)).json()) as { data: { id: string }[] };
  return body.data.map((c) => c.id);
}

describe('gateway in front of a real vLLM', () => {
  before(async () => {
    gateway = await startGatewayProcess(vllm.url, prepared);
  });
  after(async () => {
    await gateway?.close();
  });

  test('vLLM starts with legal@1 preloaded and the other adapters not registered', async () => {
    const ids = await vllmModels();
    assert.equal(ids[0], prepared.served_model_name);
    assert.ok(ids.includes('legal@1'), ids.join());
    if (!process.env.LORAG_E2E_VLLM_URL) {
      assert.ok(!ids.includes('hr@1') && !ids.includes('finance@1'), ids.join());
    }
  });

  test('GET /v1/models through the gateway: each tenant sees the base model and only its own adapter', async () => {
    for (const tenant of ['legal', 'hr'] as const) {
      const ids = (await client(tenant).models.list()).data.map((m) => m.id);
      assert.ok(ids.includes(prepared.served_model_name), ids.join());
      assert.ok(ids.includes(tenant) && ids.includes(`${tenant}@1`), ids.join());
      const other = tenant === 'legal' ? 'hr' : 'legal';
      assert.ok(!ids.some((id) => id.startsWith(other)), `${tenant} must not see ${other}: ${ids.join()}`);
    }
  });

  test('the probe through two tenants: each gets its department marker; hr@1 is loaded on first use', async () => {
    const legal = await ask('legal');
    assertMarker(legal.text, 'legal');
    assert.equal(legal.model, 'legal@1');
    assert.equal(legal.headers.get('x-lorag-adapter'), 'legal@1');

    const hr = await ask('hr');
    assertMarker(hr.text, 'hr');
    assert.equal(hr.model, 'hr@1');
    assert.ok((await vllmModels()).includes('hr@1'), 'the gateway registered hr@1 on vLLM');
  });

  test('per-request swapping: interleaved and concurrent requests each get their own adapter', async () => {
    const order: Tenant[] = ['legal', 'hr', 'finance', 'hr', 'legal', 'finance', 'legal'];
    for (const tenant of order) assertMarker((await ask(tenant)).text, tenant);
    // Concurrent: with --max-loras 1 vLLM must run them one adapter at a time; none may leak into another.
    const concurrent: Tenant[] = ['finance', 'legal', 'hr', 'legal', 'hr', 'finance'];
    const answers = await Promise.all(concurrent.map((t) => ask(t)));
    answers.forEach((a, i) => {
      assertMarker(a.text, concurrent[i]);
    });
  });

  test('the base model answers without any department marker', async () => {
    const base = await ask('legal', prepared.served_model_name);
    assert.ok(base.text.startsWith(prepared.base_marker), base.text);
    for (const m of markers()) assert.ok(!base.text.includes(m), base.text);
  });

  test('pinned version legal@1 is the same adapter as legal', async () => {
    assertMarker((await ask('legal', 'legal@1')).text, 'legal');
  });

  test('streaming: each tenant gets its marker, the role first and usage when asked', async () => {
    for (const tenant of ['hr', 'legal', 'finance'] as const) {
      const stream = await client(tenant).chat.completions.create({
        model: tenant,
        messages: [{ role: 'user', content: prepared.probe }],
        temperature: 0,
        max_tokens: 12,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let first = true;
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        assert.equal(chunk.model, `${tenant}@1`);
        if (first) assert.equal(chunk.choices[0]?.delta.role, 'assistant');
        first = false;
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      assertMarker(text, tenant);
      assert.ok(finish === 'stop' || finish === 'length', String(finish));
      assert.ok(usage && usage.completion_tokens > 0 && usage.prompt_tokens > 0, JSON.stringify(usage));
    }
  });

  test('an unknown adapter, and another tenant’s adapter, give the OpenAI 404', async () => {
    for (const model of ['no-such-adapter', 'hr', 'hr@1']) {
      await assert.rejects(
        client('legal').chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.NotFoundError, String(err));
          assert.equal(err.status, 404);
          assert.equal(err.code, 'model_not_found');
          assert.match(err.message, new RegExp(`The model \`${model}\` does not exist`));
          return true;
        },
      );
    }
  });

  test('the Python openai package gets the same answers', () => {
    const out = execFileSync(
      enginePython,
      [
        join(repoRoot, 'e2e', 'python_client.py'),
        `${gateway.url}/v1`,
        prepared.probe,
        `legal=${tenantKeys.legal}`,
        `hr=${tenantKeys.hr}`,
      ],
      { encoding: 'utf8', timeout: 600_000 },
    );
    const result = JSON.parse(out) as {
      tenants: Record<
        string,
        {
          content: string;
          model: string;
          stream_content: string;
          stream_models: string[];
          not_found: { status: number; code: string } | null;
        }
      >;
    };
    for (const tenant of ['legal', 'hr'] as const) {
      const r = result.tenants[tenant];
      assertMarker(r.content, tenant);
      assertMarker(r.stream_content, tenant);
      assert.equal(r.model, `${tenant}@1`);
      assert.deepEqual(r.stream_models, [`${tenant}@1`]);
      assert.equal(r.not_found?.status, 404);
      assert.equal(r.not_found?.code, 'model_not_found');
    }
  });
});

vllmProtocolContract('real vLLM (CPU)', () => ({
  url: vllm.url,
  baseModel: prepared.served_model_name,
  modelRoot: prepared.base,
  preloaded: { name: 'legal@1', path: prepared.adapters.legal.path },
  loadablePath: prepared.adapters.finance.path,
}));

// engine/serve-vllm.sh starts vLLM without --tool-call-parser: the contract checks its tool_choice refusals.
vllmStructuredContract('real vLLM (CPU)', () => ({
  url: vllm.url,
  model: prepared.served_model_name,
  toolCallParser: false,
}));

describe('Responses API in front of a real vLLM', () => {
  let gw: RunningProcess;
  before(async () => {
    gw = await startGatewayProcess(vllm.url, prepared);
  });
  after(async () => {
    await gw?.close();
  });
  const responsesClient = (tenant: Tenant) =>
    new OpenAI({ apiKey: tenantKeys[tenant], baseURL: `${gw.url}/v1`, maxRetries: 0, timeout: 300_000 });

  test('Node SDK: responses.create and responses.stream get each adapter marker', async () => {
    for (const tenant of ['legal', 'hr'] as const) {
      const params = { model: tenant, input: prepared.probe, temperature: 0, max_output_tokens: 12 };
      const r = await responsesClient(tenant).responses.create(params);
      assertMarker(r.output_text, tenant);
      assert.equal(r.model, `${tenant}@1`);
      const s = await responsesClient(tenant).responses.stream(params).finalResponse();
      assertMarker(s.output_text, tenant);
      assert.equal((await responsesClient(tenant).responses.retrieve(r.id)).output_text, r.output_text);
    }
  });

  test('Python SDK: create, stream (get_final_response) and parse with pydantic', async () => {
    const r = await runPythonClient(`${gw.url}/v1`, tenantKeys.legal, 'legal', ['--input', prepared.probe]);
    assertMarker(r.create.text, 'legal');
    assertMarker(r.stream.text, 'legal');
    assert.equal(r.stream.events[0], 'response.created');
    assert.equal(r.retrieve, true);
    // Structured output is constrained by vLLM; the tiny model may still run out of tokens mid-document.
    assert.ok(r.parse.parsed !== null || /incomplete|Validation|JSON/i.test(`${r.parse.status} ${r.parse.text}`));
  });
});
