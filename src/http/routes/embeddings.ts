/**
 * @module http/routes/embeddings — POST /v1/embeddings, forwarded to the configured OpenAI-compatible
 * embeddings upstream (vLLM pooling model, TEI, OpenAI) with the gateway's own model name.
 */
import { Hono } from 'hono';
import { request } from 'undici';
import { GatewayError, modelNotFound } from '../../errors/gateway-error.ts';
import { embeddingRequestSchema } from '../../openai/requests.ts';
import { generationError, parseUpstreamError, transportError } from '../../upstream/upstream-errors.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { readJson, validate } from '../read-body.ts';

export function embeddingRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/embeddings', async (c) => {
    const { config } = deps.current();
    const body = validate(embeddingRequestSchema, await readJson(c, config.server.body_limit_bytes));
    const upstream = config.embeddings;
    if (upstream.kind !== 'openai') {
      throw new GatewayError(
        'embeddings_unavailable',
        'No embeddings upstream is configured on this gateway (embeddings.kind).',
      );
    }
    if (body.model && body.model !== upstream.model) throw modelNotFound(body.model);
    const url = `${upstream.url.replace(/\/+$/, '')}/embeddings`;
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(upstream.api_key ? { authorization: `Bearer ${upstream.api_key}` } : {}),
        },
        body: JSON.stringify({ ...body, model: upstream.model }),
        headersTimeout: upstream.timeout_ms,
        bodyTimeout: upstream.timeout_ms,
      });
    } catch (err) {
      throw transportError(err, 'embeddings');
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) throw generationError(parseUpstreamError(res.statusCode, text), 'embeddings');
    return c.body(text, 200, { 'content-type': 'application/json', 'x-request-id': c.get('requestId') });
  });
  return app;
}
