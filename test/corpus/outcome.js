/**
 * What one run of a suite did, as compared between untraced and traced runs: exit code, assertion
 * counts read from the runner's own summary, and the output with what legitimately differs from run
 * to run taken out (timings, pids, temp paths, memtrace's own one-line notes).
 *
 * Why each normalisation is legitimate:
 * - durations (`# duration_ms 12.3`, `duration_ms: 4.5`, mocha's `(12ms)` and `passing (1s)`,
 *   tape's `# time=`): wall time differs between any two runs, traced or not;
 * - the per-run temporary directories the harness makes (trace output, transform cache): their names
 *   are random;
 * - pids (`pid 123`, the `(node:123)` before a process warning): differ between any two runs;
 * - dates printed by tests (`String(new Date())`, ISO timestamps): the clock moves between runs;
 * - mocha's slow-test marker ` (75ms)`: shown or not by how long a test took, which tracing changes
 *   (time is not behaviour);
 * - a suite's own `normalise` pairs in the manifest, for output its tests randomise on every run;
 * - stderr lines starting `memtrace: `: the tracer's notes to the user (a module it cannot parse runs
 *   untraced; the native counters are missing). They are counted (`notes`) and shown in the table, so
 *   a module that silently runs untraced is still visible; they are not the program's output.
 */

/** TAP (tape, node:test's tap reporter), tap's runner (files passed and failed) and mocha's spec summary. */
export function countAssertions(runner, stdout) {
  if (runner === 'mocha') {
    const passing = /^\s*(\d+) passing/m.exec(stdout);
    const failing = /^\s*(\d+) failing/m.exec(stdout);
    const pending = /^\s*(\d+) pending/m.exec(stdout);
    return { pass: passing ? Number(passing[1]) : 0, fail: failing ? Number(failing[1]) : 0, skip: pending ? Number(pending[1]) : 0 };
  }
  if (runner === 'node-tap') {
    // tap's runner: one top-level `ok N - file` / `not ok N - file` per test file.
    const count = (re) => (stdout.match(re) ?? []).length;
    return { pass: count(/^ok \d+ - /gm), fail: count(/^not ok \d+ - /gm), skip: 0 };
  }
  // tape prints `# pass N` / `# fail N` per process; node:test `# pass N` / `# fail N` / `# skipped N`.
  // A suite made of several processes (several commands) sums them.
  const sum = (re) => [...stdout.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  return { pass: sum(/^# pass\s+(\d+)$/gm), fail: sum(/^# fail\s+(\d+)$/gm), skip: sum(/^# (?:skip|skipped|todo)\s+(\d+)$/gm) };
}

const NOTE = /^memtrace: /;

/**
 * @param {string} text
 * @param {string[]} tempPaths directories made for this run, replaced by a placeholder
 */
export function normalise(text, tempPaths, extra = []) {
  let out = text;
  for (const [pattern, replacement] of extra) out = out.replace(pattern, replacement);
  for (const dir of tempPaths) out = out.split(dir).join('<tmp>');
  return out
    .split('\n')
    .filter((line) => !NOTE.test(line))
    .map((line) =>
      line
        .replace(/(#\s*duration_ms|duration_ms:)\s*[\d.]+/g, '$1 <ms>')
        .replace(/ ?\(\d+(?:\.\d+)?\s*(?:ms|s|m)\)/g, '')
        .replace(/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} \d\d \d{4} \d\d:\d\d:\d\d GMT[+-]\d{4}(?: \([^)]*\))?/g, '<date>')
        .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<date>')
        .replace(/# time=[\d.]+m?s/g, '# time=<ms>')
        .replace(/\b(pid|PID)[ =:]+\d+/g, '$1 <pid>')
        .replace(/\((node|bun):\d+\)/g, '($1:<pid>)'),
    )
    .join('\n');
}

export function memtraceNotes(stderr) {
  return stderr.split('\n').filter((line) => NOTE.test(line));
}

/**
 * Differences between an untraced run and a traced one, each a short line, with a few lines of the
 * output diff where the outputs differ.
 */
export function differences(plain, traced) {
  const found = [];
  if (plain.timedOut !== traced.timedOut)
    found.push({ kind: 'timeout', text: `timed out ${traced.timedOut ? 'traced' : 'untraced'} only` });
  if (plain.code !== traced.code || plain.signal !== traced.signal) {
    found.push({ kind: 'exit', text: `exit ${plain.signal ?? plain.code} -> ${traced.signal ?? traced.code}` });
  }
  for (const key of ['pass', 'fail', 'skip']) {
    if (plain.counts[key] !== traced.counts[key])
      found.push({ kind: 'counts', text: `${key} ${plain.counts[key]} -> ${traced.counts[key]}` });
  }
  for (const stream of ['stdout', 'stderr']) {
    const diff = firstDifference(plain[stream], traced[stream]);
    if (diff) found.push({ kind: stream, text: `${stream} differs at line ${diff.line}`, diff: diff.lines });
  }
  return found;
}

/** The first differing line and a few around it, as `-`/`+` lines (enough to see what changed). */
function firstDifference(a, b) {
  if (a === b) return undefined;
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  const clip = (s) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);
  const lines = [...x.slice(i, i + 4).map((l) => `- ${clip(l)}`), ...y.slice(i, i + 6).map((l) => `+ ${clip(l)}`)];
  return { line: i + 1, lines };
}
