import { test, expect } from 'vitest';
import { limitMemory, limitLeaks } from 'memtrace/test';

const parseCsv = (text) => text.split('\n').map((line) => line.split(','));
const sample = Array.from({ length: 10_000 }, (_, i) => `${i},name ${i},${i * 3}`).join('\n');

test('parsing 10 000 lines allocates under 8 MiB', async () => {
  const rows = await limitMemory('8 MiB', () => parseCsv(sample), { measure: 'allocated' });
  expect(rows).toHaveLength(10_000);
});

const cache = new Map();
function handler(request) {
  // Memoised by route: fills once, then only read.
  if (!cache.has(request.route)) cache.set(request.route, { route: request.route, compiled: request.route.split('/') });
  return cache.get(request.route).compiled.length;
}

test('the route cache keeps nothing per request', async () => {
  await limitLeaks(() => handler({ route: '/orders/:id' }), { iterations: 2000, allowed: 16 });
}, 60_000);
