/**
 * The vLLM protocol contract, part 2: structured outputs and tool calls. Run against `lorag sim`
 * (test/contracts/vllm-protocol-sim.test.ts) and against real vLLM 0.32 CPU (e2e/real-vllm.test.ts).
 *
 * vLLM's structured outputs (xgrammar/guidance) work with any model, so `response_format` is checked the same
 * way everywhere: the output starts as JSON and validates against the schema when it finishes. (Measured on
 * vLLM 0.32 CPU with the tiny model: xgrammar admits any whitespace and the model spends max_tokens on
 * newlines, also with `structured_outputs.disable_any_whitespace`; so a `length` finish is accepted there.) Tool calls depend on how the
 * server was started (`toolCallParser`): without `--tool-call-parser` vLLM 0.32 refuses every tool_choice but
 * `none` with a 400 before generating (renderers/online_renderer.py) — the real lane's engine/serve-vllm.sh
 * starts it that way, so that lane checks the refusals; with a parser (the simulator's default, like
 * `--enable-auto-tool-choice --tool-call-parser hermes`) a named or `required` choice returns a tool call whose
 * arguments validate against the function's schema, streamed as tool-call deltas.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Ajv } from 'ajv';

export interface StructuredTarget {
  url: string;
  /** A model name the server serves (base or adapter). */
  model: string;
  /** Whether the server runs with a tool-call parser (named / required tool_choice supported). */
  toolCallParser: boolean;
}

type Json = Record<string, any>;

// Bounded values only (enums, small integers), so even a tiny real model finishes the document in few tokens.
const schema = {
  type: 'object',
  properties: {
    department: { type: 'string', enum: ['legal', 'finance', 'hr'] },
    priority: { type: 'integer', minimum: 1, maximum: 3 },
    urgent: { type: 'boolean' },
  },
  required: ['department', 'priority', 'urgent'],
  additionalProperties: false,
};
const tool = {
  type: 'function',
  function: { name: 'route_ticket', description: 'Route a ticket', parameters: schema },
};
const messages = [{ role: 'user', content: 'Route this ticket: the contract needs review. Use route_ticket.' }];
const validate = new Ajv({ strict: false }).compile(schema);

async function chat(url: string, body: Json): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ temperature: 0, max_tokens: 60, messages, ...body }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Json };
}

async function streamChunks(url: string, body: Json): Promise<Json[]> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ temperature: 0, max_tokens: 60, messages, stream: true, ...body }),
  });
  assert.equal(res.status, 200);
  const data = (await res.text())
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice(6));
  assert.equal(data.at(-1), '[DONE]');
  return data.slice(0, -1).map((d) => JSON.parse(d) as Json);
}

function assertValid(doc: unknown, what: string): void {
  assert.ok(validate(doc), `${what} ${JSON.stringify(doc)}: ${JSON.stringify(validate.errors)}`);
}

export function vllmStructuredContract(label: string, target: () => StructuredTarget): void {
  describe(`vLLM protocol contract (structured outputs, tools): ${label}`, () => {
    let t: StructuredTarget;
    before(() => {
      t = target();
    });

    test('response_format json_schema / json_object: output constrained to JSON (valid when it finishes)', async () => {
      for (const response_format of [
        { type: 'json_schema', json_schema: { name: 'ticket', schema, strict: true } },
        { type: 'json_object' },
      ]) {
        const r = await chat(t.url, { model: t.model, response_format });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const choice = r.body.choices[0];
        const content = String(choice.message.content);
        // xgrammar admits any whitespace, which a tiny model may spend its max_tokens on; the document
        // still starts as JSON, which an unconstrained model would not do.
        assert.match(content.trimStart(), /^\{/, content);
        if (choice.finish_reason === 'stop') {
          const doc = JSON.parse(content);
          if (response_format.type === 'json_schema') assertValid(doc, 'content');
          else assert.equal(typeof doc, 'object');
        } else assert.equal(choice.finish_reason, 'length');
      }
    });

    test('response_format json_schema without json_schema: 400', async () => {
      const r = await chat(t.url, { model: t.model, response_format: { type: 'json_schema' } });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 400);
    });

    test('tool_choice named / required: a tool call valid against the schema, or the no-parser 400', async () => {
      const named = { type: 'function', function: { name: 'route_ticket' } };
      for (const tool_choice of [named, 'required']) {
        const r = await chat(t.url, { model: t.model, tools: [tool], tool_choice });
        if (!t.toolCallParser) {
          assert.equal(r.status, 400, JSON.stringify(r.body));
          const desc = tool_choice === 'required' ? '"required"' : 'function "route_ticket"';
          assert.equal(r.body.error.message, `tool_choice=${desc} requires --tool-call-parser to be set`);
          continue;
        }
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const choice = r.body.choices[0];
        assert.equal(choice.finish_reason, tool_choice === 'required' ? 'tool_calls' : 'stop');
        const calls = choice.message.tool_calls as Json[];
        assert.equal(calls.length, 1);
        assert.equal(calls[0].type, 'function');
        assert.equal(calls[0].function.name, 'route_ticket');
        assert.match(calls[0].id, /^chatcmpl-tool-/);
        assertValid(JSON.parse(calls[0].function.arguments), 'arguments');
      }
    });

    test('tool_choice auto without --enable-auto-tool-choice: 400; with it, a tool call when asked', async () => {
      const r = await chat(t.url, { model: t.model, tools: [tool] });
      if (!t.toolCallParser) {
        assert.equal(r.status, 400);
        assert.match(r.body.error.message, /"auto" tool choice requires --enable-auto-tool-choice/);
        return;
      }
      assert.equal(r.status, 200);
      assert.ok(['tool_calls', 'stop'].includes(r.body.choices[0].finish_reason));
    });

    test('tool_choice named in a stream: id/type/name first, then argument deltas that join to valid JSON', async () => {
      if (!t.toolCallParser) return;
      const chunks = await streamChunks(t.url, {
        model: t.model,
        tools: [tool],
        tool_choice: { type: 'function', function: { name: 'route_ticket' } },
      });
      assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
      const deltas = chunks.flatMap((c) => (c.choices[0]?.delta?.tool_calls ?? []) as Json[]);
      assert.ok(deltas.length > 0);
      assert.equal(deltas[0].type, 'function');
      assert.equal(deltas[0].function.name, 'route_ticket');
      assert.equal(typeof deltas[0].id, 'string');
      for (const d of deltas.slice(1)) assert.equal(d.id, undefined, 'only the first delta carries the id');
      assertValid(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join('')), 'streamed arguments');
      assert.equal(chunks.filter((c) => c.choices[0]?.finish_reason).length, 1);
      // Measured on vLLM 0.32 + hermes: the announce carries the name only, the finish chunk an empty delta.
      assert.equal(deltas[0].function.arguments, undefined);
      assert.deepEqual(chunks.at(-1)?.choices[0].delta, {});
      assert.equal(chunks.at(-1)?.choices[0].finish_reason, 'stop', 'named calls finish with stop');
    });

    test('tool_choice without tools, and an unknown named tool: 400 with param tool_choice', async () => {
      const noTools = await chat(t.url, { model: t.model, tool_choice: 'required' });
      assert.equal(noTools.status, 400);
      const unknown = await chat(t.url, {
        model: t.model,
        tools: [tool],
        tool_choice: { type: 'function', function: { name: 'nope' } },
      });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /does not match any of the specified `tools`/);
    });
  });
}
