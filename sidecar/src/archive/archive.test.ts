import { dialects } from '../testing/databases.js';
import { archiveSuite } from './archive-suite.test-helper.js';

// From SQLite: SQLite → SQLite and SQLite → MariaDB (the move from the embedded default to production).
if (dialects().includes('sqlite')) archiveSuite('sqlite');
