import { createRedisBudgetStore } from '../../src/budgets/redis-store.ts';
import { redisForTestFile } from '../cache/redis-server.ts';
import { budgetStoreContract } from '../contracts/budget-store.contract.ts';

const redis = redisForTestFile(500);
let n = 0;

budgetStoreContract('redis', async () => createRedisBudgetStore(await redis.connect(`budget${++n}:`)));
