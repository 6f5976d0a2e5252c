// The differential corpus's judge (test/corpus/): what it counts, what it normalises away and what it
// reports. The corpus itself runs with `npm run test:corpus` (it installs packages from the registry).
import test from 'ava';
import { countAssertions, differences, normalise } from './corpus/outcome.js';
import { hasNew, judge, verdictsAfterSecondPlainRun } from './corpus/verdict.js';

const run = (over) => ({
  code: 0,
  signal: null,
  timedOut: false,
  counts: { pass: 3, fail: 0, skip: 0 },
  stdout: 'ok 1\n',
  stderr: '',
  ...over,
});

test('counts tape, node:test and mocha summaries; several processes add up', (t) => {
  t.deepEqual(countAssertions('tap', '# tests 5\n# pass  4\n# fail  1\n'), { pass: 4, fail: 1, skip: 0 });
  t.deepEqual(countAssertions('tap', '# pass 2\n# skipped 1\n# pass 3\n'), { pass: 5, fail: 0, skip: 1 });
  t.deepEqual(countAssertions('mocha', '\n  12 passing (40ms)\n  1 pending\n  2 failing\n'), { pass: 12, fail: 2, skip: 1 });
});

test('normalises timings, dates, temp paths and memtrace notes, and nothing the program decides', (t) => {
  const tmp = '/tmp/memtrace-corpus-cache-x1';
  const plain = 'ok 1 Sun Dec 06 2026 02:48:04 GMT+0000 (Coordinated Universal Time)\n  duration_ms: 1.5\n  ✔ adds (12ms)\n';
  const traced = `ok 1 Mon Dec 07 2026 11:00:00 GMT+0000 (Coordinated Universal Time)\n  duration_ms: 90.25\n  ✔ adds\nmemtrace: cannot parse ${tmp}/a.mjs; it runs untraced\n`;
  t.is(normalise(plain, []), normalise(traced, [tmp]));
  t.is(normalise('(node:26038) [CODE] TestDeprecation: Hello', []), normalise('(node:411) [CODE] TestDeprecation: Hello', []));
  t.not(normalise('ok 1 three\n', []), normalise('ok 1 four\n', []));
  t.is(normalise('flags(/a/gim)', [], [[/flags\(\/a\/[a-z]+\)/g, 'flags(<f>)']]), 'flags(<f>)');
});

test('a traced run that differs is reported by exit, counts and the first differing line', (t) => {
  const found = differences(run(), run({ code: 1, counts: { pass: 0, fail: 0, skip: 0 }, stdout: 'SyntaxError\n' }));
  t.deepEqual(
    found.map((f) => f.kind),
    ['exit', 'counts', 'stdout'],
  );
  t.deepEqual(found[2].diff, ['- ok 1', '- ', '+ SyntaxError', '+ ']);
  t.deepEqual(differences(run(), run()), []);
});

test('judge: unlisted is NEW, listed is known, a listed one that stopped is STALE unless fixed elsewhere', (t) => {
  const exit = [{ kind: 'exit', text: 'exit 0 -> 1' }];
  const bare = { name: 'p' };
  t.is(judge(bare, '20', 'cold', []).status, 'same');
  const fresh = judge(bare, '20', 'cold', exit);
  t.is(fresh.status, 'NEW');
  t.regex(fresh.report[0], /^NEW p on Node 20, cold: exit 0 -> 1/);
  const listed = { name: 'p', known: [{ nodes: ['20'], kinds: ['exit'], reason: 'r' }] };
  t.is(judge(listed, '20', 'cold', exit).status, 'known');
  t.is(judge(listed, '24', 'cold', exit).status, 'NEW');
  t.is(judge(listed, '20', 'warm', []).status, 'STALE');
  t.is(judge(listed, '20', 'cold', [{ kind: 'stdout', text: 'stdout differs' }]).status, 'NEW');
  const evidenced = { name: 'p', known: [{ kinds: ['exit', 'stdout'], evidence: /SyntaxError/, reason: 'r' }] };
  t.is(judge(evidenced, '20', 'cold', exit, 'SyntaxError: Unexpected token').status, 'known');
  t.is(judge(evidenced, '20', 'cold', exit, '# find 0.42').status, 'NEW', 'a difference of another cause is not covered');
  const elsewhere = { name: 'p', known: [{ kinds: ['exit'], reason: 'r', fixedBy: 'branch x' }] };
  t.is(judge(elsewhere, '20', 'cold', []).status, 'fixed');
  t.is(judge(elsewhere, '24', 'cold', exit).status, 'known');
});

test('a new difference is judged again against a second untraced run; one the tracer makes stays', (t) => {
  const suite = { name: 'p' };
  const bothAgainst = (plain, traced) => ({
    cold: judge(suite, '20', 'cold', differences(plain, traced)),
    warm: judge(suite, '20', 'warm', differences(plain, traced)),
  });
  // deep-equal in CI: the first untraced run lost its output's last line; both traced runs kept it.
  const traced = run({ stdout: 'ok 1\n\n' });
  const first = bothAgainst(run({ stdout: 'ok 1\n' }), traced);
  t.true(hasNew(first));
  const second = bothAgainst(run({ stdout: 'ok 1\n\n' }), traced);
  t.is(verdictsAfterSecondPlainRun(first, second), second);
  t.is(second.cold.status, 'same');
  // A difference the tracer makes shows against both untraced runs: the first verdicts stay, NEW.
  const tracerMade = run({ code: 1, stdout: 'ok 1\n\n' });
  const firstReal = bothAgainst(run({ stdout: 'ok 1\n\n' }), tracerMade);
  const secondReal = bothAgainst(run({ stdout: 'ok 1\n\n' }), tracerMade);
  t.is(verdictsAfterSecondPlainRun(firstReal, secondReal), firstReal);
  t.is(firstReal.cold.status, 'NEW');
});
