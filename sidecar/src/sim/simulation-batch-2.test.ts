/** The CI batch (issue #18), part 2 of 10 on SQLite: seeds 21..40 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 21, 40);
