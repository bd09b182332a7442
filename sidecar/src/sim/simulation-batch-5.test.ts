/** The CI batch (issue #18), part 5 of 10 on SQLite: seeds 81..100 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 81, 100);
