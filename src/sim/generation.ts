/**
 * @module sim/generation — runs one chat or completion request through the slots: waits for admission,
 * sleeps --ttft-ms, then emits one token per step with --itl-ms between, either as SSE chunks shaped as
 * vLLM's (vllm.md §5) or as one JSON response at the end. A client that disconnects stops the
 * generation and frees its slot, whether it was running or still waiting.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimContext } from './context.ts';
import type { Reply } from './generate.ts';
import { inc } from './metrics.ts';
import {
  type ChunkKind,
  chatResponse,
  completionResponse,
  contentChunkTemplate,
  tokenChunk,
  usageChunk,
  usageOf,
} from './responses.ts';

export interface GenerationJob {
  kind: ChunkKind;
  id: string;
  model: string;
  lora: string | null;
  promptTokens: number;
  /** One reply per choice, in choice-index order. */
  choices: Reply[];
  stream: boolean;
  includeUsage: boolean;
  continuousUsage: boolean;
  legacy: boolean;
}

export async function runGeneration(ctx: SimContext, res: ServerResponse, job: GenerationJob): Promise<void> {
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort(new Error('client disconnected'));
  };
  const onShutdown = () => abort.abort(ctx.shutdown.signal.reason);
  res.on('close', onClose);
  ctx.shutdown.signal.addEventListener('abort', onShutdown);
  const signal = abort.signal;
  const created = Math.floor(Date.now() / 1000);
  // Starlette sends the headers as soon as the StreamingResponse starts, before the engine produces
  // anything; they are flushed on their own only when something makes the body wait.
  if (job.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  }
  let release: (() => void) | null = null;
  let kvHeld = 0;
  try {
    const blocked = ctx.slots.blockedBy(job.lora);
    release = blocked === null ? ctx.slots.tryAcquire(job.lora) : null;
    if (release === null) {
      inc(ctx.metrics.waited, blocked ?? 'max_num_seqs');
      if (job.stream) res.flushHeaders();
      release = await ctx.slots.acquire(job.lora, signal);
    } else if (job.stream && (ctx.opts.ttftMs > 0 || ctx.opts.itlMs > 0)) res.flushHeaders();
    kvHeld = job.promptTokens;
    ctx.metrics.tokens.kvInUse += kvHeld;
    ctx.metrics.tokens.prompt += job.promptTokens;
    if (ctx.opts.ttftMs > 0) await sleep(ctx.opts.ttftMs, undefined, { signal });
    const steps = Math.max(1, ...job.choices.map((c) => c.pieces.length));
    if (job.stream) {
      await streamSteps(ctx, res, job, created, steps, signal, (n) => {
        kvHeld += n;
        ctx.metrics.tokens.kvInUse += n;
      });
    } else {
      if (ctx.opts.itlMs > 0 && steps > 1) await sleep(ctx.opts.itlMs * (steps - 1), undefined, { signal });
      if (ctx.opts.stallAfterChunks !== undefined) await stalled(signal);
      const body = job.kind === 'chat' ? chatResponse(job, created) : completionResponse(job, created);
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    }
    const generated = job.choices.reduce((sum, c) => sum + c.pieces.length, 0);
    ctx.metrics.tokens.generation += generated;
    for (const c of job.choices) inc(ctx.metrics.success, c.finishReason);
  } catch (err) {
    if (!signal.aborted) throw err;
    // Aborted (client gone or simulator closing): nothing more to say to anyone.
    res.destroy();
  } finally {
    res.off('close', onClose);
    ctx.shutdown.signal.removeEventListener('abort', onShutdown);
    ctx.metrics.tokens.kvInUse -= kvHeld;
    release?.();
  }
}

async function streamSteps(
  ctx: SimContext,
  res: ServerResponse,
  job: GenerationJob,
  created: number,
  steps: number,
  signal: AbortSignal,
  onTokens: (n: number) => void,
): Promise<void> {
  const out: string[] = [];
  const write = (obj: unknown) => out.push(`data: ${JSON.stringify(obj)}\n\n`);
  const head = { id: job.id, created, model: job.model };
  const fast = contentChunkTemplate(job, head);
  const emitted = job.choices.map(() => 0);
  // With no inter-token delay the whole stream goes out in one write: the bench runs at zero think time.
  const batched = ctx.opts.itlMs === 0;
  for (let t = 0; t < steps; t++) {
    if (t === ctx.opts.stallAfterChunks) {
      res.write(out.join(''));
      out.length = 0;
      await stalled(signal);
    }
    if (t > 0 && !batched) {
      res.write(out.join(''));
      out.length = 0;
      await sleep(ctx.opts.itlMs, undefined, { signal });
    }
    if (signal.aborted) throw signal.reason;
    let produced = 0;
    job.choices.forEach((c, index) => {
      const last = Math.max(1, c.pieces.length) - 1;
      if (t > last) return;
      // vLLM emits the role chunk together with the first engine output.
      if (t === 0 && job.kind === 'chat') {
        const first = tokenChunk(job, head, index, { role: 'assistant', content: '' }, null);
        if (job.continuousUsage) Object.assign(first, { usage: usageOf(job.promptTokens, 0) });
        write(first);
      }
      const piece = c.pieces[t] ?? '';
      if (c.pieces.length > 0) {
        emitted[index]++;
        produced++;
      }
      // Structured replies carry their own deltas; a null one is a step vLLM's parser swallows.
      const structured = c.deltas ? (c.deltas[t] ?? (t === last ? {} : null)) : undefined;
      if (structured === null) return;
      if (t < last && !job.continuousUsage && structured === undefined) {
        out.push(fast(index, piece));
        return;
      }
      const chunk = tokenChunk(
        job,
        head,
        index,
        structured ?? (job.kind === 'chat' ? { content: piece } : piece),
        t === last ? c : null,
      );
      if (job.continuousUsage) Object.assign(chunk, { usage: usageOf(job.promptTokens, emitted[index]) });
      write(chunk);
    });
    onTokens(produced);
  }
  if (job.includeUsage) {
    const completion = emitted.reduce((a, b) => a + b, 0);
    write(usageChunk(job, head, usageOf(job.promptTokens, completion)));
  }
  out.push('data: [DONE]\n\n');
  res.end(out.join(''));
}

/**
 * `--stall-after-chunks N` (fault injection): a replica that hangs mid-generation. Nothing more is written
 * and the connection stays open until the client goes away (or the simulator closes).
 */
function stalled(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
