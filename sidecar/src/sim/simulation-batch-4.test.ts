/** The CI batch (issue #18), part 4 of 10 on SQLite: seeds 61..80 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 61, 80);
