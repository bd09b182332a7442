/** The CI batch (issue #18), part 9 of 10 on SQLite: seeds 161..180 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 161, 180);
