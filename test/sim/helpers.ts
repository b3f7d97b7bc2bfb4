/**
 * Helpers for the simulator's integration tests: a started sim per test, an OpenAI client on it, and a
 * small order-independent Prometheus text parser.
 */
import OpenAI from 'openai';
import type { SimOptions } from '../../src/sim/options.ts';
import { type RunningSim, startSim } from '../../src/sim/server.ts';

export async function withSim<T>(options: SimOptions, fn: (sim: RunningSim, client: OpenAI) => Promise<T>): Promise<T> {
  const sim = await startSim({ port: 0, ...options });
  const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  try {
    return await fn(sim, client);
  } finally {
    await sim.close();
  }
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseProm(text: string): { samples: Sample[]; types: Record<string, string>; helps: Set<string> } {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  const helps = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') types[meta[2]] = meta[3];
      else helps.add(meta[2]);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types, helps };
}

export async function metrics(sim: RunningSim) {
  const res = await fetch(`${sim.url}/metrics`);
  return parseProm(await res.text());
}

export function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** The newest `vllm:lora_requests_info` series (largest timestamp), as a router reads it. */
export function latestLoraInfo(samples: Sample[]): Sample | undefined {
  return samples.filter((s) => s.name === 'vllm:lora_requests_info').sort((a, b) => b.value - a.value)[0];
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Polls until `check` is true (the state it waits for is driven by the test itself, so it cannot hang long). */
export async function until(check: () => boolean | Promise<boolean>, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
