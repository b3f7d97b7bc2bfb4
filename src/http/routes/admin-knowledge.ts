/**
 * @module http/routes/admin-knowledge — knowledge management (admin key, checked by app.ts):
 * - `POST /admin/ingest`: multipart form with `tenant`, `collection`, optional `url_base`, and one or more
 *   files (any field name); bounded by `knowledge.ingest_max_bytes` (413 above it), not the JSON body limit.
 *   Answers the ingestion summary (skipped files with reasons; `failed` lists files the store refused).
 * - `GET /admin/knowledge/documents?tenant=&collection=`: the tenant's documents in the collection.
 * - `DELETE /admin/knowledge/documents/{document_id}?tenant=&collection=`: removes the document's chunks
 *   and bumps the knowledge revision (document ids may contain `/`; URL-encode them).
 */
import { Hono } from 'hono';
import type { Config } from '../../config/schema.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { KnowledgeService, UploadedFile } from '../../ingest/knowledge-service.ts';
import type { AppEnv } from '../env.ts';
import { readLimited } from '../read-body.ts';
import { storeUnavailable } from './knowledge.ts';

function target(
  config: Config,
  tenant: string | undefined,
  collection: string | undefined,
): { tenant: string; collection: string } {
  if (!tenant)
    throw new GatewayError('missing_required_parameter', 'Missing required parameter: tenant.', { param: 'tenant' });
  if (!collection)
    throw new GatewayError('missing_required_parameter', 'Missing required parameter: collection.', {
      param: 'collection',
    });
  // Own keys only: `constructor` / `__proto__` are not tenants (a plain-object lookup would find Object's).
  const t = Object.hasOwn(config.tenants, tenant) ? config.tenants[tenant] : undefined;
  if (!t) throw new GatewayError('not_found', `The tenant \`${tenant}\` does not exist.`, { param: 'tenant' });
  if (!t.collections.includes(collection)) {
    throw new GatewayError(
      'collection_not_found',
      `The collection \`${collection}\` does not exist or the tenant may not use it.`,
      {
        param: 'collection',
      },
    );
  }
  return { tenant, collection };
}

function uploadTooLarge(limit: number): GatewayError {
  return new GatewayError('request_too_large', `The upload exceeds knowledge.ingest_max_bytes (${limit} bytes).`);
}

export function adminKnowledgeRoutes(deps: {
  knowledge: KnowledgeService;
  current(): { config: Config };
}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/ingest', async (c) => {
    const { config } = deps.current();
    const type = c.req.header('content-type') ?? '';
    if (!/^multipart\/form-data\b/i.test(type)) {
      throw new GatewayError(
        'unsupported_media_type',
        `Content-Type must be multipart/form-data, got '${type || 'none'}'.`,
      );
    }
    const limit = config.knowledge.ingest_max_bytes;
    if (Number(c.req.header('content-length') ?? 0) > limit) throw uploadTooLarge(limit);
    const raw = await readLimited(c.req.raw, limit, uploadTooLarge);
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    } catch (err) {
      throw new GatewayError('invalid_request', `The multipart body could not be parsed: ${(err as Error).message}`);
    }
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' && v ? v : undefined;
    };
    const { tenant, collection } = target(config, field('tenant'), field('collection'));
    const files: UploadedFile[] = [];
    for (const [, value] of form.entries()) {
      if (typeof value !== 'string')
        files.push({ name: value.name || 'upload', data: new Uint8Array(await value.arrayBuffer()) });
    }
    if (files.length === 0)
      throw new GatewayError('missing_required_parameter', 'Attach at least one file.', { param: 'file' });
    const summary = await deps.knowledge
      .ingestFiles(config, tenant, collection, files, { urlBase: field('url_base') })
      .catch(storeUnavailable);
    return c.json({ object: 'knowledge.ingestion', ...summary });
  });

  app.get('/knowledge/documents', async (c) => {
    const { tenant, collection } = target(deps.current().config, c.req.query('tenant'), c.req.query('collection'));
    const docs = await deps.knowledge.listDocuments(tenant, collection).catch(storeUnavailable);
    return c.json({
      object: 'list',
      data: docs.map((d) => ({
        object: 'knowledge.document',
        id: d.documentId,
        title: d.title,
        url: d.url,
        chunks: d.chunks,
      })),
    });
  });

  app.delete('/knowledge/documents/:id{.+}', async (c) => {
    const { tenant, collection } = target(deps.current().config, c.req.query('tenant'), c.req.query('collection'));
    const id = c.req.param('id'); // Hono has already percent-decoded it
    const result = await deps.knowledge.deleteDocument(tenant, collection, id).catch(storeUnavailable);
    if (!result)
      throw new GatewayError(
        'not_found',
        `The document \`${id}\` does not exist in \`${collection}\` for tenant \`${tenant}\`.`,
      );
    return c.json({
      object: 'knowledge.document.deleted',
      id,
      deleted: true,
      chunks_removed: result.chunksRemoved,
      revision: result.revision,
    });
  });

  return app;
}
