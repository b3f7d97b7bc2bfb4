// Steady chat: a constant arrival rate of non-streaming chat completions, each a cache miss (unique prompt).
// Run: k6 run -e BASE_URL=http://127.0.0.1:8080 -e API_KEY=sk-demo-legal -e RATE=50 load/k6/steady-chat.js
import { check } from 'k6';
import { arrival, chat, chatBody, MODEL, question } from './lib/config.js';

export const options = {
  scenarios: { steady_chat: arrival() },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{scenario:steady_chat}': ['p(95)<2000', 'p(99)<5000'],
    checks: ['rate>0.99'],
  },
  tags: { adapter: MODEL },
};

export default function () {
  const res = chat(chatBody(question()), { tags: { adapter: MODEL } });
  check(res, {
    'status 200': (r) => r.status === 200,
    'has a choice': (r) => r.status === 200 && r.json('choices.0.message.content') !== undefined,
    'names the adapter': (r) => !!r.headers['X-Lorag-Adapter'],
  });
}
