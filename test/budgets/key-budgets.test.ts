/**
 * Key budgets through the request path: the generation route passes the key's name (and the model asked for)
 * to `admit()`, so a key's own budget refuses that key.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;

before(async () => {
  stack = await startStack({
    config: {
      budgets: {
        tenants: {
          legal: { keys: { 'sk-test-legal-name': [{ period: 'day', unit: 'tokens', amount: 10 }] } },
        },
      },
    },
  });
});

after(async () => {
  await stack?.close();
});

test('a spent key budget refuses that key with insufficient_quota', async () => {
  await assert.rejects(
    stack.client('legal').chat.completions.create({
      model: 'legal',
      messages: [{ role: 'user', content: 'a question longer than the key budget allows' }],
      max_tokens: 20,
    }),
    (e: InstanceType<typeof OpenAI.APIError>) => e.status === 429 && e.code === 'insufficient_quota',
  );
});
