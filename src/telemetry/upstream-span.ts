/**
 * @module telemetry/upstream-span — the `upstream` stage span (CLIENT) around one vLLM call, with the
 * OpenTelemetry GenAI semantic conventions and a `gen_ai.first_token` event for time to first token.
 */
import { type Context, context, SpanKind } from '@opentelemetry/api';
import { LoragAttr, type SpanHandle, startSpan } from './spans.ts';

export interface UpstreamSpanInit {
  /** GenAI operation: `chat` (chat completions), `text_completion` (completions) or `embeddings`. */
  operation: 'chat' | 'text_completion' | 'embeddings';
  /** The model name sent to vLLM: `legal@3` or the base model's name. */
  model: string;
  replica?: string;
  maxTokens?: number;
  temperature?: number;
  stream?: boolean;
}

export interface UpstreamUsage {
  /** `model` of vLLM's response. */
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  finishReasons?: string[];
  responseId?: string;
}

export interface UpstreamSpan extends SpanHandle {
  /** Adds the `gen_ai.first_token` event (first call only) and returns seconds since the span started. */
  firstToken(): number;
  /** Response model, token usage and finish reasons, once known (the usage chunk of a stream). */
  response(usage: UpstreamUsage): void;
}

export function startUpstreamSpan(init: UpstreamSpanInit, parent: Context = context.active()): UpstreamSpan {
  const started = performance.now();
  const handle = startSpan(
    'upstream',
    {
      'gen_ai.operation.name': init.operation,
      'gen_ai.system': 'vllm',
      'gen_ai.provider.name': 'vllm',
      'gen_ai.request.model': init.model,
      ...(init.maxTokens !== undefined ? { 'gen_ai.request.max_tokens': init.maxTokens } : {}),
      ...(init.temperature !== undefined ? { 'gen_ai.request.temperature': init.temperature } : {}),
      ...(init.stream !== undefined ? { 'lorag.stream': init.stream } : {}),
      ...(init.replica ? { [LoragAttr.replica]: init.replica } : {}),
    },
    SpanKind.CLIENT,
    parent,
  );
  let ttft: number | undefined;
  return {
    ...handle,
    firstToken() {
      if (ttft !== undefined) return ttft;
      ttft = (performance.now() - started) / 1000;
      handle.span.addEvent('gen_ai.first_token', { 'gen_ai.response.time_to_first_token': ttft });
      return ttft;
    },
    response(usage) {
      const { span } = handle;
      if (!span.isRecording()) return;
      if (usage.model !== undefined) span.setAttribute('gen_ai.response.model', usage.model);
      if (usage.inputTokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
      if (usage.outputTokens !== undefined) span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
      if (usage.finishReasons) span.setAttribute('gen_ai.response.finish_reasons', usage.finishReasons);
      if (usage.responseId !== undefined) span.setAttribute('gen_ai.response.id', usage.responseId);
    },
  };
}
