/**
 * Key budgets through the request path. The budget stage enforces them when `admit()` is given the key's name
 * (src/budgets/budget-stage.test.ts shows it); the generation route does not pass `keyName` (nor `model`) to
 * the rate-limit stage yet, so this end-to-end case is a todo until it does (notes/issue-17.md).
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

test('a spent key budget refuses that key with insufficient_quota', {
  todo: 'needs keyName in the admit() call of the generation route',
}, async () => {
  await assert.rejects(
    stack.client('legal').chat.completions.create({
      model: 'legal',
      messages: [{ role: 'user', content: 'a question longer than the key budget allows' }],
      max_tokens: 20,
    }),
    (e: InstanceType<typeof OpenAI.APIError>) => e.status === 429 && e.code === 'insufficient_quota',
  );
});
