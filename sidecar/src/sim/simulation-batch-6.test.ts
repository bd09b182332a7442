/** The CI batch (issue #18), part 6 of 8 on SQLite: seeds 126..150 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 126, 150);
