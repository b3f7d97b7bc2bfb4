/**
 * @module eval/systems — what is evaluated, checked against the gateway before any case is sent: every model
 * must be in the tenant's `GET /v1/models`, every strategy one of base|lora|rag|hybrid, and one probe per
 * system (max_tokens 1, not cached) must be accepted — a strategy the tenant may not use (400) or a collection
 * it does not have (404) stops the run before it starts. `base` and `rag` run on the base model, `lora` and
 * `hybrid` on each adapter model asked for (`legal@1,legal@2`).
 */
import OpenAI from 'openai';
import { type EvalStrategy, type EvalSystem, strategies } from './answer-record.ts';

export class EvalInputError extends Error {}

export function parseStrategies(text: string): EvalStrategy[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of list)
    if (!(strategies as readonly string[]).includes(s))
      throw new EvalInputError(`unknown strategy '${s}'; use base, lora, rag, hybrid`);
  if (list.length === 0) throw new EvalInputError('no strategy given');
  return [...new Set(list)] as EvalStrategy[];
}

export async function resolveSystems(
  client: OpenAI,
  models: string[],
  wanted: EvalStrategy[],
): Promise<{ systems: EvalSystem[]; baseModel: string }> {
  const cards = (await client.models.list()).data as unknown as { id: string; parent?: string | null }[];
  const byId = new Map(cards.map((c) => [c.id, c]));
  for (const m of models)
    if (!byId.has(m))
      throw new EvalInputError(
        `unknown model '${m}' for this key; it may use: ${cards.map((c) => c.id).join(', ') || 'nothing'}`,
      );
  const adapterModels = models.filter((m) => byId.get(m)?.parent);
  const baseModel =
    (adapterModels.length ? byId.get(adapterModels[0])?.parent : undefined) ??
    models.find((m) => !byId.get(m)?.parent) ??
    cards.find((c) => !c.parent)?.id;
  if (!baseModel) throw new EvalInputError('the gateway lists no base model for this key');
  if ((wanted.includes('lora') || wanted.includes('hybrid')) && adapterModels.length === 0)
    throw new EvalInputError('strategies lora and hybrid need an adapter model (e.g. --models legal@1)');
  const systems: EvalSystem[] = [];
  for (const s of wanted) {
    if (s === 'base' || s === 'rag') systems.push({ label: s, model: baseModel, strategy: s, adapter: null });
    else for (const m of adapterModels) systems.push({ label: `${s}(${m})`, model: m, strategy: s, adapter: m });
  }
  return { systems, baseModel };
}

/** One tiny uncached request per system, so a refusal (strategy, collection, model) stops the run up front. */
export async function probeSystems(
  client: OpenAI,
  systems: EvalSystem[],
  body: (s: EvalSystem) => Record<string, unknown>,
): Promise<void> {
  for (const s of systems) {
    try {
      await client.chat.completions.create(
        { ...body(s), max_tokens: 1 } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
        { headers: { 'cache-control': 'no-cache, no-store' } },
      );
    } catch (err) {
      if (err instanceof OpenAI.APIError && err.status !== undefined && err.status < 500 && err.status !== 429)
        throw new EvalInputError(`the gateway refuses ${s.label}: ${err.status} ${err.message}`);
      if (err instanceof OpenAI.APIConnectionError)
        throw new EvalInputError(`the gateway is unreachable: ${err.message}`);
      throw err;
    }
  }
}
