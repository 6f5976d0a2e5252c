/**
 * The corpus table: one row per package, with each Node's plain result, the traced verdicts and
 * times. Text for the terminal (through the report's table renderer), markdown for docs/reliability.md
 * (written between its corpus-table:NAME markers by `--write-docs NAME`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderTable } from '../../dist/src/shared/text-table.js';

function cells(result) {
  if (!result) return ['', '', ''];
  const { runs, verdicts, suite, node } = result;
  const p = runs.plain;
  const plain = p.timedOut ? 'timeout' : `${p.code === 0 ? 'ok' : `exit ${p.code ?? p.signal}`} ${p.counts.pass}/${p.counts.fail}`;
  const verdict = (mode) => {
    const v = verdicts[mode];
    if (!v) return '-';
    if (v.status === 'same' || v.status === 'fixed') return 'same';
    const kinds = [...new Set(v.found.map((f) => f.kind))].join(',');
    if (v.status !== 'known') return `${v.status} (${kinds})`;
    const ids = (suite.known ?? [])
      .filter((e) => (!e.nodes || e.nodes.includes(node)) && (!e.modes || e.modes.includes(mode)))
      .map((e) => e.id);
    return `known ${ids.join('+')} (${kinds})`;
  };
  const notes = Math.max(runs.cold?.notes.length ?? 0, runs.warm?.notes.length ?? 0);
  const cold = verdict('cold');
  const warm = verdict('warm');
  const traced = `${cold === warm ? `cold+warm ${cold}` : `cold ${cold}; warm ${warm}`}${notes ? `; ${notes} notes` : ''}`;
  const time = `${p.seconds.toFixed(1)}/${runs.cold ? runs.cold.seconds.toFixed(1) : '-'}/${runs.warm ? runs.warm.seconds.toFixed(1) : '-'}`;
  return [plain, traced, time];
}

export function corpusTable(results, nodes, format) {
  const names = [...new Set(results.map((r) => r.suite.name))];
  const header = ['package', 'version', 'runner'];
  for (const n of nodes) header.push(`Node ${n} plain (pass/fail)`, `Node ${n} traced`, `Node ${n} s plain/cold/warm`);
  const rows = names.map((name) => {
    const suite = results.find((r) => r.suite.name === name).suite;
    const runner = { $mocha: 'mocha', '--test': 'node:test', $tap: 'tap' }[suite.runs[0][0]] ?? 'tape';
    return [name, suite.version, runner, ...nodes.flatMap((n) => cells(results.find((r) => r.suite.name === name && r.node === n)))];
  });
  if (format === 'markdown') {
    const esc = (s) => s.replace(/\|/g, '\\|');
    return (
      [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join(
        '\n',
      ) + '\n'
    );
  }
  return renderTable(
    header,
    rows,
    header.map(() => false),
  );
}

export function writeDocsTable(file, name, table) {
  const START = `<!-- corpus-table:${name}:start -->`;
  const END = `<!-- corpus-table:${name}:end -->`;
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${START} ... ${END} markers`);
  writeFileSync(file, `${text.slice(0, start + START.length)}\n${table}${text.slice(end)}`);
}
