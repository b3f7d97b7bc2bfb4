/**
 * @module sim/main — `lorag sim [flags]`: starts the simulator, prints where it listens, stops on
 * SIGINT/SIGTERM.
 */
import { parseSimArgs, SIM_USAGE } from './options.ts';
import { startSim } from './server.ts';

export type { SimOptions } from './options.ts';
export { parseSimArgs } from './options.ts';
export { type RunningSim, startSim } from './server.ts';

export async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SIM_USAGE);
    return;
  }
  const sim = await startSim(parseSimArgs(argv));
  const o = sim.options;
  if (o.allowRuntimeLoraUpdating) {
    process.stderr.write(
      'WARNING: LoRA dynamic loading & unloading is enabled in the API server. This should ONLY be used for local development!\n',
    );
  }
  const adapters = sim.state.adapters().map((a) => a.name);
  process.stderr.write(
    `lorag sim: model=${o.servedModelNames.join(',')} max_loras=${o.maxLoras} compat=${o.vllmCompat}` +
      ` runtime_lora_updating=${o.allowRuntimeLoraUpdating} adapters=[${adapters.join(',')}]\n`,
  );
  process.stdout.write(`lorag sim listening on ${sim.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      sim.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
