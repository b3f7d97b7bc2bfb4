/**
 * Real clients against a real gateway + `lorag sim`: the OpenAI Agents SDK (one agent with a function tool,
 * over the Responses API), the Vercel AI SDK's `openai.responses(model)` with generateText / streamText, and
 * LangChain's ChatOpenAI `withStructuredOutput` and `bindTools` on chat completions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';
import { Agent, OpenAIProvider, Runner, setTracingDisabled, tool } from '@openai/agents';
import { generateText, Output, streamText } from 'ai';
import { z } from 'zod';
import { parseSimReply } from '../../src/sim/generate.ts';
import { answeredBy } from '../helpers/stack.ts';
import { type ResponsesStack, startResponsesStack } from './responses-stack.ts';

let stack: ResponsesStack;
before(async () => {
  stack = await startResponsesStack();
});
after(() => stack?.close());

describe('Responses API and chat via third-party clients', () => {
  test('@openai/agents: one agent with a function tool runs the tool and answers', async () => {
    setTracingDisabled(true);
    const calls: string[] = [];
    const getWeather = tool({
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        calls.push(city);
        return `It is sunny in ${city}.`;
      },
    });
    const agent = new Agent({ name: 'assistant', model: 'legal', instructions: 'Use tools.', tools: [getWeather] });
    const provider = new OpenAIProvider({ apiKey: stack.keys.legal, baseURL: stack.baseURL, useResponses: true });
    const runner = new Runner({ modelProvider: provider });
    const result = await runner.run(agent, 'What is the weather in Paris? Use get_weather.');
    assert.equal(calls.length, 1, 'the sim called the tool once (auto rule: the prompt names it)');
    assert.equal(answeredBy(String(result.finalOutput)), 'legal@1');
    // Streamed: the agent loop reads function_call items from Responses events.
    const streamed = await runner.run(agent, 'Weather in Rome? Use get_weather.', { stream: true });
    for await (const _event of streamed) {
      // drain
    }
    await streamed.completed;
    assert.equal(calls.length, 2, 'the streamed run executed the tool too');
    assert.equal(answeredBy(String(streamed.finalOutput)), 'legal@1');
  });

  test('@ai-sdk/openai .responses(model): generateText, streamText and structured output', async () => {
    const provider = createOpenAI({ apiKey: stack.keys.legal, baseURL: stack.baseURL });
    const model = provider.responses('legal');
    const g = await generateText({ model, prompt: 'Who answers?' });
    assert.equal(answeredBy(g.text), 'legal@1');
    assert.ok((g.usage.inputTokens ?? 0) > 0);
    const s = streamText({ model, prompt: 'Who answers?' });
    let text = '';
    for await (const part of s.textStream) text += part;
    assert.equal(answeredBy(text), 'legal@1');
    assert.equal(text, await s.text);
    const o = await generateText({
      model,
      prompt: 'Classify.',
      output: Output.object({ schema: z.object({ label: z.enum(['a', 'b']), note: z.string() }) }),
    });
    assert.equal(o.output.label, 'a');
    assert.equal(parseSimReply(o.output.note)?.model, 'legal@1');
  });

  test('LangChain ChatOpenAI: withStructuredOutput and bindTools on chat completions', async () => {
    const llm = new ChatOpenAI({
      model: 'legal',
      apiKey: stack.keys.legal,
      configuration: { baseURL: stack.baseURL },
      temperature: 0,
      maxRetries: 0,
    });
    const Ticket = z.object({ team: z.enum(['legal', 'hr']), priority: z.number().int().min(1).max(3) });
    const structured = await llm.withStructuredOutput(Ticket, { name: 'ticket' }).invoke('Route this ticket.');
    assert.deepEqual(Ticket.parse(structured), { team: 'legal', priority: 1 });
    const bound = llm.bindTools(
      [
        {
          type: 'function',
          function: {
            name: 'lookup_contract',
            description: 'Find a contract',
            parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
          },
        },
      ],
      { tool_choice: 'required' },
    );
    const msg = await bound.invoke('Find the Zephyr contract.');
    assert.equal(msg.tool_calls?.[0]?.name, 'lookup_contract');
    assert.equal(typeof msg.tool_calls?.[0]?.args.name, 'string');
  });
});
