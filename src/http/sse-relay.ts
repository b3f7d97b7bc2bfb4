/**
 * @module http/sse-relay — the writer half of streaming: splits the upstream body into SSE events, runs each
 * `data:` payload through the transform (chat-stream-transform.ts), renders what comes out with the
 * presenter, and writes it to the client with backpressure, one write per upstream read. A stream that breaks
 * off (error event, body failure, no `[DONE]`) is ended by the presenter's `end` with the error.
 */
import { StringDecoder } from 'node:string_decoder';
import type { ChatStreamTransform } from './chat-stream-transform.ts';
import type { StreamPresenter } from './presenter.ts';
import type { StreamSink } from './stream-sink.ts';

export interface RelayResult {
  /** The upstream ended properly with `[DONE]` and no error event. */
  complete: boolean;
  error: string | null;
}

export async function relaySse(
  body: AsyncIterable<Buffer>,
  sink: StreamSink,
  transform: ChatStreamTransform,
  presenter: StreamPresenter,
  onFirstByte?: () => void,
): Promise<RelayResult> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let error: string | null = null;
  let started = presenter.start();
  /** The client's stream was finished at `[DONE]` (the rest of the upstream body is only drained). */
  let finished: { complete: boolean; error: string | null } | null = null;
  try {
    for await (const piece of body) {
      if (finished) continue;
      buffer += decoder.write(piece);
      let out = started;
      started = '';
      // Events are cut out of the buffer by index: one slice per payload, the rest kept once per read.
      let from = 0;
      for (let idx = buffer.indexOf('\n\n'); idx >= 0; idx = buffer.indexOf('\n\n', from)) {
        const start = from;
        const end = buffer.charCodeAt(idx - 1) === 13 ? idx - 1 : idx;
        from = idx + 2;
        // Comments (keep-alive) and blank events are not sent on.
        if (!buffer.startsWith('data:', start)) continue;
        const payloadStart = buffer.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
        const sent = transform.push(buffer.slice(payloadStart, end));
        if (sent !== null) out += presenter.event(sent);
      }
      if (from > 0) buffer = buffer.slice(from);
      if (transform.state.done) {
        // `[DONE]` arrived: the client's stream ends in this same write (the HTTP end joins it), instead of one
        // more write once the upstream body has closed. The upstream body is still read to its end, so its
        // connection goes back to the pool.
        const error = transform.state.error;
        finished = { complete: error === null, error };
        out += presenter.end({ ...finished, upstreamDone: true });
      }
      if (out) {
        if (onFirstByte) {
          onFirstByte();
          onFirstByte = undefined;
        }
        const wait = sink.write(out);
        if (finished) sink.end();
        else if (wait) await wait;
      }
      if (sink.closed) break;
    }
  } catch (err) {
    // After `[DONE]` the answer is whole: a body that fails while being drained changes nothing.
    if (!finished) error = (err as Error).message || 'upstream stream failed';
  }
  if (finished) return finished;
  const { state } = transform;
  error ??= state.error;
  if (!state.done && !sink.closed) error ??= 'the model server closed the stream before it finished';
  const complete = state.done && error === null;
  if (!sink.closed) sink.write(presenter.end({ complete, error, upstreamDone: state.done }));
  return { complete, error };
}
