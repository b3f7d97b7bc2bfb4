/**
 * @module sim/lora-routes — `/v1/load_lora_adapter` and `/v1/unload_lora_adapter` with vLLM's exact
 * statuses and bodies (vllm.md §2), and the load path shared with `--lora-modules` at startup.
 * A path "exists" when it starts with `sim://` or is a directory holding adapter_config.json; a path
 * containing `rank=NNN` (or a config whose `r` is NNN) above --max-lora-rank fails like vLLM's rank check.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimContext } from './context.ts';
import { missingField, SimError, wrongType } from './errors.ts';
import { readJsonObject, sendPlain } from './http-io.ts';
import { inc } from './metrics.ts';
import { registerAdapter } from './models.ts';

function invalidInput(message: string): SimError {
  return new SimError(400, 'InvalidUserInput', message);
}

/** "Any other load failure": 500 InternalServerError in current vLLM, 400 BadRequestError up to v0.11. */
function loadFailure(ctx: SimContext, message: string): SimError {
  return ctx.compat === 'legacy'
    ? new SimError(400, 'BadRequestError', message)
    : new SimError(500, 'InternalServerError', message);
}

async function adapterRank(ctx: SimContext, name: string, path: string): Promise<number | null> {
  const inPath = /rank=(\d+)/.exec(path);
  if (path.startsWith('sim://')) return inPath ? Number(inPath[1]) : null;
  let text: string;
  try {
    text = await readFile(join(path, 'adapter_config.json'), 'utf8');
  } catch {
    throw new SimError(404, 'NotFoundError', `Loading lora ${name} failed: No adapter found for ${path}`);
  }
  let config: { r?: unknown };
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw loadFailure(ctx, `Loading lora ${name} failed: invalid adapter_config.json (${(err as Error).message})`);
  }
  if (inPath) return Number(inPath[1]);
  return typeof config.r === 'number' ? config.r : null;
}

/** Serialises work per lora_name, like vLLM's `lora_resolver_lock[name]`. */
async function withNameLock<T>(ctx: SimContext, name: string, fn: () => Promise<T>): Promise<T> {
  const previous = ctx.loadLocks.get(name) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => {});
  ctx.loadLocks.set(name, tail);
  try {
    return await run;
  } finally {
    if (ctx.loadLocks.get(name) === tail) ctx.loadLocks.delete(name);
  }
}

export async function loadAdapter(
  ctx: SimContext,
  name: string,
  path: string,
  opts: { inplace?: boolean; baseModelName?: string | null } = {},
): Promise<void> {
  if (!name || !path) throw invalidInput("Both 'lora_name' and 'lora_path' must be provided.");
  await withNameLock(ctx, name, async () => {
    // The name check happens before the engine is touched; a failed load leaves nothing registered.
    if (ctx.registry.adapters.has(name) && !opts.inplace) {
      throw invalidInput(
        ctx.compat === 'legacy'
          ? `The lora adapter '${name}' has already been loaded.`
          : `The lora adapter '${name}' has already been loaded. If you want to load the adapter in place, set 'load_inplace' to True.`,
      );
    }
    if (ctx.opts.loadMs > 0) await sleep(ctx.opts.loadMs, undefined, { signal: ctx.shutdown.signal });
    const rank = await adapterRank(ctx, name, path);
    if (rank !== null && rank > ctx.opts.maxLoraRank) {
      throw loadFailure(ctx, `LoRA rank ${rank} is greater than max_lora_rank ${ctx.opts.maxLoraRank}.`);
    }
    registerAdapter(ctx.registry, name, path, opts.baseModelName);
  });
}

function optionalString(ctx: SimContext, body: Record<string, unknown>, field: string, required: boolean): string {
  const v = body[field];
  if (v === undefined) {
    if (required) throw missingField(ctx.compat, field);
    return '';
  }
  if (typeof v !== 'string') throw wrongType(ctx.compat, field, 'string');
  return v;
}

export async function handleLoad(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Counted before any validation: tests count every call, failed and malformed ones included.
  let body: Record<string, unknown>;
  try {
    body = await readJsonObject(req, ctx.compat);
  } catch (err) {
    inc(ctx.metrics.loadRequests, '');
    throw err;
  }
  inc(ctx.metrics.loadRequests, typeof body.lora_name === 'string' ? body.lora_name : '');
  const name = optionalString(ctx, body, 'lora_name', true);
  const path = optionalString(ctx, body, 'lora_path', true);
  if (body.load_inplace !== undefined && typeof body.load_inplace !== 'boolean') {
    throw wrongType(ctx.compat, 'load_inplace', 'boolean');
  }
  await loadAdapter(ctx, name, path, { inplace: body.load_inplace === true });
  sendPlain(res, 200, `Success: LoRA adapter '${name}' added successfully.`);
}

export async function handleUnload(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req, ctx.compat);
  const name = optionalString(ctx, body, 'lora_name', ctx.compat === 'current');
  if (!name) {
    throw invalidInput(
      ctx.compat === 'legacy'
        ? "either 'lora_name' and 'lora_int_id' needs to be provided."
        : "'lora_name' needs to be provided to unload a LoRA adapter.",
    );
  }
  if (!ctx.registry.adapters.has(name)) {
    throw new SimError(404, 'NotFoundError', `The lora adapter '${name}' cannot be found.`);
  }
  ctx.registry.adapters.delete(name);
  sendPlain(res, 200, `Success: LoRA adapter '${name}' removed successfully.`);
}
