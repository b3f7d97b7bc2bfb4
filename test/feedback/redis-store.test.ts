import { createRedisFeedbackStore } from '../../src/feedback/redis-store.ts';
import { redisForTestFile } from '../cache/redis-server.ts';
import { feedbackStoreContract } from '../contracts/feedback-store.contract.ts';

const redis = redisForTestFile(500);
let n = 0;

feedbackStoreContract('redis', async () => createRedisFeedbackStore(await redis.connect(`fbtest${++n}:`)));
