/**
 * A traced run's differences from its plain run, judged against the manifest's `known` list:
 * 'same' (none), 'known' (every one listed), 'fixed' (none, but listed with `fixedBy`: gone with a
 * change made elsewhere), 'NEW' (one not listed) or 'STALE' (none, though listed without `fixedBy`).
 */

function matches(entry, node, mode) {
  return (!entry.nodes || entry.nodes.includes(node)) && (!entry.modes || entry.modes.includes(mode));
}

/** `output`: the traced run's stdout and stderr, where a known entry's `evidence` must be found. */
export function judge(suite, node, mode, found, output = '') {
  const listed = (suite.known ?? []).filter((entry) => matches(entry, node, mode));
  const known = found.length ? listed.filter((entry) => !entry.evidence || entry.evidence.test(output)) : listed;
  const label = `${suite.name} on Node ${node}, ${mode}`;
  if (found.length === 0) {
    const stale = known.filter((entry) => !entry.fixedBy);
    if (stale.length)
      return {
        status: 'STALE',
        found,
        report: stale.map((e) => `STALE ${label}: listed difference ${e.id} no longer happens: ${e.reason}`),
      };
    if (known.length)
      return {
        status: 'fixed',
        found,
        report: [`gone: ${label}: ${known.map((e) => e.id).join(', ')} (listed as fixed by ${known[0].fixedBy})`],
      };
    return { status: 'same', found, report: [] };
  }
  const unlisted = found.filter((f) => !known.some((entry) => !entry.kinds || entry.kinds.includes(f.kind)));
  if (unlisted.length === 0) return { status: 'known', found, report: [] };
  const report = [`NEW ${label}: ${found.map((f) => f.text).join('; ')}`];
  for (const f of unlisted) for (const line of f.diff ?? []) report.push(`  ${line}`);
  return { status: 'NEW', found, report };
}

/** Whether any traced run of a unit has a new difference (then the untraced run is repeated once). */
export function hasNew(verdicts) {
  return Object.values(verdicts).some((verdict) => verdict.status === 'NEW');
}

/**
 * The verdicts to keep: those against a second untraced run when they have no new difference (the
 * first untraced run's output varied by itself), else those against the first. A difference the
 * tracer makes shows against both and still counts.
 */
export function verdictsAfterSecondPlainRun(first, second) {
  return hasNew(first) && !hasNew(second) ? second : first;
}
