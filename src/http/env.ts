/** @module http/env — the Hono environment: per-request variables set by middleware. */
import type { Principal } from '../auth/authenticate.ts';

export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
    startedAt: number;
  };
}
