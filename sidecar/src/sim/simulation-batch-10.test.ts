/** The CI batch (issue #18), part 10 of 10 on SQLite: seeds 181..200 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 181, 200);
