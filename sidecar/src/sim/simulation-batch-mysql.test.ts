/** The CI batch (issue #18) on MariaDB: seeds 201..202 with every fault on and without. See batch.test-helper.ts. */
import { mysqlSkipped } from '../testing/databases.js';
import { batch } from './batch.test-helper.js';

if (!mysqlSkipped()) batch('mysql', 201, 202);
