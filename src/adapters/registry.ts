/**
 * @module adapters/registry — the desired state: every adapter manifest under the adapters folder, plus
 * versions registered at run time through the admin API.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatIssues } from '../config/load.ts';
import { canarySplitSchema } from '../config/schema.ts';
import {
  type AdapterManifest,
  type AdapterVersion,
  adapterManifestSchema,
  adapterVersionSchema,
  registeredName,
} from './manifest.ts';

export interface ResolvedAdapter {
  name: string;
  version: string;
  /** `name@version`: the model name on vLLM and in responses. */
  id: string;
  source: string;
  baseModel: string;
  rank: number;
}

export class AdapterRegistryError extends Error {}

export class AdapterRegistry {
  #manifests = new Map<string, AdapterManifest>();

  constructor(manifests: AdapterManifest[] = []) {
    for (const m of manifests) this.#manifests.set(m.name, m);
  }

  names(): string[] {
    return [...this.#manifests.keys()].sort();
  }

  get(name: string): AdapterManifest | undefined {
    return this.#manifests.get(name);
  }

  all(): AdapterManifest[] {
    return this.names().map((n) => this.#manifests.get(n)!);
  }

  /** A specific version, retired ones included (pinned requests for a retired version are refused by routing). */
  resolve(name: string, version: string): ResolvedAdapter | undefined {
    const m = this.#manifests.get(name);
    const v = m?.versions.find((x) => x.version === version);
    if (!m || !v) return undefined;
    return {
      name,
      version,
      id: registeredName(name, version),
      source: v.source,
      baseModel: m.base_model,
      rank: v.rank ?? m.rank,
    };
  }

  /** Live (non-retired) versions, in manifest order. */
  liveVersions(name: string): AdapterVersion[] {
    return this.#manifests.get(name)?.versions.filter((v) => !v.retired) ?? [];
  }

  /** The default split: the manifest's, else all traffic to the last live version. */
  defaultSplit(name: string): Record<string, number> {
    const m = this.#manifests.get(name);
    if (!m) return {};
    if (m.split) return m.split;
    const live = this.liveVersions(name);
    const last = live[live.length - 1];
    return last ? { [registeredName(name, last.version)]: 100 } : {};
  }

  /** Admin API: add a version to an existing adapter (kept in memory; persisted by writing the manifest). */
  addVersion(name: string, version: unknown): ResolvedAdapter {
    const m = this.#manifests.get(name);
    if (!m) throw new AdapterRegistryError(`unknown adapter '${name}'`);
    const parsed = adapterVersionSchema.safeParse(version);
    if (!parsed.success) throw new AdapterRegistryError(formatIssues(parsed.error.issues).join('; '));
    if (m.versions.some((v) => v.version === parsed.data.version)) {
      throw new AdapterRegistryError(`version ${parsed.data.version} of '${name}' already exists`);
    }
    this.#manifests.set(name, { ...m, versions: [...m.versions, parsed.data] });
    return this.resolve(name, parsed.data.version)!;
  }

  /** Admin API: the manifest's default split (`null` removes it: all traffic to the last live version). */
  setSplit(name: string, split: Record<string, number> | null): void {
    const m = this.#manifests.get(name);
    if (!m) throw new AdapterRegistryError(`unknown adapter '${name}'`);
    if (split === null) {
      this.#manifests.set(name, { ...m, split: undefined });
      return;
    }
    const parsed = canarySplitSchema.safeParse(split);
    if (!parsed.success) throw new AdapterRegistryError(formatIssues(parsed.error.issues).join('; '));
    const live = new Set(this.liveVersions(name).map((v) => registeredName(name, v.version)));
    const bad = Object.keys(parsed.data).filter((k) => !live.has(k));
    if (bad.length) throw new AdapterRegistryError(`not live versions of '${name}': ${bad.join(', ')}`);
    this.#manifests.set(name, { ...m, split: parsed.data });
  }

  retire(name: string, version: string): void {
    const m = this.#manifests.get(name);
    if (!m?.versions.some((v) => v.version === version)) {
      throw new AdapterRegistryError(`unknown adapter version '${name}@${version}'`);
    }
    const versions = m.versions.map((v) => (v.version === version ? { ...v, retired: true } : v));
    const split = m.split && Object.fromEntries(Object.entries(m.split).filter(([k]) => k !== `${name}@${version}`));
    this.#manifests.set(name, { ...m, versions, split: split && Object.keys(split).length ? split : undefined });
  }
}

/** Reads every `<dir>/<name>/adapter.yaml`; all problems are reported together. */
export function loadRegistry(dir: string): AdapterRegistry {
  if (!existsSync(dir)) return new AdapterRegistry();
  const manifests: AdapterManifest[] = [];
  const problems: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(dir, entry.name, 'adapter.yaml');
    if (!existsSync(file)) continue;
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push(`${file}: not valid YAML: ${(err as Error).message}`);
      continue;
    }
    const parsed = adapterManifestSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...formatIssues(parsed.error.issues).map((p) => `${file}: ${p}`));
    } else if (parsed.data.name !== entry.name) {
      problems.push(`${file}: name '${parsed.data.name}' must match its folder '${entry.name}'`);
    } else {
      manifests.push(parsed.data);
    }
  }
  if (problems.length) throw new AdapterRegistryError(`invalid adapter manifests:\n  - ${problems.join('\n  - ')}`);
  return new AdapterRegistry(manifests);
}
