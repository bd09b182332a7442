/** The CI batch on SQLite (issue #18): see batch.test-helper.ts. MYBNB_SIM_SEEDS overrides its size. */
import { batch } from './batch.test-helper.js';

batch('sqlite', Number(process.env.MYBNB_SIM_SEEDS ?? 12));
