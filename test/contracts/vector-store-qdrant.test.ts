/** The Qdrant store against the stand-in (test/qdrant-standin: Qdrant Edge + OpenAPI validation) with the real JS client. */
import { createQdrantStore } from '../../src/rag/qdrant-store.ts';
import { standinMissing, startQdrantStandin } from '../qdrant-standin/start.ts';
import { vectorStoreContract } from './vector-store.contract.ts';

if (standinMissing) console.log(`# skipping the Qdrant contract: ${standinMissing}`);

vectorStoreContract(
  'qdrant (stand-in)',
  async () => {
    const standin = await startQdrantStandin();
    const store = createQdrantStore({ kind: 'qdrant', url: standin.url, timeout_ms: 10_000 });
    return {
      store,
      async close() {
        await store.close();
        await standin.stop();
      },
    };
  },
  standinMissing ?? false,
);
