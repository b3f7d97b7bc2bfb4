/**
 * @module load/bench/profile-summary — top self-time functions of a V8 .cpuprofile (from `npm run bench --
 * --cpu-prof DIR`, or `node --cpu-prof`), grouped by function and file, with a per-file rollup.
 * Usage: node load/bench/profile-summary.ts FILE.cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function summariseProfile(profile: Profile, top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const sampled = [...self.values()].reduce((a, b) => a + b, 0);
  // Percentages are of busy time: idle samples say how loaded the process was, not where the time went.
  const total = [...self].filter(([id]) => !idleIds.has(id)).reduce((a, [, us]) => a + us, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of self) {
    if (idleIds.has(id)) continue;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^file:\/\/.*?\/(node_modules|src|load)\//, '$1/').replace(/^node:/, 'node:');
    const key = `${functionName || '(anonymous)'}  ${short || '(native)'}${url ? `:${lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const f = short.startsWith('node_modules/')
      ? short
          .split('/')
          .slice(0, short.includes('/@') ? 3 : 2)
          .join('/')
      : short || functionName;
    file.set(f, (file.get(f) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [
    `profile: ${(sampled / 1e6).toFixed(2)} s sampled, ${(total / 1e6).toFixed(2)} s busy (${((100 * total) / sampled).toFixed(0)}%)`,
    '',
    'top self time, % of busy time (function  file:line):',
  ];
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(us)}  ${k}`);
  // Inclusive time of this project's own functions (self + callees), counted once per stack.
  const inclusive = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const node = byId.get(id)!;
    let t = self.get(id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = /\/(src|load)\//.test(url)
      ? `${functionName || '(anonymous)'}  ${url.replace(/^.*?\/(src|load)\//, '$1/')}:${lineNumber + 1}`
      : null;
    const fresh = key !== null && !onStack.has(key);
    if (fresh) onStack.add(key);
    for (const child of node.children ?? []) t += walk(child, onStack);
    if (fresh) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + t);
    }
    return t;
  };
  walk(profile.nodes[0].id, new Set());
  lines.push('', 'inclusive time of src/ and load/ functions, % of busy time:');
  for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(us)}  ${k}`);
  lines.push('', 'by file / package:');
  for (const [k, us] of [...file].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(us)}  ${k}`);
  return lines.join('\n');
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node load/bench/profile-summary.ts FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const i = process.argv.indexOf('--top');
  process.stdout.write(
    `${summariseProfile(JSON.parse(readFileSync(file, 'utf8')), i > 0 ? Number(process.argv[i + 1]) : 30)}\n`,
  );
}
