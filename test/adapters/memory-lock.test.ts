import { createMemoryLock } from '../../src/adapters/memory-lock.ts';
import { distributedLockContract } from '../contracts/distributed-lock.contract.ts';

distributedLockContract('memory lock', () => ({ locks: [createMemoryLock()] }));
