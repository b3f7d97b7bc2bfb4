/**
 * @module http/routes/knowledge — `GET /v1/knowledge/chunks/{chunk_id}`: the cited passage, for the caller's
 * own tenant only (looked up in the tenant's collections with the tenant filter). Another tenant's chunk
 * reads exactly like one that does not exist.
 */
import { Hono } from 'hono';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { KnowledgeService } from '../../ingest/knowledge-service.ts';
import type { AppEnv } from '../env.ts';

export function storeUnavailable(err: unknown): never {
  if (err instanceof GatewayError) throw err;
  throw new GatewayError('retrieval_unavailable', 'The knowledge store is unavailable right now; try again later.', {
    cause: err,
  });
}

export function knowledgeRoutes(deps: { knowledge: KnowledgeService }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/knowledge/chunks/:chunk_id', async (c) => {
    const { tenantId, tenant } = c.get('principal');
    const chunkId = c.req.param('chunk_id');
    const found = await deps.knowledge.getChunk(tenantId, tenant.collections, chunkId).catch(storeUnavailable);
    if (!found) {
      throw new GatewayError('not_found', `The chunk \`${chunkId}\` does not exist or you do not have access to it.`, {
        param: 'chunk_id',
      });
    }
    const { collection, chunk } = found;
    return c.json({
      object: 'knowledge.chunk',
      id: chunk.chunkId,
      collection,
      document_id: chunk.documentId,
      title: chunk.title,
      url: chunk.url,
      section: chunk.section,
      position: chunk.position,
      text: chunk.text,
    });
  });
  return app;
}
