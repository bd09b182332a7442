/** The CI batch (issue #18), part 7 of 10 on SQLite: seeds 121..140 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 121, 140);
