// Streaming chat with time-to-first-token and inter-token thresholds. k6 reads the whole SSE body before the
// script sees it, so: TTFT ≈ the time to the first byte (`timings.waiting`: lorag answers only once vLLM's first
// event is there), and the inter-token gap ≈ the receiving time spread over the chunks that followed.
// Run: k6 run -e BASE_URL=… -e API_KEY=… -e TTFT_P95_MS=500 -e ITL_P95_MS=50 load/k6/streaming.js
import { check } from 'k6';
import { Trend } from 'k6/metrics';
import { arrival, chat, chatBody, MODEL, question, ssePayloads } from './lib/config.js';

const ttft = new Trend('time_to_first_token', true);
const interToken = new Trend('inter_token_latency', true);
const chunks = new Trend('stream_chunks');

export const options = {
  scenarios: { streaming: arrival() },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    time_to_first_token: [`p(95)<${__ENV.TTFT_P95_MS || 1000}`],
    inter_token_latency: [`p(95)<${__ENV.ITL_P95_MS || 100}`],
    checks: ['rate>0.99'],
  },
  tags: { adapter: MODEL },
};

export default function () {
  const res = chat(chatBody(question(), { stream: true, stream_options: { include_usage: true } }), {
    tags: { adapter: MODEL },
  });
  const events = res.status === 200 ? ssePayloads(res.body) : [];
  const ok = check(res, {
    'status 200': (r) => r.status === 200,
    'event-stream': (r) => String(r.headers['Content-Type'] || '').startsWith('text/event-stream'),
    'ends with [DONE]': () => events[events.length - 1] === '[DONE]',
    'usage chunk present': () => events.some((e) => e.includes('"usage":{')),
  });
  if (!ok) return;
  ttft.add(res.timings.waiting, { adapter: MODEL });
  const contentChunks = events.filter((e) => e.includes('"content"')).length;
  chunks.add(contentChunks);
  if (contentChunks > 1) interToken.add(res.timings.receiving / (contentChunks - 1), { adapter: MODEL });
}
