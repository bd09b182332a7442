// NORA: the pure rules authority. No I/O, no clock, no randomness: every input is data.
export * from './schema.js';
export * from './policy-version.js';
export * from './facts.js';
export * from './outcome.js';
export * from './hashes.js';
export * from './price.js';
export * from './cancellation.js';
export * from './payments.js';
export * from './loyalty.js';
export * from './dispute.js';
export * from './constraints.js';
export * from './retry.js';
export * from './connect.js';
export * from './modification.js';
export * from './dispute-evidence.js';
export { formatMoney, durationMs, describeSpan } from './format.js';
export * from './subscription-state.js';
export * from './subscription-ledger.js';
export * from './revenue-schedule.js';
export * from './dunning.js';
export * from './subscription-preview.js';
export * from './settlement.js';

