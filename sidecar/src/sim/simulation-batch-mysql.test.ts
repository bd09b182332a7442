/** The CI batch on MariaDB (issue #18): see batch.test-helper.ts. MYBNB_SIM_MYSQL_SEEDS overrides its size. */
import { mysqlSkipped } from '../testing/databases.js';
import { batch } from './batch.test-helper.js';

if (!mysqlSkipped()) batch('mysql', Number(process.env.MYBNB_SIM_MYSQL_SEEDS ?? 2));
