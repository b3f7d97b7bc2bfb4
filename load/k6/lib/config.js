// Shared settings for the k6 scenarios. Everything comes from environment variables (k6 run -e NAME=value):
//   BASE_URL   gateway root, default http://127.0.0.1:8080 (the API is under /v1)
//   API_KEY    a tenant key, default sk-demo-legal (lorag.example.yaml)
//   MODEL      model to ask for, default legal (an adapter name, name@version, auto or the base model)
//   MAX_TOKENS completion length, default 32
//   RATE       requests (iterations) per second for arrival-rate scenarios, default 20
//   DURATION   how long each scenario runs, default 1m
//   VUS        preallocated virtual users, default 50
import { check } from 'k6';
import http from 'k6/http';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const API_KEY = __ENV.API_KEY || 'sk-demo-legal';
export const MODEL = __ENV.MODEL || 'legal';
export const MAX_TOKENS = Number(__ENV.MAX_TOKENS || 32);
export const RATE = Number(__ENV.RATE || 20);
export const DURATION = __ENV.DURATION || '1m';
export const VUS = Number(__ENV.VUS || 50);

export const QUESTIONS = [
  'Can we terminate the supplier contract early without paying a penalty?',
  'Review the indemnification clause in this NDA.',
  'How many vacation days do new employees get?',
  'What is the notice period for resignation?',
  'Does this data transfer comply with GDPR?',
  'Summarise the liability cap in the master services agreement.',
];

/** A fresh question per call (so the response cache does not answer), or a fixed one with `unique: false`. */
export function question(unique = true) {
  const q = QUESTIONS[Math.floor(Math.random() * QUESTIONS.length)];
  return unique ? `${q} (ref ${__VU}-${__ITER}-${Math.floor(Math.random() * 1e9)})` : q;
}

export function chatBody(content, extra = {}) {
  return JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }], max_tokens: MAX_TOKENS, ...extra });
}

export function headers(key = API_KEY, extra = {}) {
  return { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...extra };
}

/** POST /v1/chat/completions with tags (tenant, adapter, …) on every metric of the request. */
export function chat(body, { key = API_KEY, tags = {}, extraHeaders = {}, timeout = '120s' } = {}) {
  return http.post(`${BASE_URL}/v1/chat/completions`, body, { headers: headers(key, extraHeaders), tags, timeout });
}

/** Splits an SSE body into its `data:` payloads (k6 receives the whole stream before the script sees it). */
export function ssePayloads(text) {
  const out = [];
  for (const event of String(text || '').split('\n\n')) {
    const line = event.trim();
    if (line.startsWith('data:')) out.push(line.slice(5).trim());
  }
  return out;
}

export function checkOk(res, name = 'status 200') {
  return check(res, { [name]: (r) => r.status === 200 });
}

/** Arrival-rate scenario helper: RATE iterations per second for DURATION. */
export function arrival(rate = RATE, duration = DURATION, extra = {}) {
  return {
    executor: 'constant-arrival-rate',
    rate,
    timeUnit: '1s',
    duration,
    preAllocatedVUs: VUS,
    maxVUs: VUS * 4,
    ...extra,
  };
}
