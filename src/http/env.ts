/** @module http/env — the Hono environment: per-request variables set by middleware. */
import type { Principal } from '../auth/authenticate.ts';
import type { RequestSpan } from '../telemetry/request-span.ts';

export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
    startedAt: number;
    /** The request's SERVER span; a streamed answer ends it at its last byte instead of the middleware. */
    requestSpan: RequestSpan;
    spanDeferred: boolean;
    /** The route reported the request to the observer itself (generation routes do, with more detail). */
    recorded: boolean;
    /** `server.max_json_depth`, read by readJson. */
    maxJsonDepth: number;
  };
}
