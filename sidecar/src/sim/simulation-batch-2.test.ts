/** The CI batch (issue #18), part 2 of 8 on SQLite: seeds 26..50 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 26, 50);
