import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLanceDbStore } from '../../src/rag/lancedb-store.ts';
import { vectorStoreContract } from './vector-store.contract.ts';

vectorStoreContract('lancedb', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lorag-lancedb-'));
  const store = await createLanceDbStore(dir);
  return {
    store,
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
