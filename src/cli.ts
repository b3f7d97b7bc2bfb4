#!/usr/bin/env node
/**
 * @module cli — `lorag <command>`: dispatches to each command's own module so that a command's
 * dependencies (LanceDB, OpenTelemetry, …) are only loaded when that command runs.
 */
const commands: Record<string, { summary: string; load: () => Promise<{ main(argv: string[]): Promise<void> }> }> = {
  serve: { summary: 'run the gateway (--config FILE, default ./lorag.yaml)', load: () => import('./main.ts') },
  sim: { summary: 'run the vLLM simulator (--port, --model, --max-loras, …)', load: () => import('./sim/main.ts') },
  demo: { summary: 'start the simulator and the gateway with lorag.example.yaml', load: () => import('./demo.ts') },
  ingest: { summary: 'ingest files into a knowledge collection', load: () => import('./ingest/cli.ts') },
  adapters: {
    summary: 'adapters list | status | add-version | canary | promote | rollback | retire | history',
    load: () => import('./adapters/cli.ts'),
  },
  train: {
    summary: 'train ADAPTER: dataset check, then a LoRA (peft | llamafactory) into a versioned folder with a card',
    load: () => import('./train/cli.ts'),
  },
  keys: { summary: 'keys create --tenant NAME', load: () => import('./auth/keys-cli.ts') },
  usage: {
    summary: 'usage ledger per tenant/adapter/key (terminal table); usage report --period 2026-11: chargeback',
    load: () => import('./usage/cli.ts'),
  },
  budgets: {
    summary: 'budgets [--tenant T] | set TENANT --limit N | reset TENANT',
    load: () => import('./budgets/cli.ts'),
  },
  eval: {
    summary: 'evaluate strategies/adapters through a running gateway; writes a report',
    load: () => import('./eval/cli.ts'),
  },
  data: {
    summary: 'data check FILE... (eval sets and Alpaca training files; leakage)',
    load: () => import('./data-check/cli.ts'),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: lorag <command> [options]\n\n${lines.join('\n')}\n`;
}

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(usage());
  process.exit(name ? 0 : 2);
}
const command = commands[name];
if (!command) {
  process.stderr.write(`lorag: unknown command '${name}'\n\n${usage()}`);
  process.exit(2);
}
try {
  await (await command.load()).main(rest);
} catch (err) {
  process.stderr.write(`lorag ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
