// Cache-hot: a small set of identical deterministic requests (temperature 0) asked over and over, so nearly all
// are answered by the response cache. Thresholds on the hit rate (x-lorag-cache: hit) and on hit latency.
// Run: k6 run -e BASE_URL=… -e API_KEY=… -e RATE=200 load/k6/cache-hot.js
import { check } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import { arrival, chat, chatBody, MODEL, QUESTIONS } from './lib/config.js';

const hits = new Rate('cache_hit');
const hitDuration = new Trend('cache_hit_duration', true);

export const options = {
  scenarios: { cache_hot: arrival(Number(__ENV.RATE || 100)) },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    cache_hit: ['rate>0.9'],
    cache_hit_duration: ['p(95)<50'],
  },
  tags: { adapter: MODEL },
};

// Ask each question once before the test, so the hit rate measures the steady state, not the first misses.
export function setup() {
  for (const q of QUESTIONS) chat(chatBody(q, { temperature: 0 }), { tags: { phase: 'warm-up' } });
}

export default function () {
  const q = QUESTIONS[__ITER % QUESTIONS.length];
  const res = chat(chatBody(q, { temperature: 0 }), { tags: { adapter: MODEL } });
  check(res, { 'status 200': (r) => r.status === 200 });
  const hit = res.headers['X-Lorag-Cache'] === 'hit';
  hits.add(hit);
  if (hit) hitDuration.add(res.timings.duration);
}
