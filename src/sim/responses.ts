/**
 * @module sim/responses — vLLM's response and chunk shapes for chat and completions (vllm.md §5).
 * Chunks follow `exclude_unset`: `stop_reason` only on a chat chunk that finishes, no `usage` unless asked.
 */
import type { Reply } from './generate.ts';

export type ChunkKind = 'chat' | 'completion';

interface JobView {
  kind: ChunkKind;
  id: string;
  model: string;
  promptTokens: number;
  choices: Reply[];
  legacy: boolean;
}

interface Head {
  id: string;
  created: number;
  model: string;
}

export function usageOf(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + completionTokens,
    completion_tokens: completionTokens,
  };
}

function fullUsage(job: JobView) {
  const completion = job.choices.reduce((sum, c) => sum + c.pieces.length, 0);
  return { ...usageOf(job.promptTokens, completion), prompt_tokens_details: null };
}

function prefix(kind: ChunkKind): string {
  return kind === 'chat' ? 'chatcmpl-' : 'cmpl-';
}

/** One streamed choice chunk; `finished` is the choice's reply when this chunk carries its finish_reason. */
export function tokenChunk(
  job: JobView,
  head: Head,
  index: number,
  delta: Record<string, unknown> | string,
  finished: Reply | null,
): Record<string, unknown> {
  if (job.kind === 'chat') {
    const choice: Record<string, unknown> = {
      index,
      delta,
      logprobs: null,
      finish_reason: finished?.finishReason ?? null,
    };
    if (finished) choice.stop_reason = finished.stopReason;
    return {
      id: prefix('chat') + head.id,
      object: 'chat.completion.chunk',
      created: head.created,
      model: head.model,
      choices: [choice],
    };
  }
  const choice = {
    index,
    text: delta,
    logprobs: null,
    finish_reason: finished?.finishReason ?? null,
    stop_reason: finished?.stopReason ?? null,
  };
  return {
    id: prefix('completion') + head.id,
    object: 'text_completion',
    created: head.created,
    model: head.model,
    choices: [choice],
  };
}

/**
 * A string builder for mid-stream content chunks, byte-identical to `tokenChunk` for a chunk that does not
 * finish: serialising 30+ objects per request dominated the simulator's CPU at zero think time.
 */
export function contentChunkTemplate(job: JobView, head: Head): (index: number, piece: string) => string {
  const start = `data: {"id":${JSON.stringify(prefix(job.kind) + head.id)},"object":"${job.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion'}","created":${head.created},"model":${JSON.stringify(head.model)},"choices":[{"index":`;
  if (job.kind === 'chat') {
    return (index, piece) =>
      `${start}${index},"delta":{"content":${JSON.stringify(piece)}},"logprobs":null,"finish_reason":null}]}\n\n`;
  }
  return (index, piece) =>
    `${start}${index},"text":${JSON.stringify(piece)},"logprobs":null,"finish_reason":null,"stop_reason":null}]}\n\n`;
}

export function usageChunk(job: JobView, head: Head, usage: ReturnType<typeof usageOf>): Record<string, unknown> {
  const object = job.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  return { id: prefix(job.kind) + head.id, object, created: head.created, model: head.model, choices: [], usage };
}

export function chatResponse(job: JobView, created: number): Record<string, unknown> {
  const choices = job.choices.map((c, index) => ({
    index,
    message: withoutToolCallsKey(c, {
      role: 'assistant',
      content: c.message ? c.message.content : c.pieces.join(''),
      refusal: null,
      annotations: null,
      audio: null,
      function_call: null,
      tool_calls: c.message?.tool_calls ?? [],
      // Renamed from reasoning_content in newer builds.
      ...(job.legacy ? { reasoning_content: null } : { reasoning: null }),
    }),
    logprobs: null,
    finish_reason: c.finishReason,
    stop_reason: c.stopReason,
    token_ids: null,
  }));
  return {
    id: prefix('chat') + job.id,
    object: 'chat.completion',
    created,
    model: job.model,
    choices,
    service_tier: null,
    system_fingerprint: null,
    usage: fullUsage(job),
    prompt_logprobs: null,
    prompt_token_ids: null,
    kv_transfer_params: null,
  };
}

export function completionResponse(job: JobView, created: number): Record<string, unknown> {
  const choices = job.choices.map((c, index) => ({
    index,
    text: c.pieces.join(''),
    logprobs: null,
    finish_reason: c.finishReason,
    stop_reason: c.stopReason,
    token_ids: null,
    prompt_logprobs: null,
    prompt_token_ids: null,
  }));
  return {
    id: prefix('completion') + job.id,
    object: 'text_completion',
    created,
    model: job.model,
    choices,
    service_tier: null,
    system_fingerprint: null,
    usage: fullUsage(job),
    kv_transfer_params: null,
  };
}

function withoutToolCallsKey(c: Reply, message: Record<string, unknown>): Record<string, unknown> {
  if (c.noToolCallsKey) delete message.tool_calls;
  return message;
}
