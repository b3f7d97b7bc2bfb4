/**
 * @module http/routes/responses — OpenAI's Responses API on lorag's request path:
 *   POST   /v1/responses                       translated to chat (responses/to-chat.ts), run by runGeneration
 *                                              (limits → plan → cache → retrieval → vLLM) with the Responses
 *                                              presenter; stored unless `store: false`
 *   GET    /v1/responses/{id}                  the stored Response
 *   DELETE /v1/responses/{id}                  `{id, object: "response", deleted: true}`
 *   GET    /v1/responses/{id}/input_items      the request's input items, paginated (limit, order, after, before)
 * Every read is tenant-scoped: another tenant's id is the same 404 as an unknown one. A request that fails
 * stores nothing; `previous_response_id` continues the stored conversation (without its instructions).
 */
import { type Context, Hono } from 'hono';
import { GatewayError } from '../../errors/gateway-error.ts';
import { chatCompletionRequestSchema } from '../../openai/requests.ts';
import { parseResponsesRequest } from '../../openai/responses-request.ts';
import { conversationAfter, type ResponseStore } from '../../responses/store.ts';
import { newId, toChat } from '../../responses/to-chat.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { readJson, validate } from '../read-body.ts';
import { sendJson } from '../send-json.ts';
import { runGeneration } from './generation.ts';
import { responsesPresenter } from './responses-presenter.ts';

type Json = Record<string, any>;

export function responsesRoutes(deps: Deps, store: ResponseStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/responses', (c) => createResponse(c, deps, store));
  app.get('/responses/:response_id', async (c) => {
    const record = await load(store, c, c.req.param('response_id'));
    return sendJson(c, 200, JSON.stringify(record.response), {});
  });
  app.delete('/responses/:response_id', async (c) => {
    const id = c.req.param('response_id');
    if (!(await guarded(() => store.delete(c.get('principal').tenantId, id)))) throw notFound(id);
    return sendJson(c, 200, JSON.stringify({ id, object: 'response', deleted: true }), {});
  });
  app.get('/responses/:response_id/input_items', async (c) => {
    const record = await load(store, c, c.req.param('response_id'));
    return sendJson(c, 200, JSON.stringify(page(record.inputItems, c)), {});
  });
  return app;
}

function notFound(id: string): GatewayError {
  return new GatewayError('not_found', `Response with id '${id}' not found.`, { param: 'response_id' });
}

/** Store failures (Redis down) are a 503, never a 500. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('internal_error', 'The response store is unavailable.', { status: 503, cause: err });
  }
}

async function load(store: ResponseStore, c: Context<AppEnv>, id: string) {
  const record = await guarded(() => store.get(c.get('principal').tenantId, id));
  if (!record) throw notFound(id);
  return record;
}

async function createResponse(c: Context<AppEnv>, deps: Deps, store: ResponseStore): Promise<Response> {
  const { tenantId, tenant } = c.get('principal');
  const raw = await readJson(c, deps.current().config.server.body_limit_bytes);
  const req = parseResponsesRequest(raw);
  // A collection the tenant may not use reads as not found, as for chat (design.md "Strategy").
  (req.tools ?? []).forEach((t, i) => {
    if (t.type !== 'file_search') return;
    const missing = t.vector_store_ids.find((v) => !tenant.collections.includes(v));
    if (missing !== undefined) {
      throw new GatewayError(
        'collection_not_found',
        `The vector store \`${missing}\` does not exist or you do not have access to it.`,
        { param: `tools.${i}.vector_store_ids` },
      );
    }
  });
  let history: Json[] = [];
  if (req.previous_response_id) {
    const previous = await guarded(() => store.get(tenantId, req.previous_response_id as string));
    if (!previous) {
      throw new GatewayError('not_found', `Previous response with id '${req.previous_response_id}' not found.`, {
        param: 'previous_response_id',
      });
    }
    history = conversationAfter(previous);
  }
  const translation = toChat(req, history as never);
  const body = validate(chatCompletionRequestSchema, translation.body);
  const ctx = {
    id: newId('resp'),
    createdAt: Math.floor(Date.now() / 1000),
    request: req,
    fileSearch: translation.fileSearch,
    query: translation.query,
  };
  const presenter = responsesPresenter(ctx, (response) => {
    if (req.store === false) return;
    // Issued before the answer's last byte is written; a failed write is logged, the answer stands.
    store.put(tenantId, { response, inputItems: translation.inputItems, history }).catch((err: Error) => {
      process.emitWarning(`responses: storing ${ctx.id} failed: ${err.message}`);
    });
  });
  return runGeneration(c, deps, { endpoint: 'chat', body, presenter });
}

/** OpenAI's list page: `limit` 1–100 (default 20), `order` desc (default) | asc, cursors `after` / `before`. */
function page(items: Json[], c: Context<AppEnv>): Json {
  const limitText = c.req.query('limit');
  const limit = limitText === undefined ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new GatewayError('invalid_value', 'limit must be an integer from 1 to 100.', { param: 'limit' });
  }
  const order = c.req.query('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    throw new GatewayError('invalid_value', "order must be 'asc' or 'desc'.", { param: 'order' });
  }
  let list = order === 'desc' ? [...items].reverse() : [...items];
  for (const cursor of ['after', 'before'] as const) {
    const id = c.req.query(cursor);
    if (id === undefined) continue;
    const at = list.findIndex((i) => i.id === id);
    if (at < 0) throw new GatewayError('invalid_value', `No input item with id '${id}'.`, { param: cursor });
    list = cursor === 'after' ? list.slice(at + 1) : list.slice(0, at);
  }
  const data = list.slice(0, limit);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: list.length > limit,
  };
}
