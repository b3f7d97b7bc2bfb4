/**
 * GET /openapi.json on a real gateway: served without a key, versioned with package.json; the routes it
 * documents are exactly the app's public routes (admin and /metrics aside); and what each route really
 * answers (success and error) validates against the schema the document gives for that status.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/load.ts';
import { buildDeps } from '../../src/deps.ts';
import { publicRoutes } from '../../src/openai/openapi.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { keys, type Stack, startStack, testConfig } from '../helpers/stack.ts';

/** Routes served on purpose without being in the public document. */
const UNDOCUMENTED = new Set(['GET /metrics']);

let embedder: RunningSim;
let stack: Stack;
let doc: any;
before(async () => {
  embedder = await startSim({ port: 0 });
  stack = await startStack({
    config: { embeddings: { kind: 'openai', url: `${embedder.url}/v1`, model: 'tiny-base' } },
  });
  const res = await fetch(`${stack.gateway.url}/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  doc = await res.json();
});
after(async () => {
  await stack.close();
  await embedder.close();
});

test('served without a key, versioned with the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, pkg.version);
});

test("the documented routes are exactly the app's public routes", async () => {
  const built = await buildDeps(parseConfig(testConfig(['http://127.0.0.1:9'])));
  try {
    const app = createApp(built.deps, built.extra);
    // Hono lists middleware as method ALL; params as `:name` or `:name{regex}`.
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && !r.path.startsWith('/admin'))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries<any>(doc.paths).flatMap(([path, item]) =>
        Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    for (const route of documented) assert.ok(served.has(route), `documented but not served: ${route}`);
    for (const route of served) {
      if (!UNDOCUMENTED.has(route)) assert.ok(documented.has(route), `served but not documented: ${route}`);
    }
  } finally {
    await built.close();
  }
});

/** The schema /openapi.json gives for this operation's status and content type (default: the error envelope). */
function documentedSchema(path: string, method: string, status: number, type: string): object {
  const responses = doc.paths[path][method].responses;
  const r = responses[String(status)] ?? doc.components.responses.Error;
  const media = r.content[type.split(';')[0]];
  assert.ok(media, `${method} ${path} ${status}: ${type} is not documented`);
  return { ...media.schema, components: doc.components };
}

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

async function conforms(path: string, method: 'get' | 'post' | 'delete', init: RequestInit & { url?: string } = {}) {
  const res = await fetch(`${stack.gateway.url}${init.url ?? path}`, { method: method.toUpperCase(), ...init });
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  const validate = ajv.compile(documentedSchema(path, method, res.status, type));
  // An event stream's schema is each event's (OpenAPI 3.1); anything else is one JSON body.
  const values = type.startsWith('text/event-stream')
    ? text
        .split('\n\n')
        .filter(Boolean)
        .map((event) => ({ data: event.replace(/^data: /, '') }))
    : [JSON.parse(text)];
  for (const value of values) {
    assert.equal(
      validate(value),
      true,
      `${method} ${path} → ${res.status}: ${JSON.stringify(validate.errors)}\n${text}`,
    );
  }
  return { status: res.status, body: type.startsWith('text/event-stream') ? text : values[0] };
}

const auth = (key = keys.legal) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

test('every documented route answers what the document says, for success and for errors', async () => {
  const statuses: string[] = [];
  for (const route of publicRoutes) {
    const path = route.path;
    const url = path
      .replace('{model}', 'legal@1')
      .replace('{chunk_id}', 'no-such-chunk')
      .replace('{response_id}', 'resp_none');
    const headers = route.auth ? auth() : {};
    const body = route.request ? JSON.stringify(route.request.example) : undefined;
    const ok = await conforms(path, route.method, { url, headers, body });
    statuses.push(`${route.operationId}:${ok.status}`);
    if (route.request) {
      // A request body of the wrong shape is refused with the documented error envelope.
      const bad = await conforms(path, route.method, { headers, body: JSON.stringify({ model: 42 }) });
      assert.equal(bad.status, 400);
    }
    if (route.auth) {
      const refused = await conforms(path, route.method, { url, headers: auth('sk-wrong'), body });
      assert.equal(refused.status, 401);
    }
    if (route.responses['200'].stream) {
      const example = route.request!.example as object;
      const streamed = await conforms(path, route.method, {
        headers,
        body: JSON.stringify({ ...example, stream: true }),
      });
      assert.match(streamed.body, /data: \[DONE\]/);
    }
  }
  assert.deepEqual(statuses, [
    'createChatCompletion:200',
    'createCompletion:200',
    'createEmbedding:200',
    'listModels:200',
    'retrieveModel:200',
    'retrieveKnowledgeChunk:404',
    'createResponse:200',
    'retrieveResponse:404',
    'deleteResponse:404',
    'listResponseInputItems:404',
    'createFeedback:404',
    'health:200',
    'ready:200',
    'openapi:200',
  ]);
});
