/** The CI batch (issue #18), part 6 of 10 on SQLite: seeds 101..120 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 101, 120);
