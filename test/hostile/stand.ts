/**
 * The hostile-input stand: a real gateway (startGateway) over one real `lorag sim`, three tenants (legal, hr,
 * finance) and helpers that check what every answer must be: a 2xx, or a 4xx with OpenAI's error envelope;
 * never a 5xx, a non-JSON error body, or text that shows the gateway's internals.
 */
import assert from 'node:assert/strict';
import { sha256Hex } from '../../src/auth/keys.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { keys, type Stack, type StackOptions, startStack } from '../helpers/stack.ts';

export { keys };

export const tenants: StackOptions['tenants'] = {
  finance: {
    keys: [{ sha256: sha256Hex(keys.finance), name: 'finance-key' }],
    adapters: ['legal'],
    strategy: { default: 'lora', allowed: ['base', 'lora'] },
  },
};

export interface HostileStand extends Stack {
  embedder: RunningSim;
}

/** The stack plus a second simulator as the embeddings upstream, so /v1/embeddings is a real route too. */
export async function startHostileStand(options: StackOptions = {}): Promise<HostileStand> {
  const embedder = await startSim({ port: 0 });
  const config = {
    embeddings: { kind: 'openai', url: `${embedder.url}/v1`, model: 'tiny-base' },
    ...(options.config ?? {}),
  };
  const stack = await startStack({ ...options, config, tenants: { ...tenants, ...(options.tenants ?? {}) } });
  return {
    ...stack,
    embedder,
    async close() {
      await stack.close();
      await embedder.close();
    },
  };
}

/** Text that must never reach a tenant: filesystem paths, addresses, stack frames, Node/JS error names. */
const internals: [string, RegExp][] = [
  ['stack frame', /\bat [^\s]+ \(|\bat (?:file:|node:)|\.ts:\d+:\d+/],
  ['file path', /(?:^|[\s'"`(])\/(?:work|srv|tmp|home|usr|etc|var|root|opt|proc)\/[\w.-]/],
  ['address', /\b(?:127\.0\.0\.1|0\.0\.0\.0|localhost):\d+/],
  [
    'JS internals',
    /Maximum call stack|RangeError|TypeError|SyntaxError: Unexpected|Cannot read propert|undefined is not/,
  ],
];

export function assertNoInternals(text: string, context: string): void {
  for (const [what, re] of internals)
    assert.doesNotMatch(text, re, `${what} leaked in ${context}: ${text.slice(0, 300)}`);
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape, checked field by field
  json: any;
}

/**
 * Checks the universal rule and returns the answer: < 500, every 4xx is OpenAI's envelope, and nothing internal
 * is in the text (except in an operator route's successful answer: `operator`).
 */
export function assertClean(a: Answer, context: string, options: { operator?: boolean } = {}): Answer {
  assert.ok(a.status < 500, `${context}: got ${a.status} ${a.text.slice(0, 300)}`);
  if (a.status >= 400) {
    const e = a.json?.error;
    assert.ok(
      e && typeof e === 'object',
      `${context}: ${a.status} without an OpenAI envelope: ${a.text.slice(0, 200)}`,
    );
    assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'param', 'type'], context);
    assert.equal(typeof e.message, 'string');
    assert.equal(typeof e.type, 'string');
    assert.ok(e.param === null || typeof e.param === 'string', `${context}: param ${e.param}`);
    assert.ok(/json/.test(a.headers.get('content-type') ?? ''), `${context}: content-type`);
  }
  // Operators' own 2xx answers (admin views, /metrics) may name replica URLs and adapter sources.
  if (!(options.operator && a.status < 400)) assertNoInternals(a.text, context);
  return a;
}

export async function send(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Answer> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // a stream or plain text; checked by the caller
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const normalChat = (model = 'hr') => ({
  model,
  max_tokens: 8,
  temperature: 0,
  messages: [{ role: 'user', content: 'Is the other tenant still served?' }],
});

/** The next normal request of another tenant succeeds (nothing the hostile one did spilled over). */
export async function assertOtherTenantServed(stack: Stack, tenant: 'hr' | 'legal' | 'finance' = 'hr'): Promise<void> {
  const model = tenant === 'finance' ? 'legal' : tenant;
  const a = await send(`${stack.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' },
    body: JSON.stringify(normalChat(model)),
  });
  assert.equal(a.status, 200, `${tenant}'s normal request after hostile traffic: ${a.status} ${a.text.slice(0, 300)}`);
}
