// The table of threadpool requests in flight (src/runtime/native-pool.ts): against a Map, through
// growth and backward-shift deletions, with async ids that come in sequence as Node's do.
import test from 'ava';
import { InFlight } from '../dist/src/runtime/native-pool.js';

function random(seed) {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
}

test('the in-flight table finds every request until it ends, through growth and deletions', (t) => {
  const table = new InFlight();
  const expected = new Map();
  const next = random(7);
  let id = 1;
  const live = [];
  for (let step = 0; step < 60_000; step++) {
    // Bursts of thousands in flight (a readFile loop), then draining, as a program's requests come.
    const wantMore = step % 20_000 < 12_000;
    if (live.length === 0 || (wantMore && next(3) > 0) || (!wantMore && next(4) === 0)) {
      id += 1 + next(4);
      const token = id % 997;
      table.add(id, token, id % 5 === 0);
      expected.set(id, token);
      live.push(id);
    } else {
      const which = next(live.length);
      const ended = live[which];
      live[which] = live[live.length - 1];
      live.pop();
      const at = table.find(ended);
      if (at < 0) return t.fail(`request ${ended} lost at step ${step}`);
      if (table.untilDestroyed(at) !== (ended % 5 === 0)) return t.fail(`request ${ended}'s kind`);
      if (table.take(at) !== expected.get(ended)) return t.fail(`request ${ended}'s token`);
      expected.delete(ended);
      if (table.find(ended) >= 0) return t.fail(`request ${ended} still found after it ended`);
    }
    if (step % 5000 === 0) {
      for (const request of live) if (table.find(request) < 0) return t.fail(`request ${request} missing at step ${step}`);
    }
  }
  t.is(table.size, live.length);
  t.true(live.every((request) => table.find(request) >= 0));
});
