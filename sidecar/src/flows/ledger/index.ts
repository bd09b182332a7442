export * from './types.js';
export * from './accounts.js';
export * from './post-entry.js';
export * from './read-entries.js';
export * from './balances.js';
export * from './verify.js';
export * from './reverse.js';
export { contentHashOf, entryHashOf } from './entry-hash.js';
export * from './post-entries.js';
