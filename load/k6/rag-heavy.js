// RAG-heavy: every request uses retrieval (strategy `hybrid` by default, or STRATEGY=rag) over the tenant's
// collections, with unique prompts (no cache), and must come back with citations.
// Needs documents ingested first: lorag ingest --tenant legal --collection company docs/
// Run: k6 run -e BASE_URL=… -e API_KEY=… -e STRATEGY=hybrid -e TOP_K=4 load/k6/rag-heavy.js
import { check } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import { arrival, chat, chatBody, MODEL, question } from './lib/config.js';

const STRATEGY = __ENV.STRATEGY || 'hybrid';
const cited = new Rate('answers_with_citations');
const degraded = new Rate('retrieval_degraded');
const citations = new Trend('citations_per_answer');

export const options = {
  scenarios: { rag_heavy: arrival(Number(__ENV.RATE || 10)) },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{strategy:hybrid}': ['p(95)<3000'],
    'http_req_duration{strategy:rag}': ['p(95)<3000'],
    answers_with_citations: ['rate>0.95'],
    retrieval_degraded: ['rate<0.01'],
  },
};

export default function () {
  const tags = { adapter: MODEL, strategy: STRATEGY };
  const lorag = { strategy: STRATEGY, top_k: Number(__ENV.TOP_K || 4) };
  const res = chat(chatBody(question(), { lorag }), { tags });
  check(res, {
    'status 200': (r) => r.status === 200,
    'strategy applied': (r) => r.headers['X-Lorag-Strategy'] === STRATEGY,
  });
  if (res.status !== 200) return;
  const list = res.json('citations') || [];
  cited.add(list.length > 0, tags);
  citations.add(list.length, tags);
  degraded.add(String(res.headers['X-Lorag-Degraded'] || '').includes('retrieval'), tags);
}
