/** The CI batch (issue #18), part 1 of 10 on SQLite: seeds 1..20 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 1, 20);
