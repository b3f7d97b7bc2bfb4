/**
 * The vLLM protocol contract: the same assertions against `lorag sim` (test/contracts/vllm-protocol-sim.test.ts,
 * part of `npm test`) and against a real vLLM (e2e/vllm-protocol-real.test.ts), so the simulator's fidelity is
 * itself tested. Facts asserted here come from shared/reference/vllm.md §§1–5; where releases differ (e.g. `param`
 * of the unknown-model 404) both documented forms are accepted.
 *
 * Raw `fetch` on purpose: the point is the exact wire (plain-text load answers, SSE framing), which an SDK hides.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test as nodeTest } from 'node:test';

export interface ProtocolTarget {
  /** `http://host:port` of the vLLM (or simulator) server. */
  url: string;
  /** The first `--served-model-name`. */
  baseModel: string;
  /** The `--model` value: `root` of the base card. */
  modelRoot: string;
  /** An adapter registered at startup with `--lora-modules`. */
  preloaded: { name: string; path: string };
  /** A directory holding a loadable adapter that the suite registers (under fresh names) and unregisters. */
  loadablePath: string;
}

/**
 * Cases a target is known to get wrong, by the ids in `CASES`: they run as `todo` (reported, not failing) with
 * the reason given, so a known simulator divergence is visible in `npm test` without turning it red.
 */
export type KnownDivergences = Partial<Record<CaseId, string>>;

const CASES = {
  models: 'GET /v1/models: the base card first, then LoRA cards with parent and root',
  load: 'load: plain-text success, then already-loaded InvalidUserInput; the adapter serves and is listed',
  loadErrors: 'load errors: a path without an adapter is a 404 NotFoundError; empty fields are InvalidUserInput',
  unloadUnknown: 'unload of an unknown adapter: 404 NotFoundError "cannot be found"',
  unknownModel: 'unknown model: 404 NotFoundError in the nested envelope, before any streaming',
  streamFraming: 'stream framing: role chunk first, one finish chunk, [DONE]; no usage without stream_options',
  streamUsage: 'stream_options: include_usage true adds one final usage chunk with empty choices; {} does not',
  streamOptionsNoStream: 'stream_options without stream: 400',
  nonStreaming: 'non-streaming chat and completions: object, model echo, usage',
  health: 'GET /health: 200 with an empty body',
} as const;
type CaseId = keyof typeof CASES;

interface ModelCard {
  id: string;
  object: string;
  owned_by: string;
  root: string | null;
  parent: string | null;
  max_model_len: number | null;
  permission: unknown[];
}

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: number };
}

type Json = Record<string, any>;

const fresh = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}@1`;

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function errorBody(res: Response): Promise<ErrorBody> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as ErrorBody;
  assert.equal(typeof body.error?.message, 'string', JSON.stringify(body));
  assert.equal(body.error.code, res.status, 'error.code equals the HTTP status');
  return body;
}

/** Splits an SSE body into its `data:` payloads, asserting vLLM's framing (no `event:` lines, blank-line separated). */
function sseData(text: string): string[] {
  assert.ok(text.endsWith('\n\n'), 'events end with a blank line');
  const events = text.split('\n\n').filter((e) => e !== '' && !e.startsWith(':'));
  return events.map((e) => {
    assert.ok(e.startsWith('data: '), `every event is a data line: ${JSON.stringify(e)}`);
    assert.ok(!e.includes('\n'), 'one line per event');
    return e.slice('data: '.length);
  });
}

async function models(t: ProtocolTarget): Promise<ModelCard[]> {
  const res = await fetch(`${t.url}/v1/models`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { object: string; data: ModelCard[] };
  assert.equal(body.object, 'list');
  return body.data;
}

async function streamChat(t: ProtocolTarget, extra: Json): Promise<{ chunks: Json[]; raw: string[] }> {
  const res = await post(`${t.url}/v1/chat/completions`, {
    model: t.preloaded.name,
    messages: [{ role: 'user', content: 'Which department is answering?' }],
    max_tokens: 6,
    temperature: 0,
    stream: true,
    ...extra,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const raw = sseData(await res.text());
  assert.equal(raw.at(-1), '[DONE]', 'the stream ends with data: [DONE]');
  assert.equal(raw.filter((d) => d === '[DONE]').length, 1);
  return { chunks: raw.slice(0, -1).map((d) => JSON.parse(d) as Json), raw };
}

export function vllmProtocolContract(
  label: string,
  target: () => ProtocolTarget,
  divergences: KnownDivergences = {},
): void {
  const test = (id: CaseId, fn: () => Promise<void>) => {
    const todo = divergences[id];
    nodeTest(CASES[id], todo ? { todo: `known divergence: ${todo}` } : {}, fn);
  };
  describe(`vLLM protocol contract: ${label}`, () => {
    let t: ProtocolTarget;
    before(() => {
      t = target();
    });

    test('models', async () => {
      const cards = await models(t);
      const base = cards[0];
      assert.equal(base.id, t.baseModel);
      assert.equal(base.object, 'model');
      assert.equal(base.owned_by, 'vllm');
      assert.equal(base.root, t.modelRoot);
      assert.equal(base.parent, null);
      assert.equal(typeof base.max_model_len, 'number');
      assert.ok(Array.isArray(base.permission) && base.permission.length === 1);
      const lora = cards.find((c) => c.id === t.preloaded.name);
      assert.ok(lora, `the --lora-modules adapter ${t.preloaded.name} is listed`);
      assert.equal(lora.parent, t.baseModel);
      assert.equal(lora.root, t.preloaded.path);
      assert.equal(lora.max_model_len, null);
      assert.equal(lora.object, 'model');
    });

    test('load', async () => {
      const name = fresh('contract');
      const first = await post(`${t.url}/v1/load_lora_adapter`, { lora_name: name, lora_path: t.loadablePath });
      assert.equal(first.status, 200);
      assert.doesNotMatch(first.headers.get('content-type') ?? '', /json/);
      assert.equal(await first.text(), `Success: LoRA adapter '${name}' added successfully.`);

      const card = (await models(t)).find((c) => c.id === name);
      assert.ok(card, 'a loaded adapter is listed');
      assert.equal(card.parent, t.baseModel);
      assert.equal(card.root, t.loadablePath);
      assert.equal(card.max_model_len, null);

      const again = await post(`${t.url}/v1/load_lora_adapter`, { lora_name: name, lora_path: t.loadablePath });
      assert.equal(again.status, 400);
      const body = await errorBody(again);
      assert.equal(body.error.type, 'InvalidUserInput');
      assert.ok(
        body.error.message.startsWith(`The lora adapter '${name}' has already been loaded.`),
        body.error.message,
      );

      const chat = await post(`${t.url}/v1/chat/completions`, {
        model: name,
        messages: [{ role: 'user', content: 'hello' }],
        max_tokens: 2,
      });
      assert.equal(chat.status, 200);
      assert.equal(((await chat.json()) as Json).model, name, 'the response echoes the adapter name');

      const unload = await post(`${t.url}/v1/unload_lora_adapter`, { lora_name: name });
      assert.equal(unload.status, 200);
      assert.equal(await unload.text(), `Success: LoRA adapter '${name}' removed successfully.`);
      assert.equal(
        (await models(t)).find((c) => c.id === name),
        undefined,
        'an unloaded adapter is no longer listed',
      );
    });

    test('loadErrors', async () => {
      const name = fresh('missing');
      const path = `/nonexistent/lorag-contract/${name}`;
      const res = await post(`${t.url}/v1/load_lora_adapter`, { lora_name: name, lora_path: path });
      assert.equal(res.status, 404);
      const body = await errorBody(res);
      assert.equal(body.error.type, 'NotFoundError');
      assert.match(body.error.message, /No adapter found for/);
      assert.equal(
        (await models(t)).find((c) => c.id === name),
        undefined,
        'a failed load registers nothing',
      );

      const empty = await post(`${t.url}/v1/load_lora_adapter`, { lora_name: name, lora_path: '' });
      assert.equal(empty.status, 400);
      const emptyBody = await errorBody(empty);
      assert.equal(emptyBody.error.type, 'InvalidUserInput');
      assert.equal(emptyBody.error.message, "Both 'lora_name' and 'lora_path' must be provided.");
    });

    test('unloadUnknown', async () => {
      const name = fresh('ghost');
      const res = await post(`${t.url}/v1/unload_lora_adapter`, { lora_name: name });
      assert.equal(res.status, 404);
      const body = await errorBody(res);
      assert.equal(body.error.type, 'NotFoundError');
      assert.equal(body.error.message, `The lora adapter '${name}' cannot be found.`);
    });

    test('unknownModel', async () => {
      const name = fresh('no-such-adapter');
      for (const stream of [false, true]) {
        const res = await post(`${t.url}/v1/chat/completions`, {
          model: name,
          messages: [{ role: 'user', content: 'hi' }],
          stream,
        });
        assert.equal(res.status, 404);
        const body = await errorBody(res);
        assert.equal(body.error.type, 'NotFoundError');
        // vLLM 0.32 appends the served names ("Valid aliases: tiny-base."); older releases stop after "exist.".
        const expected = `The model \`${name}\` does not exist.`;
        assert.ok(
          body.error.message === expected || body.error.message.startsWith(`${expected} Valid aliases: ${t.baseModel}`),
          body.error.message,
        );
        assert.ok(body.error.param === 'model' || body.error.param === null, `param: ${body.error.param}`);
      }
    });

    test('streamFraming', async () => {
      const { chunks } = await streamChat(t, {});
      assert.ok(chunks.length >= 2);
      const id = chunks[0].id;
      for (const c of chunks) {
        assert.equal(c.object, 'chat.completion.chunk');
        assert.equal(c.id, id, 'one id for the whole stream');
        assert.equal(c.model, t.preloaded.name, 'chunks echo the adapter name');
        assert.equal(c.usage, undefined, 'no usage unless asked for');
      }
      assert.match(id, /^chatcmpl-/);
      assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
      assert.equal(chunks[0].choices[0].finish_reason ?? null, null);
      const finishing = chunks.filter((c) => c.choices[0]?.finish_reason);
      assert.equal(finishing.length, 1, 'exactly one chunk carries finish_reason');
      assert.equal(finishing[0], chunks.at(-1), 'and it is the last one');
      assert.ok(['stop', 'length'].includes(finishing[0].choices[0].finish_reason));
    });

    test('streamUsage', async () => {
      const { chunks } = await streamChat(t, { stream_options: { include_usage: true } });
      const last = chunks.at(-1) as Json;
      assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
      const u = last.usage;
      assert.ok(u.prompt_tokens > 0 && u.completion_tokens > 0, JSON.stringify(u));
      assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
      assert.equal(chunks.filter((c) => c.usage).length, 1, 'usage only on the final chunk');
      assert.ok(chunks.at(-2)?.choices[0]?.finish_reason, 'the finish chunk comes just before the usage chunk');

      // Observed on vLLM 0.32: StreamOptions.include_usage defaults to False, so `{}` asks for nothing
      // (shared/reference/vllm.md §5 said True; the real server is the authority here).
      const empty = await streamChat(t, { stream_options: {} });
      assert.equal(empty.chunks.filter((c) => c.usage).length, 0, 'stream_options {} adds no usage');
      assert.ok(empty.chunks.at(-1)?.choices[0]?.finish_reason, 'the finish chunk is the last one');
    });

    test('streamOptionsNoStream', async () => {
      const res = await post(`${t.url}/v1/chat/completions`, {
        model: t.baseModel,
        messages: [{ role: 'user', content: 'hi' }],
        stream_options: { include_usage: true },
      });
      assert.equal(res.status, 400);
      await errorBody(res);
    });

    test('nonStreaming', async () => {
      const chat = await post(`${t.url}/v1/chat/completions`, {
        model: t.preloaded.name,
        messages: [{ role: 'user', content: 'Which department is answering?' }],
        max_tokens: 4,
        temperature: 0,
      });
      assert.equal(chat.status, 200);
      const c = (await chat.json()) as Json;
      assert.equal(c.object, 'chat.completion');
      assert.equal(c.model, t.preloaded.name);
      assert.equal(c.choices[0].message.role, 'assistant');
      assert.equal(typeof c.choices[0].message.content, 'string');
      assert.ok(['stop', 'length'].includes(c.choices[0].finish_reason));
      assert.equal(c.usage.total_tokens, c.usage.prompt_tokens + c.usage.completion_tokens);

      const base = await post(`${t.url}/v1/completions`, { model: t.baseModel, prompt: 'Hello', max_tokens: 3 });
      assert.equal(base.status, 200);
      const b = (await base.json()) as Json;
      assert.equal(b.object, 'text_completion');
      assert.equal(b.model, t.baseModel, 'the base model echoes the first served name');
      assert.match(b.id, /^cmpl-/);
      assert.equal(typeof b.choices[0].text, 'string');
      assert.ok(b.usage.completion_tokens <= 3);
    });

    test('health', async () => {
      const res = await fetch(`${t.url}/health`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '');
    });
  });
}
