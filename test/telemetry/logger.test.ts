/**
 * The request log line: one JSON line per call with the fixed field set, and prompts/completions only when the
 * tenant opted in — not when content is offered without opt-in, nor smuggled in through extra entry fields.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, type RequestLogEntry, requestLog } from '../../src/telemetry/logger.ts';
import { withSpan } from '../../src/telemetry/spans.ts';

const SECRET_PROMPT = 'my salary is 123456, draft a complaint';
const SECRET_ANSWER = 'Dear HR, regarding the 123456';

function capture(level: Parameters<typeof createLogger>[0]['log_level'] = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ log_level: level }, { write: (s: string) => void lines.push(s) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const entry: RequestLogEntry = {
  request_id: 'req-7',
  endpoint: '/v1/chat/completions',
  tenant: 'legal-dept',
  adapter: 'legal@3',
  strategy: 'hybrid',
  cache: 'miss',
  status: 200,
  duration_ms: 123.45678,
  ttft_ms: 45.6,
  tokens_in: 42,
  tokens_out: 7,
  replica: 'vllm-0',
  degraded: ['retrieval'],
};

const content = () => ({ request: [{ role: 'user', content: SECRET_PROMPT }], response: SECRET_ANSWER });

describe('request log', () => {
  it('writes exactly one JSON line with every field', () => {
    const { logger, lines, parsed } = capture();
    requestLog(logger, entry);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].trimEnd().split('\n').length, 1);
    const [line] = parsed();
    assert.deepEqual(
      {
        ...line,
        time: typeof line.time,
      },
      {
        level: 'info',
        time: 'string',
        service: 'lorag',
        msg: 'request',
        request_id: 'req-7',
        trace_id: null,
        endpoint: '/v1/chat/completions',
        tenant: 'legal-dept',
        adapter: 'legal@3',
        strategy: 'hybrid',
        cache: 'miss',
        status: 200,
        duration_ms: 123.457,
        ttft_ms: 45.6,
        tokens_in: 42,
        tokens_out: 7,
        replica: 'vllm-0',
        degraded: ['retrieval'],
      },
    );
  });

  it('fills absent fields with null and logs a 5xx as error', () => {
    const { logger, parsed } = capture();
    requestLog(logger, { request_id: 'r', status: 503, duration_ms: 1 });
    const [line] = parsed();
    assert.equal(line.level, 'error');
    for (const field of [
      'trace_id',
      'tenant',
      'adapter',
      'strategy',
      'cache',
      'ttft_ms',
      'tokens_in',
      'tokens_out',
      'replica',
    ]) {
      assert.equal(line[field], null, field);
    }
    assert.deepEqual(line.degraded, []);
  });

  it('never writes content without opt-in, and does not even gather it', () => {
    const { logger, lines } = capture('trace');
    let gathered = 0;
    const spy = () => {
      gathered++;
      return content();
    };
    requestLog(logger, entry, { content: spy });
    requestLog(logger, entry, { logContent: false, content: spy });
    // Content smuggled in as extra fields of the entry is dropped too.
    const smuggled = { ...entry, content: content(), messages: [SECRET_PROMPT], completion: SECRET_ANSWER };
    requestLog(logger, smuggled as RequestLogEntry);
    assert.equal(lines.length, 3);
    assert.equal(gathered, 0);
    for (const line of lines) {
      assert.doesNotMatch(line, /123456|salary|Dear HR/);
      assert.equal('content' in JSON.parse(line), false);
    }
  });

  it('writes content when the tenant opted in', () => {
    const { logger, parsed } = capture();
    requestLog(logger, entry, { logContent: true, content });
    const [line] = parsed();
    assert.deepEqual(line.content, { request: [{ role: 'user', content: SECRET_PROMPT }], response: SECRET_ANSWER });
  });

  it('respects the log level', () => {
    const { logger, lines } = capture('error');
    requestLog(logger, entry);
    requestLog(logger, { ...entry, status: 502 });
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0]).status, 502);
  });

  it('redacts an authorization header logged by mistake', () => {
    const { logger, lines } = capture();
    logger.info({ headers: { authorization: 'Bearer sk-live-secret' } }, 'oops');
    assert.doesNotMatch(lines[0], /sk-live-secret/);
  });

  it('takes the trace id from an explicit field, else from the active span', async () => {
    const { logger, parsed } = capture();
    requestLog(logger, { ...entry, trace_id: 'abc' });
    // No SDK registered in this file: the active span is non-recording and has no valid trace id.
    await withSpan('x', undefined, () => requestLog(logger, entry));
    assert.deepEqual(
      parsed().map((l) => l.trace_id),
      ['abc', null],
    );
  });

  it('writes the line like pino would: same time format, the logger bindings, a child logger’s too', () => {
    const { logger, lines, parsed } = capture();
    logger.info({ request_id: 'p' }, 'request');
    requestLog(logger.child({ replica_set: 'eu' }), { request_id: 'q', status: 200, duration_ms: 1 });
    const [viaPino, ours] = parsed();
    assert.deepEqual(Object.keys(ours).slice(0, 3), Object.keys(viaPino).slice(0, 3));
    assert.match(String(ours.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(ours.service, 'lorag');
    assert.equal(ours.replica_set, 'eu');
    assert.ok(lines[1].endsWith('\n'));
  });
});
