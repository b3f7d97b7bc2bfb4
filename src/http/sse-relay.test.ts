import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chatStreamTransform } from './chat-stream-transform.ts';
import { completionPresenter } from './presenter.ts';
import { relaySse } from './sse-relay.ts';
import type { StreamSink } from './stream-sink.ts';

function sink(): StreamSink & { written: string } {
  return {
    written: '',
    write(chunk: string) {
      this.written += chunk;
      return undefined;
    },
    end() {},
    closed: false,
    onAbort() {},
  };
}

async function* pieces(text: string, cuts: number[]): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text);
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= at || cut >= bytes.length) continue;
    yield bytes.subarray(at, cut);
    at = cut;
  }
  yield bytes.subarray(at);
}

const newTransform = (record: boolean) =>
  chatStreamTransform({ chat: true, clientWantsUsage: false, citations: [], record, collectText: false });

const chunk = (i: number, content: string) =>
  JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });

describe('relaySse', () => {
  it('relays every data event once, whatever the read boundaries (CRLF, comments, multi-byte text)', async () => {
    const events = [chunk(0, 'Grüße'), chunk(1, ' 年假'), chunk(2, ' ok')];
    const upstream = `: keep-alive\n\n${events.map((e, i) => (i === 1 ? `data:${e}\r\n\n` : `data: ${e}\n\n`)).join('')}data: [DONE]\n\n`;
    const expected = `${events.map((e) => `data: ${e}\n\n`).join('')}data: [DONE]\n\n`;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(Buffer.byteLength(upstream)), { maxLength: 12 }), async (cuts) => {
        const out = sink();
        const transform = newTransform(true);
        const result = await relaySse(pieces(upstream, cuts), out, transform, completionPresenter.stream());
        assert.deepEqual(result, { complete: true, error: null });
        assert.equal(out.written, expected);
        assert.deepEqual(transform.state.chunks, events);
        assert.equal(transform.state.id, 'c1');
      }),
    );
  });

  it('a stream that ends without [DONE] ends with an error event', async () => {
    const out = sink();
    const transform = newTransform(false);
    const result = await relaySse(
      pieces(`data: ${chunk(0, 'a')}\n\n`, []),
      out,
      transform,
      completionPresenter.stream(),
    );
    assert.equal(result.complete, false);
    assert.match(out.written, /"code":"upstream_error"[\s\S]*data: \[DONE\]\n\n$/);
  });

  it('ends the client stream in the write that carries [DONE]; a body failing afterwards changes nothing', async () => {
    const out = sink();
    let endedWhileBodyOpen = false;
    let bodyDone = false;
    out.end = () => {
      endedWhileBodyOpen = !bodyDone;
    };
    let writes = 0;
    const write = out.write.bind(out);
    out.write = (chunk: string) => {
      writes++;
      return write(chunk);
    };
    async function* body(): AsyncIterable<Buffer> {
      yield Buffer.from(`data: ${chunk(0, 'a')}\n\ndata: [DONE]\n\n`);
      await new Promise((r) => setTimeout(r, 5));
      bodyDone = true;
      throw new Error('connection reset after the answer');
    }
    const transform = newTransform(true);
    const result = await relaySse(body(), out, transform, completionPresenter.stream());
    assert.deepEqual(result, { complete: true, error: null });
    assert.equal(writes, 1);
    assert.equal(out.written, `data: ${chunk(0, 'a')}\n\ndata: [DONE]\n\n`);
    assert.ok(endedWhileBodyOpen, 'the client was answered before the upstream body closed');
  });
});
