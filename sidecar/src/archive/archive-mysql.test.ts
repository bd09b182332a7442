import { dialects } from '../testing/databases.js';
import { archiveSuite } from './archive-suite.test-helper.js';

// From MariaDB: MariaDB → MariaDB.
if (dialects().includes('mysql')) archiveSuite('mysql');
