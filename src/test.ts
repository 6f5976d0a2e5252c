/**
 * `memtrace/test`: memory limits for tests, under any runner (node:test, ava, Jest, Vitest): a test
 * Small on purpose: it loads the counters, the allocation sampler and units, and the heap snapshot
 */
export { limitMemory, type LimitMemoryOptions, type Measure } from './test-api/limit-memory.js';
export { MemoryLimitError } from './errors.js';
