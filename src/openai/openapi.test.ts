/**
 * The OpenAPI document is valid OpenAPI 3.1 (the OAI meta-schema of 2022-10-07, kept in
 * test/schemathesis/oas-3.1-schema.json), every body schema is valid JSON Schema 2020-12 whose $refs resolve,
 * and each request example is accepted by both the JSON Schema and the zod schema it came from.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { openApiDocument, publicRoutes } from './openapi.ts';

const doc = openApiDocument('9.9.9') as any;
const metaSchema = JSON.parse(
  readFileSync(new URL('../../test/schemathesis/oas-3.1-schema.json', import.meta.url), 'utf8'),
  // Ajv does not follow the meta-schema's `$dynamicRef: "#meta"` (the hook for a custom schema dialect); the
  // default dialect it points to is `{type: [object, boolean]}`, which `#/$defs/schema` is.
  (_key, value) => (value && value.$dynamicRef === '#meta' ? { $ref: '#/$defs/schema' } : value),
);

function ajv() {
  return new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
}

test('the document validates against the OpenAPI 3.1 meta-schema', () => {
  const validate = ajv().compile(metaSchema);
  assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 1));
  // …and the check can fail: a parameter without `in` is refused.
  const broken = structuredClone(doc);
  delete broken.paths['/v1/models/{model}'].get.parameters[0].in;
  assert.equal(validate(broken), false);
});

test('info.version is the version given (the package version at /openapi.json)', () => {
  assert.equal(doc.info.version, '9.9.9');
  assert.equal(doc.openapi, '3.1.0');
});

test('every component schema is valid JSON Schema 2020-12 and every $ref resolves', () => {
  const a = ajv();
  a.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    assert.equal(a.validateSchema(schema as object), true, `${name}: ${JSON.stringify(a.errors)}`);
  }
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  assert.ok(refs.length > 10);
  for (const ref of refs) {
    const path = ref.slice(8, -1).replace(/^#\//, '').split('/');
    let node: any = doc;
    for (const part of path) node = node?.[part];
    assert.ok(node, `unresolved ${ref}`);
  }
});

test('public /v1 routes need a bearer key; health and the document do not; all errors are the envelope', () => {
  assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
    type: 'http',
    scheme: 'bearer',
    description: 'A tenant API key',
  });
  const ids = new Set<string>();
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
      const wantsKey = path.startsWith('/v1/');
      assert.deepEqual(op.security, wantsKey ? [{ bearerAuth: [] }] : [], `${method} ${path}`);
      assert.deepEqual(op.responses.default, { $ref: '#/components/responses/Error' });
      for (const [, param] of Object.entries<any>(op.parameters ?? [])) {
        if (param.in === 'path') assert.ok(path.includes(`{${param.name}}`), `${param.name} not in ${path}`);
      }
    }
  }
  const envelope = doc.components.schemas.ErrorEnvelope;
  assert.deepEqual(envelope.required, ['error']);
  assert.deepEqual(envelope.properties.error.required, ['message', 'type', 'param', 'code']);
});

test('the required routes are documented, with the request schemas the gateway validates with', () => {
  const documented = new Set(publicRoutes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
  for (const route of [
    'POST /v1/chat/completions',
    'POST /v1/completions',
    'POST /v1/embeddings',
    'GET /v1/models',
    'GET /v1/knowledge/chunks/{chunk_id}',
    'GET /healthz',
    'GET /readyz',
  ]) {
    assert.ok(documented.has(route), route);
  }
  const chat = doc.components.schemas.CreateChatCompletionRequest;
  assert.deepEqual(chat.required, ['model', 'messages']);
  assert.equal(chat.properties.lorag.additionalProperties, false);
  assert.deepEqual(chat.properties.lorag.properties.strategy.enum, ['base', 'lora', 'rag', 'hybrid']);
});

test('each request example passes the JSON Schema and the zod schema; a wrong type fails both', () => {
  const a = ajv();
  for (const route of publicRoutes) {
    if (!route.request) continue;
    const validate = a.compile(doc.components.schemas[route.request.name]);
    assert.equal(validate(route.request.example), true, `${route.path}: ${JSON.stringify(validate.errors)}`);
    assert.equal(route.request.schema.safeParse(route.request.example).success, true, route.path);
    const wrong = { ...(route.request.example as object), model: 42 };
    assert.equal(validate(wrong), false, route.path);
    assert.equal(route.request.schema.safeParse(wrong).success, false, route.path);
  }
});
