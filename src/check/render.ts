/**
 * What `memtrace check` prints: a text verdict, GitHub Actions annotations with a Markdown summary, and
 * JUnit XML for CI systems that collect test reports.
 */
import { formatBytes } from '../shared/units.js';
import { renderTable } from '../shared/text-table.js';
import type { BaselineFunction } from '../formats/baseline.js';
import { type CheckResult, type FunctionChange, METRIC_FIELD } from './compare.js';

const where = (f: BaselineFunction) => `${f.file}:${f.line}`;
const percent = (change: number, before: number) =>
  before > 0 ? `${change >= 0 ? '+' : ''}${((100 * change) / before).toFixed(0)} %` : 'new';

function allowance(result: CheckResult): string {
  const { tolerance, minBytes, metric } = result.options;
  return `${metric}, tolerance ${(tolerance * 100).toFixed(0)} %, at least ${formatBytes(minBytes)}`;
}

function figures(result: CheckResult, { before, after, change }: FunctionChange): [string, string, string, string] {
  const field = METRIC_FIELD[result.options.metric];
  return [formatBytes(before[field]), formatBytes(after[field]), formatBytes(change, true), percent(change, before[field])];
}

export function verdictLine(result: CheckResult): string {
  const { regressions, compared, added, removed } = result;
  const extra = `${added.length} new, ${removed.length} gone`;
  if (regressions.length === 0) return `memtrace check: ${compared.length} functions within the baseline (${allowance(result)}); ${extra}`;
  return `memtrace check: ${regressions.length} of ${compared.length} functions over the baseline (${allowance(result)}); ${extra}`;
}

export function renderText(result: CheckResult): string {
  const lines = [verdictLine(result)];
  if (result.regressions.length > 0) {
    const rows = result.regressions.map((change) => [change.after.function, where(change.after), ...figures(result, change)]);
    lines.push(renderTable(['function', 'where', 'baseline', 'now', 'change', ''], rows, [false, false, true, true, true, true]).trimEnd());
  }
  if (result.added.length > 0)
    lines.push(
      `new since the baseline: ${result.added
        .slice(0, 5)
        .map((f) => `${f.function} (${where(f)})`)
        .join(', ')}${result.added.length > 5 ? ', …' : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

/** GitHub's workflow-command escaping for properties and messages. */
const escapeProperty = (text: string) =>
  text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
const escapeMessage = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeMarkdown = (text: string) => text.replace(/[\\`*_{}[\]<>()#+\-.!|]/g, '\\$&');

export function renderGithubAnnotations(result: CheckResult): string {
  return result.regressions
    .map((change) => {
      const [before, after, delta, pct] = figures(result, change);
      const message = `${change.after.function} allocates more than its baseline: ${before} -> ${after} (${delta}, ${pct})`;
      return `::error file=${escapeProperty(change.after.file)},line=${change.after.line},title=${escapeProperty('memtrace check')}::${escapeMessage(message)}\n`;
    })
    .join('');
}

export function renderMarkdownSummary(result: CheckResult): string {
  const lines = [`### memtrace check`, '', escapeMarkdown(verdictLine(result).replace(/^memtrace check: /, ''))];
  if (result.regressions.length > 0) {
    lines.push('', '| function | where | baseline | now | change |', '| --- | --- | ---: | ---: | ---: |');
    for (const change of result.regressions) {
      const [before, after, delta, pct] = figures(result, change);
      lines.push(
        `| ${escapeMarkdown(change.after.function)} | ${escapeMarkdown(where(change.after))} | ${before} | ${after} | ${delta} (${pct}) |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const escapeXml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // XML 1.0 has no place for most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');

/** One test case per compared function, failed where it regressed. */
export function renderJunit(result: CheckResult): string {
  const failed = new Set(result.regressions);
  const cases = result.compared.map((change) => {
    const name = `${escapeXml(change.after.function)}`;
    const head = `    <testcase classname="${escapeXml(change.after.file)}" name="${name}">`;
    if (!failed.has(change)) return `${head}</testcase>`;
    const [before, after, delta, pct] = figures(result, change);
    const message = `${change.after.function} at ${where(change.after)}: ${before} -> ${after} (${delta}, ${pct})`;
    return `${head}\n      <failure message="${escapeXml(message)}" type="memory">${escapeXml(verdictLine(result))}</failure>\n    </testcase>`;
  });
  const counts = `tests="${result.compared.length}" failures="${result.regressions.length}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="memtrace check" ${counts}>\n  <testsuite name="memtrace check" ${counts}>\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
