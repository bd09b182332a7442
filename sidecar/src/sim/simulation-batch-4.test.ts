/** The CI batch (issue #18), part 4 of 8 on SQLite: seeds 76..100 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 76, 100);
