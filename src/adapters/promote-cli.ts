/**
 * @module adapters/promote-cli — the version lifecycle over a running gateway's admin API:
 *   lorag adapters add-version NAME PATH [--version V] [--canary SHARE] [--preload]   (card.json in PATH is recorded)
 *   lorag adapters canary NAME@V --share SHARE
 *   lorag adapters promote NAME@V [--steps 10,50,100 [--every SECONDS]] [--require REPORT.json]
 *   lorag adapters rollback NAME
 *   lorag adapters retire NAME@V
 *   lorag adapters history NAME
 * Common: --url GATEWAY (LORAG_URL, else the config's server address), --admin-key K (LORAG_ADMIN_KEY),
 * --as NAME (who, for the audit line; default $USER). `--require` reads thresholds from the config's
 * adapters.promotion (--config FILE).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { configPathFrom, loadConfigFile } from '../config/load.ts';
import { evalReportSchema, promotionGate } from './promotion-gate.ts';

export function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** Positional arguments (flags and their values left out). */
function positional(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      if (!argv[i].includes('=') && !['--json', '--preload'].includes(argv[i])) i++;
      continue;
    }
    out.push(argv[i]);
  }
  return out;
}

export class CliError extends Error {}

function ref(text: string | undefined): { name: string; version: string } {
  const m = /^([^@\s]+)@([^@\s]+)$/.exec(text ?? '');
  if (!m) throw new CliError(`expected NAME@VERSION, got ${text ?? 'nothing'}`);
  return { name: m[1], version: m[2] };
}

export function adminClient(argv: string[]) {
  let url = flag(argv, 'url') ?? process.env.LORAG_URL;
  if (!url) {
    const config = loadConfigFile(configPathFrom(argv));
    url = `http://${config.server.host}:${config.server.port}`;
  }
  const key = flag(argv, 'admin-key') ?? process.env.LORAG_ADMIN_KEY;
  if (!key) throw new CliError('an admin key is needed: --admin-key K or LORAG_ADMIN_KEY');
  const actor = flag(argv, 'as') ?? process.env.USER ?? '';
  const base = url.replace(/\/+$/, '');
  return async function call(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${base}/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(actor ? { 'x-lorag-actor': actor } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = { error: { message: text } };
    }
    if (!res.ok) throw new CliError(`${method} /admin${path}: ${res.status} ${json?.error?.message ?? text}`);
    return json;
  };
}

const splitText = (split: Record<string, number>) =>
  Object.entries(split)
    .map(([k, v]) => `${k} ${Number(v.toFixed(2))}%`)
    .join(', ') || '(last live version)';

type Out = { write(text: string): unknown };

async function addVersion(argv: string[], out: Out): Promise<void> {
  const [name, path] = positional(argv);
  if (!name || !path) throw new CliError('usage: lorag adapters add-version NAME PATH [--version V] [--canary SHARE]');
  const call = adminClient(argv);
  // The source as the replicas will see it: an absolute path (vLLM resolves relative paths against its own cwd).
  const source = /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? path : resolve(path);
  const cardFile = resolve(path, 'card.json');
  const card = existsSync(cardFile)
    ? (JSON.parse(readFileSync(cardFile, 'utf8')) as Record<string, unknown>)
    : undefined;
  let version = flag(argv, 'version') ?? (card?.version === undefined ? undefined : String(card.version));
  if (!version) {
    const view = await call('GET', '/adapters');
    const versions: string[] =
      view.data.find((a: { name: string }) => a.name === name)?.versions.map((v: { version: string }) => v.version) ??
      [];
    version = String(Math.max(0, ...versions.map(Number).filter(Number.isFinite)) + 1);
  }
  const share = flag(argv, 'canary');
  const body = {
    version,
    source,
    ...(typeof card?.rank === 'number' ? { rank: card.rank } : {}),
    ...(share === undefined ? {} : { canary_share: Number(share) }),
    ...(card ? { card } : {}),
  };
  const res = await call('POST', `/adapters/${encodeURIComponent(name)}/versions`, body);
  out.write(`registered ${res.id} (source ${res.source}); split now: ${splitText(res.split)}\n`);
  if (argv.includes('--preload')) {
    // Load it now on every healthy replica that serves its base model, so the canary's first users wait for nothing.
    const view = await call('GET', '/adapters');
    const base = view.data.find((a: { name: string }) => a.name === name)?.base_model;
    for (const r of view.replicas as { id: string; base_model: string; healthy: boolean }[]) {
      if (r.base_model !== base || !r.healthy) continue;
      await call('POST', `/replicas/${encodeURIComponent(r.id)}/load`, { adapter: res.id });
      out.write(`preloaded ${res.id} on ${r.id}\n`);
    }
  }
}

async function canary(argv: string[], out: Out): Promise<void> {
  const { name, version } = ref(positional(argv)[0]);
  const share = Number(flag(argv, 'share'));
  if (!Number.isFinite(share)) throw new CliError('usage: lorag adapters canary NAME@V --share PERCENT');
  const res = await adminClient(argv)('PUT', `/adapters/${name}/versions/${version}/share`, { share });
  out.write(`${name}@${version} at ${share}%; split now: ${splitText(res.split)}\n`);
}

/** The gate of `promote --require`: throws with every reason when the report shows the version measurably worse. */
async function requireReport(
  argv: string[],
  id: string,
  call: ReturnType<typeof adminClient>,
  out: Out,
): Promise<void> {
  const file = flag(argv, 'require');
  if (!file) return;
  const report = evalReportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const name = id.split('@')[0];
  const view = await call('GET', '/adapters');
  const split: Record<string, number> = view.data.find((a: { name: string }) => a.name === name)?.split ?? {};
  const current = Object.entries(split)
    .filter(([, w]) => w > 0)
    .map(([k]) => k);
  const configPath = configPathFrom(argv);
  const metrics = existsSync(configPath)
    ? loadConfigFile(configPath).adapters.promotion.metrics
    : { f1: { max_drop: 0 }, general_f1: { max_drop: 0 } };
  const gate = promotionGate(report, id, current, metrics);
  for (const line of gate.checked) out.write(`  gate: ${line}\n`);
  if (!gate.ok) throw new CliError(`promotion of ${id} refused by ${file}:\n  - ${gate.reasons.join('\n  - ')}`);
  out.write(`  gate passed (${file})\n`);
}

async function promote(argv: string[], out: Out): Promise<void> {
  const { name, version } = ref(positional(argv)[0]);
  const id = `${name}@${version}`;
  const call = adminClient(argv);
  await requireReport(argv, id, call, out);
  const steps = (flag(argv, 'steps') ?? '100').split(',').map(Number);
  if (steps.some((s) => !(s > 0 && s <= 100)) || steps.at(-1) !== 100)
    throw new CliError('--steps are shares in (0, 100] ending with 100, e.g. 10,50,100');
  const every = Number(flag(argv, 'every') ?? 0) * 1000;
  for (const [i, share] of steps.entries()) {
    if (i > 0 && every > 0) await sleep(every);
    const res =
      share === 100
        ? await call('POST', `/adapters/${name}/versions/${version}/promote`)
        : await call('PUT', `/adapters/${name}/versions/${version}/share`, { share });
    out.write(`${id} at ${share}%; split now: ${splitText(res.split)}\n`);
  }
}

async function rollback(argv: string[], out: Out): Promise<void> {
  const [name] = positional(argv);
  if (!name) throw new CliError('usage: lorag adapters rollback NAME');
  const res = await adminClient(argv)('POST', `/adapters/${encodeURIComponent(name)}/rollback`);
  out.write(`${name} rolled back; split now: ${splitText(res.split)}\n`);
}

async function retire(argv: string[], out: Out): Promise<void> {
  const { name, version } = ref(positional(argv)[0]);
  const res = await adminClient(argv)('POST', `/adapters/${name}/versions/${version}/retire`);
  const pending = res.unload_pending_on.length ? ` (unloaded once drained on ${res.unload_pending_on.join(', ')})` : '';
  out.write(`${res.id} retired${pending}; kept in the history\n`);
}

async function history(argv: string[], out: Out): Promise<void> {
  const [name] = positional(argv);
  const res = await adminClient(argv)('GET', `/adapters/${encodeURIComponent(name ?? '')}/history`);
  if (argv.includes('--json')) {
    out.write(`${JSON.stringify(res, null, 2)}\n`);
    return;
  }
  out.write(`${name}: split ${splitText(res.split)}\n`);
  for (const v of res.versions)
    out.write(
      `  ${v.id}${v.retired ? ' (retired)' : ''}  ${v.source}${v.card?.final_loss === undefined ? '' : `  final loss ${v.card.final_loss}`}\n`,
    );
  for (const e of res.audit)
    out.write(`  ${e.at}  ${e.by}  ${e.action} ${e.adapter ?? ''} ${JSON.stringify(e.detail)}\n`);
}

export const lifecycleCommands: Record<string, (argv: string[], out: Out) => Promise<void>> = {
  'add-version': addVersion,
  canary,
  promote,
  rollback,
  retire,
  history,
};

export const LIFECYCLE_USAGE = `       lorag adapters add-version NAME PATH [--version V] [--canary SHARE] [--preload]
       lorag adapters canary NAME@V --share SHARE
       lorag adapters promote NAME@V [--steps 10,50,100 [--every SECONDS]] [--require REPORT.json]
       lorag adapters rollback NAME
       lorag adapters retire NAME@V
       lorag adapters history NAME [--json]
       (each: --url GATEWAY --admin-key KEY --as WHO)
`;
