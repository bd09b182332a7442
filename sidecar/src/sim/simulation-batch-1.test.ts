/** The CI batch (issue #18), part 1 of 8 on SQLite: seeds 1..25 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 1, 25);
