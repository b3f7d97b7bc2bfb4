/** The foundation through the official OpenAI SDK: two tenants, streaming and not, models, embeddings. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { answeredBy, type Stack, simCounter, startStack } from '../helpers/stack.ts';

describe('gateway in front of lorag sim, via the OpenAI SDK', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  test('each tenant is served by its own adapter, loaded on first use', async () => {
    const legal = await stack.client('legal').chat.completions.create({
      model: 'legal',
      messages: [{ role: 'user', content: 'Can we end the supplier contract early?' }],
    });
    assert.equal(answeredBy(legal.choices[0].message.content), 'legal@1');
    assert.equal(legal.model, 'legal@1');
    const hr = await stack
      .client('hr')
      .chat.completions.create({ model: 'hr', messages: [{ role: 'user', content: 'Vacation days?' }] });
    assert.equal(answeredBy(hr.choices[0].message.content), 'hr@1');
    assert.equal(await simCounter(stack.sims[0], 'lorag_sim_lora_load_requests_total', 'legal@1'), 1);
  });

  test('response headers name the adapter, strategy, cache and replica', async () => {
    const { response } = await stack
      .client('legal')
      .chat.completions.create({ model: 'legal@1', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    assert.equal(response.headers.get('x-lorag-adapter'), 'legal@1');
    assert.equal(response.headers.get('x-lorag-strategy'), 'lora');
    assert.equal(response.headers.get('x-lorag-cache'), 'bypass');
    assert.equal(response.headers.get('x-lorag-replica'), 'sim-0');
    assert.match(response.headers.get('x-request-id') ?? '', /^req_/);
  });

  test('streaming passes chunks through; usage only when asked', async () => {
    const stream = await stack.client('hr').chat.completions.create({
      model: 'hr',
      stream: true,
      messages: [{ role: 'user', content: 'Tell me about onboarding' }],
    });
    let text = '';
    let chunks = 0;
    let usageSeen = false;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usageSeen = true;
    }
    assert.ok(chunks > 3, `expected several chunks, got ${chunks}`);
    assert.equal(answeredBy(text), 'hr@1');
    assert.equal(usageSeen, false, 'the gateway asks vLLM for usage but must not forward it unasked');

    const withUsage = await stack.client('hr').chat.completions.create({
      model: 'hr',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Tell me about onboarding' }],
    });
    let usage: { completion_tokens: number } | undefined;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    assert.ok(usage && usage.completion_tokens > 0);
  });

  test('legacy completions endpoint, stream and not', async () => {
    const c = await stack
      .client('legal')
      .completions.create({ model: 'legal', prompt: 'Clause 4 says', max_tokens: 8 });
    assert.equal(answeredBy(c.choices[0].text), 'legal@1');
    assert.equal(c.choices[0].finish_reason, 'length');
    const s = await stack.client('legal').completions.create({ model: 'legal', prompt: 'Clause 4 says', stream: true });
    let text = '';
    for await (const chunk of s) text += chunk.choices[0]?.text ?? '';
    assert.equal(answeredBy(text), 'legal@1');
  });

  test('the base model and auto', async () => {
    const base = await stack
      .client('legal')
      .chat.completions.create({ model: 'tiny-base', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(answeredBy(base.choices[0].message.content), 'tiny-base');
    const { data, response } = await stack
      .client('legal')
      .chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Review the NDA clause' }] })
      .withResponse();
    assert.equal(response.headers.get('x-lorag-adapter'), 'legal@1');
    assert.equal(data.model, 'legal@1');
  });

  test('GET /v1/models lists only what the tenant may use', async () => {
    const legal = (await stack.client('legal').models.list()).data.map((m) => m.id).sort();
    const hr = (await stack.client('hr').models.list()).data.map((m) => m.id).sort();
    assert.deepEqual(legal, ['auto', 'legal', 'legal@1', 'tiny-base']);
    assert.deepEqual(hr, ['auto', 'hr', 'hr@1', 'tiny-base']);
  });

  test("another tenant's adapter reads exactly like an unknown model", async () => {
    const errOf = async (model: string) => {
      try {
        await stack.client('hr').chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
        assert.fail('expected a 404');
      } catch (err) {
        return err as { status: number; error: unknown; message: string };
      }
    };
    const foreign = await errOf('legal');
    const unknown = await errOf('nosuch');
    assert.equal(foreign.status, 404);
    assert.equal(unknown.status, 404);
    assert.deepEqual(
      JSON.stringify(foreign.error).replace('legal', 'X'),
      JSON.stringify(unknown.error).replace('nosuch', 'X'),
    );
    assert.match(foreign.message, /The model `legal` does not exist or you do not have access to it\./);
  });
});
