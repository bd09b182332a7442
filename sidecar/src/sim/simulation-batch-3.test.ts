/** The CI batch (issue #18), part 3 of 8 on SQLite: seeds 51..75 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 51, 75);
