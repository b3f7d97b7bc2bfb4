/**
 * fast-check arbitraries for hostile request bodies: random JSON with the nasty corners (NUL, lone
 * surrogates, `__proto__` keys, huge/negative/fractional numbers written as raw JSON text, deep nesting) and
 * valid requests with one field swapped for such a value, so that generation goes past the schema too.
 */
import fc from 'fast-check';

/** Strings that break naive code: NUL, lone surrogates, control characters, RTL marks, long runs. */
export const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff',
    'x\ud83dy',
    '\u202e',
    '\r\n\r\n',
    '%00',
    '../../etc/passwd',
    '__proto__',
    'constructor',
    '{{7*7}}',
    '<script>',
    '[1]',
    '\\u0000',
  ),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'A'.repeat(n)),
  fc
    .array(fc.integer({ min: 0xd800, max: 0xdfff }), { minLength: 1, maxLength: 4 })
    .map((cs) => String.fromCharCode(...cs)),
);

export const modelName = fc.oneof(
  fc.constantFrom(
    'legal',
    'legal@1',
    'legal@2',
    'legal@1@anything',
    'legal@',
    '@1',
    'hr',
    'hr@1',
    'auto',
    'tiny-base',
    '__proto__',
    'constructor',
    'legal@__proto__',
    'LEGAL',
    ' legal',
    'legal\u0000',
    'legal@1\n',
    'legal%401',
    '../legal',
    'legal@1/../../hr@1',
  ),
  nastyString,
);

/** A JSON number as raw text: beyond double range, beyond 2^53, negative zero, exponents, many digits. */
const rawNumber = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom(
    '1e400',
    '-1e400',
    '-0',
    '9007199254740993',
    '123456789012345678901234567890',
    '1e-400',
    '0.0000001',
    '-1',
    '2147483648',
    '4294967296',
    '1E2',
    '0e0',
  ),
);

const jsonKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'model',
    'messages',
    'prompt',
    'stream',
    'n',
    'max_tokens',
    'lorag',
    'stream_options',
    'tools',
    'response_format',
    'input',
    'role',
    'content',
    '',
  ),
  nastyString,
);

/** Raw JSON text (so `__proto__` keys and out-of-range numbers reach the server as written). */
export const rawJson: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant('null'),
    fc.boolean().map(String),
    rawNumber,
    nastyString.map((s) => JSON.stringify(s)),
    fc.array(tie('value'), { maxLength: 5 }).map((xs) => `[${xs.join(',')}]`),
    fc
      .array(fc.tuple(jsonKey, tie('value')), { maxLength: 5 })
      .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** Deep nesting as text, around and far past the bound. */
export const deepJson = fc
  .tuple(fc.integer({ min: 60, max: 20_000 }), fc.constantFrom('[', '{"a":', '{"__proto__":'))
  .map(([n, open]) => {
    const close = open === '[' ? ']' : '}';
    return `${open.repeat(n)}${open === '[' ? '' : '1'}${close.repeat(n)}`;
  });

export const anyValue = fc.oneof({ weight: 5, arbitrary: rawJson }, { weight: 1, arbitrary: deepJson });

/** A valid chat request with one field (top-level or inside the message) replaced by a hostile value. */
export function mutatedChat(tenantModel: string): fc.Arbitrary<string> {
  const fields = fc.constantFrom(
    'model',
    'messages',
    'max_tokens',
    'max_completion_tokens',
    'n',
    'temperature',
    'top_p',
    'stream',
    'stream_options',
    'stop',
    'seed',
    'logit_bias',
    'logprobs',
    'top_logprobs',
    'tools',
    'tool_choice',
    'response_format',
    'user',
    'lorag',
    'metadata',
    '__proto__',
    'messages[0].role',
    'messages[0].content',
    'messages[0].name',
    'messages[0].x',
    'lorag.strategy',
    'lorag.collections',
    'lorag.top_k',
  );
  return fc.tuple(fields, anyValue, fc.boolean(), modelName).map(([field, value, stream, model]) => {
    const messages = (inner: string) => `[{"role":"user","content":"hello"${inner}}]`;
    const parts: Record<string, string> = {
      model: JSON.stringify(field === 'model' ? model : tenantModel),
      max_tokens: '4',
      stream: String(stream),
      messages: messages(''),
    };
    if (field.startsWith('messages[0].')) {
      const key = field.slice('messages[0].'.length);
      parts.messages =
        key === 'role' || key === 'content'
          ? `[{"role":"user","content":"hi","${key}":${value}}]`
          : messages(`,"${key}":${value}`);
    } else if (field.startsWith('lorag.')) parts.lorag = `{"${field.slice(6)}":${value}}`;
    else if (field !== 'model') parts[field] = value;
    return `{${Object.entries(parts)
      .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
      .join(',')}}`;
  });
}

/** A valid completions request with one field replaced. */
export function mutatedCompletion(tenantModel: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('prompt', 'max_tokens', 'echo', 'best_of', 'suffix', 'logprobs', 'n', 'stop', 'model'),
      anyValue,
      modelName,
    )
    .map(([field, value, model]) => {
      const parts: Record<string, string> = { model: JSON.stringify(tenantModel), prompt: '"hi"', max_tokens: '4' };
      parts[field] = field === 'model' && value.length % 2 ? JSON.stringify(model) : value;
      return `{${Object.entries(parts)
        .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
        .join(',')}}`;
    });
}

export function mutatedEmbedding(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('input', 'model', 'encoding_format', 'dimensions', 'user', 'x'), anyValue)
    .map(([field, value]) => {
      const parts: Record<string, string> = { model: '"tiny-base"', input: '"hello"' };
      parts[field] = value;
      return `{${Object.entries(parts)
        .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
        .join(',')}}`;
    });
}
