/**
 * @module demo — `npm run demo`: the simulator (runtime LoRA updating on, as the demo needs) and the gateway
 * with lorag.example.yaml, in one process, and a working OpenAI SDK call printed to copy.
 */
import { existsSync } from 'node:fs';
import { configPathFrom, loadConfigFile } from './config/load.ts';
import { startGateway } from './main.ts';
import { startSim } from './sim/main.ts';

export async function main(argv: string[]): Promise<void> {
  const path = argv.includes('--config')
    ? configPathFrom(argv)
    : existsSync('lorag.yaml')
      ? 'lorag.yaml'
      : 'lorag.example.yaml';
  const config = loadConfigFile(path);
  const replica = config.upstreams.base_models[0].replicas[0];
  const simUrl = new URL(replica.url);
  const sim = await startSim({
    host: simUrl.hostname,
    port: Number(simUrl.port || 80),
    model: config.upstreams.base_models[0].name,
    maxLoras: 2,
    ttftMs: 20,
    itlMs: 15,
    loadMs: 200,
    allowRuntimeLoraUpdating: true,
  });
  const gateway = await startGateway(config, { configPath: path });
  process.on('SIGHUP', () => gateway.reload());
  const base = `${gateway.url}/v1`;
  process.stdout.write(`lorag demo: simulator on ${sim.url}, gateway on ${gateway.url} (config ${path})

Try it (demo keys: sk-demo-legal, sk-demo-hr, sk-demo-ops — ops may use the adapters legal, hr, support and sales):

  curl -s ${base}/chat/completions -H 'authorization: Bearer sk-demo-legal' -H 'content-type: application/json' \\
    -d '{"model":"legal","messages":[{"role":"user","content":"Can we terminate the supplier contract early?"}]}'

  python3 - <<'PY'   # pip install openai
from openai import OpenAI
client = OpenAI(base_url="${base}", api_key="sk-demo-hr")
stream = client.chat.completions.create(model="hr", stream=True,
    messages=[{"role": "user", "content": "How many vacation days do new employees get?"}])
for chunk in stream:
    print(chunk.choices[0].delta.content or "", end="")
print()
PY

Ingest documents for retrieval with citations: npx lorag ingest --config ${path} --tenant legal --collection company load/k6/docs
Press Ctrl+C to stop.
`);
  await new Promise<void>((resolve) => {
    const stop = () => void Promise.all([gateway.close(), sim.close()]).then(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
