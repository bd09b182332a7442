/** The CI batch (issue #18), part 3 of 10 on SQLite: seeds 41..60 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 41, 60);
