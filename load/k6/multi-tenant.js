// Multi-tenant mix: each tenant its own scenario, rate and tags; one "noisy" tenant sends more than its
// requests_per_minute so that rate limiting shows (429 with retry-after) while the others stay unaffected.
// TENANTS is JSON: [{"name":"legal","key":"sk-…","model":"legal","rate":10},{"name":"hr",…,"noisy":true}]
// Run: k6 run -e BASE_URL=… -e TENANTS='[…]' load/k6/multi-tenant.js
import { check } from 'k6';
import http from 'k6/http';
import { Rate } from 'k6/metrics';
import { chat, chatBody, DURATION, question, VUS } from './lib/config.js';

const TENANTS = JSON.parse(
  __ENV.TENANTS ||
    JSON.stringify([
      { name: 'legal', key: 'sk-demo-legal', model: 'legal', rate: 5 },
      { name: 'hr', key: 'sk-demo-hr', model: 'hr', rate: 30, noisy: true },
    ]),
);

const limited = new Rate('rate_limited');
const retryAfter = new Rate('rate_limited_with_retry_after');

// 429 is an expected answer here: it does not count in http_req_failed.
http.setResponseCallback(http.expectedStatuses(200, 429));

const scenarios = {};
const thresholds = { http_req_failed: ['rate<0.01'], rate_limited_with_retry_after: ['rate>0.99'] };
for (const t of TENANTS) {
  scenarios[`tenant_${t.name}`] = {
    executor: 'constant-arrival-rate',
    rate: t.rate,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: Math.max(2, Math.ceil(VUS / TENANTS.length)),
    exec: 'tenant',
    env: { TENANT: t.name },
    tags: { tenant: t.name, adapter: t.model },
  };
  thresholds[`http_req_duration{tenant:${t.name},status:200}`] = ['p(95)<2000'];
  // A noisy tenant must be limited; a quiet one must never be.
  thresholds[`rate_limited{tenant:${t.name}}`] = [t.noisy ? 'rate>0.05' : 'rate<0.01'];
}

export const options = { scenarios, thresholds };

export function tenant() {
  const t = TENANTS.find((x) => x.name === __ENV.TENANT);
  const tags = { tenant: t.name, adapter: t.model };
  const res = chat(chatBody(question(), { model: t.model }), { key: t.key, tags });
  const is429 = res.status === 429;
  limited.add(is429, tags);
  if (is429) retryAfter.add(!!res.headers['Retry-After'], tags);
  check(res, {
    'served or rate limited': (r) => r.status === 200 || r.status === 429,
    'a 429 is rate_limit_exceeded': (r) => r.status !== 429 || r.json('error.code') === 'rate_limit_exceeded',
  });
}

export default tenant;
