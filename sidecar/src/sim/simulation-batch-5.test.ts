/** The CI batch (issue #18), part 5 of 8 on SQLite: seeds 101..125 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 101, 125);
