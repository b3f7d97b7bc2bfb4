/**
 * @module routing/plan — the routing plan: a pure function of the tenant's config, the adapter registry,
 * the request and (for `auto`) similarity scores computed beforehand. It decides which adapter version on
 * which base model, which strategy, and which knowledge collections.
 */
import type { AdapterRegistry, ResolvedAdapter } from '../adapters/registry.ts';
import type { Config, Strategy, TenantConfig } from '../config/schema.ts';
import { GatewayError, modelNotFound } from '../errors/gateway-error.ts';
import type { LoragExtension } from '../openai/requests.ts';
import { bestAdapter } from './auto-router.ts';
import { pickFromSplit } from './canary.ts';

export interface Plan {
  tenantId: string;
  /** What the client asked for (`legal`, `legal@3`, `auto`, or the base model name). */
  requestedModel: string;
  /** The adapter version that serves, or null for the base model. */
  adapter: ResolvedAdapter | null;
  baseModel: string;
  /** The effective strategy: `base`/`rag` without an adapter, `lora`/`hybrid` with one. */
  strategy: Strategy;
  retrieval: boolean;
  collections: string[];
  topK: number;
  /** The model name to send to vLLM (`legal@3` or the base model's served name). */
  upstreamModel: string;
  /** For `x-lorag-adapter`: `legal@3` or `base`. */
  adapterLabel: string;
}

export interface PlanInput {
  tenantId: string;
  tenant: TenantConfig;
  config: Config;
  registry: AdapterRegistry;
  model: string;
  extension?: LoragExtension;
  strategyHeader?: string;
  /** The `user` field, else the API key's name: keeps a caller on one canary version. */
  stickyKey: string;
  /** Scores per adapter name for `auto` (embedding similarity or keyword overlap). */
  autoScores?: Map<string, number>;
}

export function allowedStrategies(tenant: TenantConfig): Strategy[] {
  return tenant.strategy.allowed ?? [tenant.strategy.default];
}

export function tenantBaseModel(tenant: TenantConfig, config: Config): string {
  return tenant.base_model ?? config.upstreams.base_models[0].name;
}

function requestedStrategy(input: PlanInput): Strategy {
  const fromBody = input.extension?.strategy;
  if (fromBody) return fromBody;
  const header = input.strategyHeader?.trim().toLowerCase();
  if (header) {
    if (header === 'base' || header === 'lora' || header === 'rag' || header === 'hybrid') return header;
    throw new GatewayError(
      'invalid_value',
      `x-lorag-strategy must be one of base, lora, rag, hybrid; got '${header}'.`,
      {
        param: 'x-lorag-strategy',
      },
    );
  }
  return input.tenant.strategy.default;
}

/** Resolves `model` to an adapter version, or null for the base model; anything not allowed reads as unknown. */
function resolveAdapter(input: PlanInput, baseModel: string): ResolvedAdapter | null {
  const { model, tenant, registry } = input;
  if (model === baseModel) return null;
  let name = model;
  let version: string | undefined;
  if (model === 'auto') {
    // Only adapters the tenant may use *and* the registry has: a listed name with no manifest is not a choice.
    const usable = tenant.adapters.filter((n) => registry.get(n));
    const scores = new Map([...(input.autoScores ?? new Map())].filter(([n]) => usable.includes(n)));
    name = bestAdapter(scores.size ? scores : new Map(usable.map((n) => [n, 0]))) ?? '';
    if (!name) throw modelNotFound(model);
  } else if (model.includes('@')) {
    // Exactly one `@`: `legal@1@anything` is no model (split('@', 2) used to read it as legal@1).
    const at = model.indexOf('@');
    name = model.slice(0, at);
    version = model.slice(at + 1);
    if (version.includes('@')) throw modelNotFound(model);
  }
  if (!tenant.adapters.includes(name) || !registry.get(name)) throw modelNotFound(model);
  if (version === undefined) {
    const id = pickFromSplit(
      liveSplit(tenant.canary[name], name, registry) ?? registry.defaultSplit(name),
      name,
      input.stickyKey,
    );
    version = id?.split('@')[1];
  }
  const resolved = version === undefined ? undefined : registry.resolve(name, version);
  if (!resolved) throw modelNotFound(model);
  if (registry.liveVersions(name).every((v) => v.version !== version)) throw modelNotFound(model);
  return resolved;
}

/** A tenant's split without retired versions (their share goes to the rest); undefined when nothing is left. */
function liveSplit(
  split: Record<string, number> | undefined,
  name: string,
  registry: AdapterRegistry,
): Record<string, number> | undefined {
  if (!split) return undefined;
  const live = new Set(registry.liveVersions(name).map((v) => `${name}@${v.version}`));
  const kept = Object.entries(split).filter(([id, w]) => live.has(id) && w > 0);
  const total = kept.reduce((a, [, w]) => a + w, 0);
  return total > 0 ? Object.fromEntries(kept.map(([id, w]) => [id, (w / total) * 100])) : undefined;
}

export function plan(input: PlanInput): Plan {
  const { tenant, config } = input;
  const baseModel = tenantBaseModel(tenant, config);
  const adapter = resolveAdapter(input, baseModel);
  if (
    adapter &&
    adapter.baseModel !== baseModel &&
    !config.upstreams.base_models.some((b) => b.name === adapter.baseModel)
  ) {
    throw modelNotFound(input.model);
  }

  const asked = requestedStrategy(input);
  const allowed = allowedStrategies(tenant);
  if (!allowed.includes(asked)) {
    throw new GatewayError(
      'strategy_not_allowed',
      `Strategy '${asked}' is not allowed for this key; allowed: ${allowed.join(', ')}.`,
      {
        param: 'lorag.strategy',
      },
    );
  }
  const retrieval = asked === 'rag' || asked === 'hybrid';
  const strategy: Strategy = adapter ? (retrieval ? 'hybrid' : 'lora') : retrieval ? 'rag' : 'base';

  const collections = input.extension?.collections ?? tenant.collections;
  for (const c of collections) {
    if (!tenant.collections.includes(c)) {
      throw new GatewayError(
        'collection_not_found',
        `The collection \`${c}\` does not exist or you do not have access to it.`,
        {
          param: 'lorag.collections',
        },
      );
    }
  }

  return {
    tenantId: input.tenantId,
    requestedModel: input.model,
    adapter,
    baseModel: adapter?.baseModel ?? baseModel,
    strategy,
    retrieval: retrieval && collections.length > 0,
    collections: retrieval ? collections : [],
    topK: input.extension?.top_k ?? tenant.rag.top_k,
    upstreamModel: adapter?.id ?? baseModel,
    adapterLabel: adapter?.id ?? 'base',
  };
}

/** What `GET /v1/models` lists for a tenant: base model, `auto`, each adapter and each live pinned version. */
export function visibleModels(
  tenant: TenantConfig,
  config: Config,
  registry: AdapterRegistry,
): { id: string; parent: string | null }[] {
  const base = tenantBaseModel(tenant, config);
  const out: { id: string; parent: string | null }[] = [{ id: base, parent: null }];
  const names = tenant.adapters.filter((n) => registry.get(n));
  if (names.length) out.push({ id: 'auto', parent: base });
  for (const name of names) {
    const m = registry.get(name)!;
    out.push({ id: name, parent: m.base_model });
    for (const v of registry.liveVersions(name)) out.push({ id: `${name}@${v.version}`, parent: m.base_model });
  }
  return out;
}
