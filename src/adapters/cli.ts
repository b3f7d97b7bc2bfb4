/**
 * @module adapters/cli — `lorag adapters list [--config F]`: the manifests in the config's adapters folder;
 * `lorag adapters status [--url GATEWAY] [--admin-key K] [--json]`: where each adapter version is registered,
 * loading and in flight on each replica, from the running gateway's `GET /admin/adapters`.
 * Defaults: `--url` from LORAG_URL, else the config's server address; `--admin-key` from LORAG_ADMIN_KEY.
 */
import { configPathFrom, loadConfigFile } from '../config/load.ts';
import { type AdminAdapters, adminAdaptersSchema } from './admin-view.ts';
import { LIFECYCLE_USAGE, lifecycleCommands } from './promote-cli.ts';
import { loadRegistry } from './registry.ts';

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return `${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}

export function listTable(dir: string): string {
  const rows = loadRegistry(dir)
    .all()
    .flatMap((m) =>
      m.versions.map((v) => [
        m.name,
        v.version,
        m.base_model,
        String(v.rank ?? m.rank),
        v.retired ? 'retired' : 'live',
        String(m.split?.[`${m.name}@${v.version}`] ?? ''),
        v.source,
      ]),
    );
  return table(['ADAPTER', 'VERSION', 'BASE MODEL', 'RANK', 'STATE', 'SPLIT %', 'SOURCE'], rows);
}

/** One row per adapter version and replica, then one per replica. */
export function statusTable(view: AdminAdapters): string {
  const rows = view.data.flatMap((a) =>
    a.versions.map((v) => {
      const where = (pick: (p: (typeof v.replicas)[number]) => boolean | number) =>
        v.replicas
          .filter((p) => pick(p))
          .map((p) => (typeof pick(p) === 'number' ? `${p.replica}:${pick(p)}` : p.replica))
          .join(',') || '-';
      return [
        v.id,
        v.retired ? (v.unload_pending ? 'retired (unload pending)' : 'retired') : 'live',
        String(a.split[v.id] ?? 0),
        where((p) => p.registered),
        where((p) => p.loading),
        where((p) => p.in_flight),
        where((p) => p.active),
      ];
    }),
  );
  const replicas = view.replicas.map((r) => [
    r.id,
    r.base_model,
    r.healthy ? 'up' : 'down',
    r.drained ? 'drained' : '-',
    `${r.busy.length}/${r.max_loras}`,
    String(r.in_flight),
    String(r.waiting),
    r.runtime_loading ? 'on' : 'off',
    r.registered.join(',') || '-',
  ]);
  return (
    table(
      ['ADAPTER', 'STATE', 'SPLIT %', 'REGISTERED ON', 'LOADING ON', 'IN FLIGHT (OURS)', 'ACTIVE ON (VLLM)'],
      rows,
    ) +
    '\n' +
    table(
      ['REPLICA', 'BASE MODEL', 'HEALTH', 'DRAIN', 'SLOTS BUSY', 'IN FLIGHT', 'WAITING', 'RUNTIME LOAD', 'REGISTERED'],
      replicas,
    )
  );
}

async function status(argv: string[]): Promise<void> {
  let url = flag(argv, 'url') ?? process.env.LORAG_URL;
  if (!url) {
    const config = loadConfigFile(configPathFrom(argv));
    url = `http://${config.server.host}:${config.server.port}`;
  }
  const key = flag(argv, 'admin-key') ?? process.env.LORAG_ADMIN_KEY;
  if (!key) throw new Error('an admin key is needed: --admin-key K or LORAG_ADMIN_KEY');
  const res = await fetch(`${url.replace(/\/+$/, '')}/admin/adapters`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /admin/adapters answered ${res.status}: ${text}`);
  const view = adminAdaptersSchema.parse(JSON.parse(text));
  process.stdout.write(argv.includes('--json') ? `${JSON.stringify(view, null, 2)}\n` : statusTable(view));
}

const USAGE = `usage: lorag adapters list [--config FILE]
       lorag adapters status [--url GATEWAY_URL] [--admin-key KEY] [--json]
${LIFECYCLE_USAGE}`;

export async function main(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    process.stdout.write(listTable(loadConfigFile(configPathFrom(rest)).adapters.dir));
  } else if (sub === 'status') {
    await status(rest);
  } else if (sub && lifecycleCommands[sub]) {
    await lifecycleCommands[sub](rest, process.stdout);
  } else {
    process.stdout.write(USAGE);
    if (sub !== '--help' && sub !== '-h') process.exitCode = 2;
  }
}
