/**
 * @module config/load — lorag.yaml + `LORAG_*` environment overrides → a validated, frozen Config.
 * Every problem is reported with its path; nothing starts on an invalid config.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { budgetConfigProblems } from './budgets-schema.ts';
import { ragConfigProblems } from './rag-check.ts';
import { type Config, configSchema } from './schema.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`invalid config ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * `LORAG_SERVER__PORT=9000` sets `server.port`; `__` separates levels, names are lower-cased. Only names with a
 * `__` are overrides (every top-level section is a mapping), so unrelated `LORAG_*` variables of scripts and
 * tools (e.g. `LORAG_E2E_VLLM_URL`) are left alone instead of failing validation as unknown keys.
 */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('LORAG_') || !name.includes('__') || value === undefined) continue;
    const path = name.slice('LORAG_'.length).toLowerCase().split('__').filter(Boolean);
    if (path.length === 0) continue;
    let node: Record<string, unknown> = out;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    // A YAML scalar so that numbers and booleans come through typed (`LORAG_TELEMETRY__TRACES=true`).
    node[path[path.length - 1]] = parseYaml(value);
  }
  return out;
}

export function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function parseConfig(raw: unknown, source = '(inline)', env: NodeJS.ProcessEnv = {}): Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, ['(root): must be a YAML mapping']);
  }
  const result = configSchema.safeParse(applyEnvOverrides(raw as Record<string, unknown>, env));
  if (!result.success) throw new ConfigError(source, formatIssues(result.error.issues));
  const problems = crossCheck(result.data);
  if (problems.length) throw new ConfigError(source, problems);
  return deepFreeze(result.data);
}

/** Checks that span sections (references between them), which the schema alone cannot express. */
function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  const baseNames = new Set(config.upstreams.base_models.map((b) => b.name));
  for (const [id, tenant] of Object.entries(config.tenants)) {
    if (tenant.base_model && !baseNames.has(tenant.base_model)) {
      problems.push(`tenants.${id}.base_model: unknown base model '${tenant.base_model}'`);
    }
    const allowed = tenant.strategy.allowed ?? [tenant.strategy.default];
    if (!allowed.includes(tenant.strategy.default)) {
      problems.push(`tenants.${id}.strategy.default: '${tenant.strategy.default}' is not in strategy.allowed`);
    }
  }
  if (config.cache.kind === 'redis' && !config.redis.url) problems.push('cache.kind: redis needs redis.url');
  if (config.limits.kind === 'redis' && !config.redis.url) problems.push('limits.kind: redis needs redis.url');
  problems.push(...duplicateKeyProblems(config));
  problems.push(...ragConfigProblems(config));
  problems.push(...budgetConfigProblems(config));
  return problems;
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read file: ${(err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(path, [`not valid YAML: ${(err as Error).message}`]);
  }
  return parseConfig(raw, path, env);
}

/** `--config FILE`, else `LORAG_CONFIG`, else ./lorag.yaml. */
export function configPathFrom(argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  const i = argv.indexOf('--config');
  if (i >= 0 && argv[i + 1]) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith('--config='));
  if (eq) return eq.slice('--config='.length);
  return env.LORAG_CONFIG ?? './lorag.yaml';
}

/** One key, one principal: a hash listed twice would authenticate as whichever entry the index saw last. */
function duplicateKeyProblems(config: Config): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  const claim = (sha256: string, path: string) => {
    const first = seen.get(sha256);
    if (first) problems.push(`${path}.sha256: the same key is already listed at ${first}`);
    else seen.set(sha256, path);
  };
  for (const [i, k] of config.admin.keys.entries()) claim(k.sha256, `admin.keys[${i}]`);
  for (const [id, tenant] of Object.entries(config.tenants)) {
    for (const [i, k] of tenant.keys.entries()) claim(k.sha256, `tenants.${id}.keys[${i}]`);
  }
  return problems;
}
