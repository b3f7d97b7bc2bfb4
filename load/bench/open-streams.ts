/**
 * @module load/bench/open-streams — memory with many streams open at once: a slow simulator (100 ms between
 * tokens) so that `count` streams stay open together, a bare proxy and a lorag gateway in front of it (with
 * enough upstream connections for all of them), and the proxy's RSS sampled while every stream is open.
 */
import { BENCH_KEY } from './gateway-config.ts';
import { runOpenStreams } from './load-stream.ts';
import { peakRss, rssMb } from './procs.ts';
import type { OpenStreams } from './report.ts';
import { PATH } from './scenarios.ts';
import type { Stand } from './stand.ts';

export async function measureOpenStreams(
  stand: Stand,
  count: number,
  log: (line: string) => void,
): Promise<OpenStreams[]> {
  const tokens = count >= 500 ? 80 : 10;
  log(`bench: ${count} concurrent open streams (sim at 100 ms/token, ${tokens} tokens)`);
  const slow = await stand.startSim('sim-slow', ['--itl-ms', '100', '--max-loras', '4']);
  await fetch(`${slow.url}/v1/load_lora_adapter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lora_name: 'legal@1', lora_path: './adapters/legal/v1' }),
  }).then((r) => r.arrayBuffer());
  const connections = count + 64;
  const [bare, lorag] = await Promise.all([
    stand.startBare('bare-proxy-open', slow.url, connections),
    stand.startGateway('lorag-open', { simUrl: slow.url, cache: 'memory', connections }),
  ]);
  const body = (model: string) =>
    JSON.stringify({
      model,
      messages: [{ role: 'user', content: 'open [<id>] stream' }],
      max_tokens: tokens,
      temperature: 0,
      stream: true,
    });
  const out: OpenStreams[] = [];
  for (const [target, headers, model] of [
    [bare, { 'content-type': 'application/json' }, 'legal@1'],
    [lorag, { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` }, 'legal'],
  ] as const) {
    // one request first so that the adapter is loaded and the code paths are warm
    await runOpenStreams(
      { url: target.url + PATH, connections: 1, count: 1, seconds: 30, headers, body: body(model), uniqueBodies: true },
      async () => {},
    );
    const idle = target.pid === null ? null : rssMb(target.pid);
    let sampled: number | null = null;
    const r = await runOpenStreams(
      {
        url: target.url + PATH,
        connections: count,
        count,
        seconds: 30,
        headers,
        body: body(model),
        uniqueBodies: true,
      },
      async () => {
        const { peak } = await peakRss(target.pid, () => new Promise((res) => setTimeout(res, 1000)), 50);
        sampled = peak;
      },
    );
    out.push({
      name: target.name,
      streams: count,
      opened: r.opened,
      completed: r.completed,
      rss: sampled,
      baselineRss: idle,
    });
    log(
      `bench: ${target.name}: ${r.opened}/${count} open at once, ${r.completed} completed, RSS ${sampled === null ? '—' : (sampled as number).toFixed(0)} MB (idle ${idle?.toFixed(0)} MB)`,
    );
  }
  return out;
}
