/** The in-process AdminStateStore against the shared contract (two instances over one backend). */
import { createMemoryAdminStateStore, memoryAdminStateBackend } from '../../src/adapters/admin-state-memory.ts';
import { adminStateStoreContract } from '../contracts/admin-state-store.contract.ts';

adminStateStoreContract('memory admin state', async () => {
  const backend = memoryAdminStateBackend();
  return { stores: [createMemoryAdminStateStore(backend), createMemoryAdminStateStore(backend)] };
});
