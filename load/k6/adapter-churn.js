// Adapter churn beyond max_loras: requests spread over more adapters than a vLLM replica runs at once
// (--max-loras), so the gateway loads adapters at run time and vLLM swaps them. Tags per adapter; thresholds
// on failures, latency and on every answer naming the adapter it was asked for.
// ADAPTERS: comma-separated adapter names the API key's tenant may use (more than the replicas' max_loras);
// the defaults are the demo's `ops` tenant (key sk-demo-ops) and its four adapters (`npm run demo`: --max-loras 2).
// Run: k6 run -e BASE_URL=… -e API_KEY=… -e ADAPTERS=a1,a2,a3,a4,a5 load/k6/adapter-churn.js
import { check } from 'k6';
import { Rate } from 'k6/metrics';
import { arrival, chat, chatBody, question } from './lib/config.js';

const KEY = __ENV.API_KEY || 'sk-demo-ops';
const ADAPTERS = (__ENV.ADAPTERS || 'legal,hr,support,sales')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const rightAdapter = new Rate('answered_by_requested_adapter');
const degradedToBase = new Rate('degraded_to_base');

const thresholds = {
  http_req_failed: ['rate<0.01'],
  answered_by_requested_adapter: ['rate>0.99'],
  degraded_to_base: ['rate<0.01'],
};
for (const a of ADAPTERS) thresholds[`http_req_duration{adapter:${a}}`] = ['p(95)<5000'];

export const options = { scenarios: { adapter_churn: arrival() }, thresholds };

export default function () {
  // Round-robin over the adapters so that consecutive requests want different ones.
  const adapter = ADAPTERS[(__VU + __ITER) % ADAPTERS.length];
  const tags = { adapter };
  const res = chat(chatBody(question(), { model: adapter }), { key: KEY, tags });
  check(res, { 'status 200': (r) => r.status === 200 });
  if (res.status !== 200) return;
  const served = String(res.headers['X-Lorag-Adapter'] || '');
  rightAdapter.add(served.split('@')[0] === adapter, tags);
  degradedToBase.add(String(res.headers['X-Lorag-Degraded'] || '').includes('adapter'), tags);
}
