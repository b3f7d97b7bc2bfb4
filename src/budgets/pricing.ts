/**
 * @module budgets/pricing — what a request costs. Prices are per million prompt and completion tokens, per
 * base model and optionally per adapter (the adapter's price wins). Costs are counted in integer micro-units
 * of the currency (tokens × price per million), so counters in Redis stay exact integers.
 */
import type { Price, PricesConfig } from '../config/budgets-schema.ts';

export interface TokenCounts {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface PriceContext {
  prices: PricesConfig;
  /** The tenant's base model (tenant.base_model, else the first configured). */
  tenantBase: string;
  /** Adapter names the tenant may use. */
  tenantAdapters: readonly string[];
  /** All base model names. */
  baseModels: readonly string[];
  /** The base model an adapter runs on (from its manifest), when known. */
  baseOf?(adapter: string): string | undefined;
}

const FREE: Price = { prompt_per_million: 0, completion_per_million: 0 };

export function costMicros(usage: TokenCounts, price: Price, factor = 1): number {
  return Math.round(
    (usage.prompt_tokens * price.prompt_per_million + usage.completion_tokens * price.completion_per_million) * factor,
  );
}

export const microsToAmount = (micros: number): number => micros / 1_000_000;

/** The adapter name of a label `legal@3` / `legal`; null for `base` (and the base model's own name). */
export function adapterNameOf(label: string, ctx: Pick<PriceContext, 'baseModels'>): string | null {
  if (label === 'base' || label === 'none' || ctx.baseModels.includes(label)) return null;
  const at = label.indexOf('@');
  return at >= 0 ? label.slice(0, at) : label;
}

/** The price of an answer by `adapterLabel` (`legal@3`, `legal`, `base` or a base model name). */
export function priceOf(adapterLabel: string, ctx: PriceContext): Price {
  const { prices } = ctx;
  if (ctx.baseModels.includes(adapterLabel)) return prices.models[adapterLabel] ?? FREE;
  const name = adapterNameOf(adapterLabel, ctx);
  if (name === null) return prices.models[ctx.tenantBase] ?? FREE;
  const base = ctx.baseOf?.(name) ?? ctx.tenantBase;
  return prices.adapters[name] ?? prices.models[base] ?? FREE;
}

function maxPrice(list: Price[]): Price {
  return list.reduce(
    (a, b) => ({
      prompt_per_million: Math.max(a.prompt_per_million, b.prompt_per_million),
      completion_per_million: Math.max(a.completion_per_million, b.completion_per_million),
    }),
    FREE,
  );
}

/**
 * The price to reserve and settle a request with, from the `model` it asked for: that adapter's or base model's
 * price; for `auto`, an unknown model or none given, the highest price the tenant can reach (never too low).
 */
export function priceForRequest(model: string | undefined, ctx: PriceContext): Price {
  if (model && model !== 'auto') {
    if (ctx.baseModels.includes(model)) return priceOf(model, ctx);
    const name = adapterNameOf(model, ctx);
    if (name && ctx.tenantAdapters.includes(name)) return priceOf(name, ctx);
  }
  return maxPrice([priceOf('base', ctx), ...ctx.tenantAdapters.map((a) => priceOf(a, ctx))]);
}
