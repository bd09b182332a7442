/** The CI batch (issue #18), part 8 of 10 on SQLite: seeds 141..160 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 141, 160);
