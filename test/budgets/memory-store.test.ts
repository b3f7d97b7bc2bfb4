import { createMemoryBudgetStore } from '../../src/budgets/memory-store.ts';
import { budgetStoreContract } from '../contracts/budget-store.contract.ts';

budgetStoreContract('memory', async () => createMemoryBudgetStore());
