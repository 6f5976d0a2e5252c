/**
 * `memtrace/test`: memory limits for tests, under any runner (node:test, ava, Jest, Vitest): a test
 * awaits `limitMemory(limit, fn)` or `limitLeaks(fn)` and fails with the error they reject with.
 * Small on purpose: it loads the counters, the allocation sampler and units, and the heap snapshot
 * reader only when limitLeaks sees growth (docs/testing.md).
 */
export { limitMemory, type LimitMemoryOptions, type Measure } from './test-api/limit-memory.js';
export { limitLeaks, type LimitLeaksOptions } from './test-api/limit-leaks.js';
export { MemoryLimitError, MemoryLeakError } from './shared/errors.js';
