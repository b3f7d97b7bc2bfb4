/**
 * @module scripts/check-layers — the layering rule of CONTRIBUTING.md, enforced: reads every import of the
 * non-test files under src/, folds them into a graph of top-level folders, and fails on (1) a cycle between
 * folders and (2) a leaf folder importing a non-leaf one. Type-only imports count: a cycle of types is still
 * a cycle for whoever has to change them. Run by `npm run lint`; `--json` prints the graph.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Folders every stage may import and that import no stage themselves. */
export const LEAVES = new Set(['config', 'errors', 'openai', 'telemetry', 'embeddings', 'redis', 'collections']);

/** Folders that may use another stage only through its public face (importer → stage → the one file). */
export const PUBLIC_FACES: Record<string, Record<string, string>> = { ingest: { rag: 'rag/index.ts' } };

export interface ImportEdge {
  /** The imported file, relative to src/. */
  target?: string;
  from: string;
  to: string;
  file: string;
  line: number;
  specifier: string;
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) yield path;
  }
}

/** The top-level folder of a path under src/, or null for the composition root's own files (src/*.ts). */
function folderOf(srcDir: string, file: string): string | null {
  const parts = relative(srcDir, file).split('/');
  return parts.length > 1 ? parts[0] : null;
}

export function folderEdges(srcDir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(srcDir)) {
    const from = folderOf(srcDir, file);
    if (!from) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importPattern)) {
      const specifier = m[1] ?? m[2];
      if (!specifier.startsWith('.')) continue;
      const to = folderOf(srcDir, resolve(dirname(file), specifier));
      if (!to || to === from) continue;
      const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
      const target = relative(srcDir, resolve(dirname(file), specifier));
      edges.push({ from, to, target, file: relative(process.cwd(), file), line, specifier });
    }
  }
  return edges;
}

/** Strongly connected components with more than one folder (Tarjan). */
export function folderCycles(edges: ImportEdge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    if (!graph.has(e.to)) graph.set(e.to, new Set());
    graph.get(e.from)!.add(e.to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components;
}

export function layeringProblems(edges: ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const e of edges) {
    if (LEAVES.has(e.from) && !LEAVES.has(e.to)) {
      problems.push(`leaf '${e.from}' imports stage '${e.to}': ${e.file}:${e.line} (${e.specifier})`);
    }
  }
  for (const e of edges) {
    const face = PUBLIC_FACES[e.from]?.[e.to];
    if (face && e.target !== face) {
      problems.push(`'${e.from}' reaches past ${face}: ${e.file}:${e.line} (${e.specifier})`);
    }
  }
  for (const component of folderCycles(edges)) {
    const inCycle = new Set(component);
    const culprits = edges.filter((e) => inCycle.has(e.from) && inCycle.has(e.to));
    problems.push(
      `folder cycle ${component.join(' ↔ ')}:\n${culprits.map((e) => `    ${e.file}:${e.line} ${e.from} → ${e.to} (${e.specifier})`).join('\n')}`,
    );
  }
  return problems;
}

if (import.meta.main) {
  const srcDir = resolve(
    process.argv.find((a) => !a.startsWith('-') && a !== process.argv[1] && a !== process.argv[0]) ?? 'src',
  );
  const edges = folderEdges(srcDir);
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(edges, null, 2)}\n`);
  }
  const problems = layeringProblems(edges);
  if (problems.length) {
    process.stderr.write(
      `check-layers: ${problems.length} problem(s) in ${srcDir}\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(
    `check-layers: ${new Set(edges.map((e) => e.from)).size} folders, no cycles, leaves import no stage\n`,
  );
}
