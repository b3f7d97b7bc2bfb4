/**
 * @module openai/openapi — the OpenAPI 3.1 document of lorag's public routes (served at GET /openapi.json).
 * Request and response bodies are the zod schemas the gateway itself validates with (requests.ts) or answers
 * with (response-schemas.ts), turned into JSON Schema 2020-12 by `z.toJSONSchema`, so the document cannot drift
 * from the code. Every error is the OpenAI envelope. A route added to the app is added to `publicRoutes`
 * (test/gateway/openapi.test.ts fails on an undocumented public route).
 */
import { z } from 'zod';
import { errorEnvelopeSchema } from './error-envelope.ts';
import { feedbackBodySchema } from './feedback-request.ts';
import { chatCompletionRequestSchema, completionRequestSchema, embeddingRequestSchema } from './requests.ts';
import {
  chatCompletionSchema,
  completionSchema,
  embeddingListSchema,
  eventStreamSchema,
  feedbackRecordedSchema,
  healthSchema,
  knowledgeChunkSchema,
  modelCardSchema,
  modelListSchema,
  readinessSchema,
} from './response-schemas.ts';
import { inputItemListSchema, responseDeletedSchema, responseObjectSchema } from './responses-objects.ts';
import { responsesRequestSchema } from './responses-request.ts';

export interface DocumentedBody {
  /** Name under components.schemas. */
  name: string;
  schema: z.ZodType;
}

export interface DocumentedRoute {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path template (`{param}`), as the client calls it. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Needs a tenant API key (`Authorization: Bearer …`). */
  auth: boolean;
  pathParams?: Record<string, string>;
  request?: DocumentedBody & { example: unknown };
  /** Success statuses and their bodies; every other status is the error envelope. */
  responses: Record<string, { description: string; body: DocumentedBody; stream?: boolean }>;
  /** Accepts `x-lorag-strategy` (design.md "Strategy"). */
  strategyHeader?: boolean;
}

const openApiSchema = z.object({ openapi: z.string(), info: z.object({ version: z.string() }).loose() }).loose();

export const publicRoutes: DocumentedRoute[] = [
  {
    method: 'post',
    path: '/v1/chat/completions',
    operationId: 'createChatCompletion',
    summary: 'Chat completion on the adapter, strategy and knowledge the tenant may use (JSON or SSE stream)',
    tag: 'generation',
    auth: true,
    strategyHeader: true,
    request: {
      name: 'CreateChatCompletionRequest',
      schema: chatCompletionRequestSchema,
      example: { model: 'legal', messages: [{ role: 'user', content: 'What does clause 4 say?' }], max_tokens: 16 },
    },
    responses: {
      '200': {
        description: 'The completion (`text/event-stream` when `stream: true`)',
        body: { name: 'ChatCompletion', schema: chatCompletionSchema },
        stream: true,
      },
    },
  },
  {
    method: 'post',
    path: '/v1/completions',
    operationId: 'createCompletion',
    summary: 'Text completion (legacy OpenAI endpoint), same request path as chat',
    tag: 'generation',
    auth: true,
    strategyHeader: true,
    request: {
      name: 'CreateCompletionRequest',
      schema: completionRequestSchema,
      example: { model: 'legal', prompt: 'Clause 4 says', max_tokens: 16 },
    },
    responses: {
      '200': {
        description: 'The completion (`text/event-stream` when `stream: true`)',
        body: { name: 'Completion', schema: completionSchema },
        stream: true,
      },
    },
  },
  {
    method: 'post',
    path: '/v1/embeddings',
    operationId: 'createEmbedding',
    summary: 'Embeddings from the configured embeddings upstream',
    tag: 'embeddings',
    auth: true,
    request: {
      name: 'CreateEmbeddingRequest',
      schema: embeddingRequestSchema,
      example: { input: ['hello', 'world'] },
    },
    responses: {
      '200': { description: 'One vector per input', body: { name: 'EmbeddingList', schema: embeddingListSchema } },
    },
  },
  {
    method: 'get',
    path: '/v1/models',
    operationId: 'listModels',
    summary: "The models the caller's tenant may use: base model, `auto`, adapters and their pinned versions",
    tag: 'models',
    auth: true,
    responses: { '200': { description: 'Model list', body: { name: 'ModelList', schema: modelListSchema } } },
  },
  {
    method: 'get',
    path: '/v1/models/{model}',
    operationId: 'retrieveModel',
    summary: 'One model card; another tenant’s model reads as not found (404)',
    tag: 'models',
    auth: true,
    pathParams: { model: 'Model id, e.g. `legal` or `legal@1`' },
    responses: { '200': { description: 'Model card', body: { name: 'Model', schema: modelCardSchema } } },
  },
  {
    method: 'get',
    path: '/v1/knowledge/chunks/{chunk_id}',
    operationId: 'retrieveKnowledgeChunk',
    summary: "A cited passage, from the caller's own tenant's collections only",
    tag: 'knowledge',
    auth: true,
    pathParams: { chunk_id: 'The `chunk_id` of a citation' },
    responses: {
      '200': { description: 'The passage', body: { name: 'KnowledgeChunk', schema: knowledgeChunkSchema } },
    },
  },
  {
    method: 'post',
    path: '/v1/responses',
    operationId: 'createResponse',
    summary:
      'OpenAI Responses API on the same request path as chat (file_search = retrieval); `stream: true` answers ' +
      'Responses events (`text/event-stream`, `event:` + `data:` lines)',
    tag: 'responses',
    auth: true,
    strategyHeader: true,
    request: {
      name: 'CreateResponseRequest',
      schema: responsesRequestSchema,
      example: { model: 'legal', input: 'What does clause 4 say?', max_output_tokens: 16 },
    },
    responses: {
      '200': { description: 'The Response object', body: { name: 'Response', schema: responseObjectSchema } },
    },
  },
  {
    method: 'get',
    path: '/v1/responses/{response_id}',
    operationId: 'retrieveResponse',
    summary: "A stored response of the caller's tenant (another tenant's id reads as not found)",
    tag: 'responses',
    auth: true,
    pathParams: { response_id: 'The `id` of a stored response' },
    responses: { '200': { description: 'The Response', body: { name: 'Response', schema: responseObjectSchema } } },
  },
  {
    method: 'delete',
    path: '/v1/responses/{response_id}',
    operationId: 'deleteResponse',
    summary: "Deletes a stored response of the caller's tenant",
    tag: 'responses',
    auth: true,
    pathParams: { response_id: 'The `id` of a stored response' },
    responses: {
      '200': { description: 'Deleted', body: { name: 'ResponseDeleted', schema: responseDeletedSchema } },
    },
  },
  {
    method: 'get',
    path: '/v1/responses/{response_id}/input_items',
    operationId: 'listResponseInputItems',
    summary: 'The input items of a stored response, paginated (`limit`, `order`, `after`, `before`)',
    tag: 'responses',
    auth: true,
    pathParams: { response_id: 'The `id` of a stored response' },
    responses: {
      '200': { description: 'A page of input items', body: { name: 'InputItemList', schema: inputItemListSchema } },
    },
  },
  {
    method: 'post',
    path: '/v1/feedback',
    operationId: 'createFeedback',
    summary: 'A score (0..1) for a response the same tenant received, by `request_id` or `response_id`',
    tag: 'feedback',
    auth: true,
    request: {
      name: 'CreateFeedbackRequest',
      schema: feedbackBodySchema,
      example: { request_id: 'req_0123456789abcdef', score: 1, tags: ['helpful'] },
    },
    responses: {
      '200': { description: 'Recorded', body: { name: 'FeedbackRecorded', schema: feedbackRecordedSchema } },
    },
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness: the process is up',
    tag: 'health',
    auth: false,
    responses: { '200': { description: 'Alive', body: { name: 'Health', schema: healthSchema } } },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    summary: 'Readiness: at least one upstream replica is healthy (Redis/vector store are reported, not required)',
    tag: 'health',
    auth: false,
    responses: {
      '200': { description: 'Ready', body: { name: 'Readiness', schema: readinessSchema } },
      '503': { description: 'Not ready', body: { name: 'Readiness', schema: readinessSchema } },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    tag: 'meta',
    auth: false,
    responses: {
      '200': { description: 'OpenAPI 3.1 document', body: { name: 'OpenApiDocument', schema: openApiSchema } },
    },
  },
];

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 of a body as a client sends it (fields with defaults are optional). */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function operation(route: DocumentedRoute, schemas: Record<string, JsonSchema>): JsonSchema {
  const use = (body: DocumentedBody) => {
    schemas[body.name] ??= jsonSchema(body.schema);
    return ref(body.name);
  };
  const parameters: JsonSchema[] = Object.entries(route.pathParams ?? {}).map(([name, description]) => ({
    name,
    in: 'path',
    required: true,
    description,
    schema: { type: 'string', minLength: 1 },
  }));
  if (route.strategyHeader) {
    parameters.push({
      name: 'x-lorag-strategy',
      in: 'header',
      required: false,
      description:
        'Strategy for this request, one the tenant allows (the body’s `lorag.strategy` wins; empty = not given)',
      schema: { type: 'string', enum: ['', 'base', 'lora', 'rag', 'hybrid'] },
    });
  }
  const responses: JsonSchema = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const content: JsonSchema = { 'application/json': { schema: use(r.body) } };
    if (r.stream) content['text/event-stream'] = { schema: use({ name: 'EventStream', schema: eventStreamSchema }) };
    responses[status] = { description: r.description, content };
  }
  responses.default = { $ref: '#/components/responses/Error' };
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    security: route.auth ? [{ bearerAuth: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(route.request
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: use(route.request), example: route.request.example } },
          },
        }
      : {}),
    responses,
  };
}

/** The whole document; `version` is the package version (info.version). */
export function openApiDocument(version: string): JsonSchema {
  const schemas: Record<string, JsonSchema> = { ErrorEnvelope: jsonSchema(errorEnvelopeSchema) };
  const paths: Record<string, JsonSchema> = {};
  for (const route of publicRoutes) {
    paths[route.path] ??= {};
    paths[route.path][route.method] = operation(route, schemas);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'lorag',
      version,
      summary: 'OpenAI-compatible multi-tenant gateway: per-request LoRA adapters on vLLM, cited retrieval, cache',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [...new Set(publicRoutes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A tenant API key' } },
      responses: {
        Error: {
          description: 'OpenAI error envelope, with the status of its code (400, 401, 404, 413, 415, 429, 5xx)',
          content: { 'application/json': { schema: ref('ErrorEnvelope') } },
        },
      },
    },
  };
}
