export * from './canonical.js';
export * from './errors.js';
export * from './assert.js';
export * from './money.js';
export * from './time.js';
export * from './json-body.js';
export * from './ints.js';
