/** The CI batch (issue #18), part 7 of 8 on SQLite: seeds 151..175 with every fault on and without. See batch.test-helper.ts. */
import { batch } from './batch.test-helper.js';

batch('sqlite', 151, 175);
