/**
 * @module cache/replay — converts between a streamed answer (its SSE `data:` payloads) and the assembled JSON
 * answer, so that any stored entry serves a streaming and a non-streaming request alike (design.md "Cache",
 * "Citations"): `citations` travel on the first chunk, `annotations` on the chunk carrying `finish_reason`, and
 * usage on a usage-only chunk (`choices: []`). Pure; used by the generation route.
 */
import type { Endpoint } from '../openai/requests.ts';
import type { Citation, Usage } from '../openai/responses.ts';
import type { CachedCompletion } from './types.ts';

type Json = Record<string, unknown>;
type Choice = Json & { index: number };

function endpointOf(object: unknown): Endpoint {
  return typeof object === 'string' && object.startsWith('chat.') ? 'chat' : 'completions';
}

/** Appends the arrays of a streamed `logprobs` object onto the accumulated one (chat: `content`; completions: four arrays). */
function mergeLogprobs(into: unknown, add: unknown): unknown {
  if (!add || typeof add !== 'object') return into ?? null;
  if (!into || typeof into !== 'object') return structuredClone(add);
  const out = into as Json;
  for (const [k, v] of Object.entries(add as Json)) {
    if (Array.isArray(v)) out[k] = [...((out[k] as unknown[]) ?? []), ...v];
    else if (out[k] === undefined) out[k] = v;
  }
  return out;
}

function mergeToolCalls(into: Json[], deltas: unknown): void {
  if (!Array.isArray(deltas)) return;
  for (const d of deltas as Json[]) {
    const i = typeof d.index === 'number' ? d.index : into.length;
    into[i] ??= { id: d.id, type: d.type ?? 'function', function: { name: '', arguments: '' } };
    const call = into[i];
    if (d.id) call.id = d.id;
    const fn = d.function as Json | undefined;
    const acc = call.function as Json;
    if (typeof fn?.name === 'string') acc.name = (acc.name as string) + fn.name;
    if (typeof fn?.arguments === 'string') acc.arguments = (acc.arguments as string) + fn.arguments;
  }
}

/** Assembles the JSON answer a non-streaming request would have received from a stream's chunks. */
export function chunksToCompletion(chunks: string[]): Json {
  const parsed = chunks.map((c) => JSON.parse(c) as Json);
  const first = parsed[0] ?? {};
  const endpoint = endpointOf(first.object);
  const choices = new Map<number, Choice & { tool_calls_acc: Json[] }>();
  let usage: unknown = null;
  let citations: unknown;
  for (const chunk of parsed) {
    if (chunk.usage) usage = chunk.usage;
    if (chunk.citations !== undefined && citations === undefined) citations = chunk.citations;
    for (const c of (chunk.choices as Choice[] | undefined) ?? []) {
      let acc = choices.get(c.index);
      if (!acc) {
        acc = {
          index: c.index,
          text: '',
          content: null,
          role: 'assistant',
          logprobs: null,
          finish_reason: null,
          tool_calls_acc: [],
        };
        choices.set(c.index, acc);
      }
      if (c.logprobs) acc.logprobs = mergeLogprobs(acc.logprobs, c.logprobs);
      if (c.finish_reason != null) acc.finish_reason = c.finish_reason;
      if (c.stop_reason !== undefined) acc.stop_reason = c.stop_reason;
      if (endpoint === 'completions') {
        if (typeof c.text === 'string') acc.text = (acc.text as string) + c.text;
        if (c.annotations) acc.annotations = c.annotations;
        continue;
      }
      const delta = (c.delta as Json | undefined) ?? {};
      if (typeof delta.role === 'string') acc.role = delta.role;
      if (typeof delta.content === 'string') acc.content = ((acc.content as string | null) ?? '') + delta.content;
      for (const k of ['reasoning_content', 'reasoning', 'refusal'] as const) {
        if (typeof delta[k] === 'string') acc[k] = ((acc[k] as string | undefined) ?? '') + delta[k];
      }
      mergeToolCalls(acc.tool_calls_acc, delta.tool_calls);
      if (delta.annotations) acc.annotations = delta.annotations;
    }
  }
  const outChoices = [...choices.values()]
    .sort((a, b) => a.index - b.index)
    .map((acc) => {
      const tail = {
        logprobs: acc.logprobs,
        finish_reason: acc.finish_reason,
        ...(acc.stop_reason !== undefined ? { stop_reason: acc.stop_reason } : {}),
      };
      if (endpoint === 'completions') {
        return {
          index: acc.index,
          text: acc.text,
          ...tail,
          ...(acc.annotations ? { annotations: acc.annotations } : {}),
        };
      }
      const message: Json = { role: acc.role, content: acc.content };
      for (const k of ['reasoning_content', 'reasoning', 'refusal'] as const)
        if (acc[k] !== undefined) message[k] = acc[k];
      if (acc.tool_calls_acc.length) message.tool_calls = acc.tool_calls_acc.filter(Boolean);
      if (acc.annotations) message.annotations = acc.annotations;
      return { index: acc.index, message, ...tail };
    });
  const out: Json = {
    id: first.id,
    object: endpoint === 'chat' ? 'chat.completion' : 'text_completion',
    created: first.created,
    model: first.model,
    choices: outChoices,
    usage,
  };
  if (first.system_fingerprint !== undefined) out.system_fingerprint = first.system_fingerprint;
  if (citations !== undefined) out.citations = citations;
  return out;
}

/**
 * Splits a stored JSON answer into stream chunks: per choice one content chunk, then per choice the final chunk
 * (`finish_reason`, annotations), then a usage-only chunk when usage is known.
 */
export function completionToChunks(completion: Json): string[] {
  const endpoint = endpointOf(completion.object);
  const head: Json = {
    id: completion.id,
    object: endpoint === 'chat' ? 'chat.completion.chunk' : 'text_completion',
    created: completion.created,
    model: completion.model,
  };
  if (completion.system_fingerprint !== undefined) head.system_fingerprint = completion.system_fingerprint;
  const choices = (completion.choices as Choice[] | undefined) ?? [];
  const out: Json[] = [];
  for (const c of choices) {
    let choice: Json;
    if (endpoint === 'chat') {
      const m = (c.message as Json | undefined) ?? {};
      const delta: Json = { role: m.role ?? 'assistant', content: m.content ?? '' };
      for (const k of ['reasoning_content', 'reasoning', 'refusal'] as const) if (m[k] != null) delta[k] = m[k];
      if (Array.isArray(m.tool_calls)) delta.tool_calls = (m.tool_calls as Json[]).map((t, index) => ({ index, ...t }));
      choice = { index: c.index, delta, logprobs: c.logprobs ?? null, finish_reason: null };
    } else {
      choice = { index: c.index, text: c.text ?? '', logprobs: c.logprobs ?? null, finish_reason: null };
    }
    const chunk: Json = { ...head, choices: [choice] };
    if (out.length === 0 && completion.citations !== undefined) chunk.citations = completion.citations;
    out.push(chunk);
  }
  for (const c of choices) {
    const annotations = endpoint === 'chat' ? (c.message as Json | undefined)?.annotations : c.annotations;
    const choice: Json =
      endpoint === 'chat'
        ? {
            index: c.index,
            delta: annotations ? { annotations } : {},
            logprobs: null,
            finish_reason: c.finish_reason ?? 'stop',
          }
        : {
            index: c.index,
            text: '',
            logprobs: null,
            finish_reason: c.finish_reason ?? 'stop',
            ...(annotations ? { annotations } : {}),
          };
    if (c.stop_reason !== undefined) choice.stop_reason = c.stop_reason;
    out.push({ ...head, choices: [choice] });
  }
  if (completion.usage) out.push({ ...head, choices: [], usage: completion.usage });
  return out.map((c) => JSON.stringify(c));
}

function isUsageOnly(chunk: string): boolean {
  const c = JSON.parse(chunk) as Json;
  return Array.isArray(c.choices) && c.choices.length === 0 && c.usage != null;
}

/**
 * The SSE payloads to replay for a streaming request: the recorded chunks (same boundaries as the original) or,
 * for a stored non-stream answer, its synthesized chunks. The usage-only chunk is sent only when the client asked
 * for it (`stream_options.include_usage`), and added from the stored usage when the recording lacks it.
 */
export function replayChunks(entry: CachedCompletion, options: { includeUsage: boolean }): string[] {
  const chunks = entry.chunks ?? completionToChunks(completionOf(entry));
  const body = chunks.filter((c) => !isUsageOnly(c));
  if (!options.includeUsage) return body;
  const usage = chunks.find(isUsageOnly);
  if (usage) return chunks;
  if (!entry.usage || body.length === 0) return body;
  const head = JSON.parse(body[0]) as Json;
  return [
    ...body,
    JSON.stringify({
      id: head.id,
      object: head.object,
      created: head.created,
      model: head.model,
      choices: [],
      usage: entry.usage,
    }),
  ];
}

/**
 * A cache entry for a completed stream (chunks as received from upstream, after the gateway added citations).
 * The assembled completion is left out (`completionOf` builds it if a non-stream request ever hits the entry):
 * storing a stream then costs no JSON parse per chunk. Usage and citations come from the relay when it knows
 * them, else from the usage chunk and the first chunk.
 */
export function entryFromChunks(
  endpoint: Endpoint,
  chunks: string[],
  known?: { usage: Usage | null; citations: Citation[]; id?: string | null },
): CachedCompletion {
  const usageChunk = known ? undefined : chunks.find((c) => c.includes('"usage":{'));
  const first = known || chunks.length === 0 ? undefined : (JSON.parse(chunks[0]) as Json);
  return {
    endpoint,
    chunks: [...chunks],
    completion: null,
    id: known?.id ?? null,
    usage: known ? known.usage : usageChunk ? ((JSON.parse(usageChunk) as Json).usage as Usage) : null,
    citations: known ? known.citations : ((first?.citations as Citation[] | undefined) ?? []),
  };
}

/** The stored answer as one JSON completion (assembled from a stored stream when needed). */
export function completionOf(entry: CachedCompletion): Json {
  if (entry.completion) return entry.completion;
  if (entry.body !== undefined) return JSON.parse(entry.body) as Json;
  return chunksToCompletion(entry.chunks ?? []);
}

/** The stored answer's completion id, without assembling it when the entry knows it. */
export function idOf(entry: CachedCompletion): string | undefined {
  if (entry.id !== undefined) return entry.id ?? undefined;
  const id = completionOf(entry).id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * A cache entry for a completed non-stream answer. `body`: the completion's JSON text when it is exactly what
 * the client got (nothing attached), stored instead of the object.
 */
export function entryFromCompletion(endpoint: Endpoint, completion: Json, body?: string): CachedCompletion {
  return {
    endpoint,
    chunks: null,
    completion: body === undefined ? completion : null,
    ...(body === undefined ? {} : { body }),
    id: typeof completion.id === 'string' ? completion.id : null,
    usage: (completion.usage as Usage | null | undefined) ?? null,
    citations: (completion.citations as Citation[] | undefined) ?? [],
  };
}
