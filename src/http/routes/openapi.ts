/**
 * @module http/routes/openapi — GET /openapi.json: the OpenAPI 3.1 document of the public routes, without a
 * key (as OpenAI publishes theirs), versioned with the package version. Built once, on first request.
 */
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { openApiDocument } from '../../openai/openapi.ts';
import type { AppEnv } from '../env.ts';

function packageVersion(): string {
  try {
    // src/http/routes and dist/http/routes are both three levels below the package root.
    return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function openApiRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  let text: string | undefined;
  app.get('/openapi.json', (c) => {
    text ??= JSON.stringify(openApiDocument(packageVersion()));
    return c.body(text, 200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
  });
  return app;
}
