// memtrace plot on a real in-process log, and the process CSV format read back.
import test from 'ava';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readProcessCsv, ProcessCsvWriter } from '../../dist/src/index.js';
import { cli, fixture, freshDir, runLogged } from './helpers.js';

/** Well-formed XML as far as an SVG needs: every tag closed in order, attributes quoted. */
function checkWellFormed(t, xml) {
  const stack = [];
  for (const match of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<([^>]*)>/g)) {
    if (match[5] !== undefined) t.fail(`not a tag: <${match[5]}>`);
    if (!match[2]) continue;
    if (match[1]) t.is(stack.pop(), match[2]);
    else if (!match[4]) stack.push(match[2]);
  }
  t.deepEqual(stack, []);
  t.false(/&(?!(lt|gt|amp|quot|apos);)/.test(xml), 'every & is an entity');
}

test('memtrace plot draws a log as SVG + HTML with its labels, one line per series and a tick per GC; --gnuplot adds .dat + .plt', (t) => {
  const dir = freshDir();
  const csv = join(dir, 'run.csv');
  const run = runLogged(fixture('grow.mjs'), { out: csv, interval: 0.02, env: { STEPS: '3', STEP_MB: '8', PAUSE_MS: '100' } });
  t.is(run.status, 0, run.stderr);
  const plotted = cli(['plot', csv, '--gnuplot']);
  t.is(plotted.status, 0, plotted.stderr);
  const stem = join(dir, 'run');
  t.deepEqual(
    plotted.stdout.trim().split('\n'),
    ['svg', 'html', 'dat', 'plt'].map((ext) => `${stem}.${ext}`),
  );
  const svg = readFileSync(`${stem}.svg`, 'utf8');
  checkWellFormed(t, svg);
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  const log = readProcessCsv(csv);
  for (const step of ['step 1', 'step 2', 'step 3']) t.true(svg.includes(`: ${step}</text>`), step);
  t.is((svg.match(/class="label"/g) ?? []).length, 3);
  t.is((svg.match(/class="gc"/g) ?? []).length, log.rows.filter((row) => row.gcKind).length);
  t.is((svg.match(/class="series"/g) ?? []).length, 3, 'rss, heap total and heap used');
  t.regex(svg, />memory \(MiB\)</);
  t.regex(svg, />time \(s\)</);
  const html = readFileSync(`${stem}.html`, 'utf8');
  t.true(html.includes(svg.trim()));
  const dat = readFileSync(`${stem}.dat`, 'utf8');
  t.is(dat.split('\n\n\n').length, 3);
  const plt = readFileSync(`${stem}.plt`, 'utf8');
  t.regex(plt, /set output "run\.png"/);
  t.is((plt.match(/index \d/g) ?? []).length, 3);
  t.true(plt.includes('"step 2" at'));
});

test('memtrace plot of a missing or foreign file gives one line and exit code 1', (t) => {
  const dir = freshDir();
  const missing = cli(['plot', join(dir, 'none.csv')]);
  t.is(missing.status, 1);
  t.is(missing.stderr, `memtrace: ${join(dir, 'none.csv')}: cannot read it (ENOENT)\n`);
  const other = join(dir, 'other.csv');
  writeFileSync(other, 'a,b\n1,2\n');
  const foreign = cli(['plot', other]);
  t.is(foreign.status, 1);
  t.regex(foreign.stderr, /^memtrace: .*other\.csv: the header is not time_s,pid,ppid,command,\.\.\. \(found "a,b"\)\n$/);
  t.false(existsSync(join(dir, 'other.svg')));
  t.is(cli(['plot']).status, 2);
});

test('the process CSV keeps commands and labels with commas, quotes and newlines', (t) => {
  const path = join(freshDir(), 'quoted.csv');
  const writer = new ProcessCsvWriter(path, false);
  const row = {
    timeS: 1.5,
    pid: 10,
    ppid: 1,
    command: 'sh -c "a, b"',
    rss: 4096,
    uss: null,
    pss: null,
    pageFaults: 3,
    cpuUserS: 0.01,
    cpuSysS: 0,
    threads: 1,
    fds: 4,
    label: 'line one\nline "two", three',
    heapUsed: null,
    heapTotal: null,
    external: null,
    arrayBuffers: null,
    gcKind: '',
    gcDurationS: null,
    gcBefore: null,
    gcAfter: null,
  };
  writer.write([row]);
  writer.close();
  t.deepEqual(readProcessCsv(path), { inside: false, rows: [row] });
});

test('memtrace plot: markup in a command, a label or a GC kind of the CSV stays text in the SVG and the HTML page', (t) => {
  const dir = freshDir();
  const path = join(dir, 'hostile.csv');
  const writer = new ProcessCsvWriter(path, true);
  const markup = '</title><img src=x onerror=alert(1)>"\'`${alert(2)}`';
  const base = {
    pid: 10,
    ppid: 1,
    command: `node ${markup}`,
    rss: 4096,
    uss: null,
    pss: null,
    pageFaults: 3,
    cpuUserS: 0.01,
    cpuSysS: 0,
    threads: 1,
    fds: 4,
    label: '',
    heapUsed: 1024,
    heapTotal: 2048,
    external: 0,
    arrayBuffers: 0,
    gcKind: '',
    gcDurationS: null,
    gcBefore: null,
    gcAfter: null,
  };
  // A GC row whose kind is not one memtrace writes: what a hand-edited or foreign file can hold.
  const gcKind = '</title><img src=x onerror=alert(1)>';
  writer.write([
    { ...base, timeS: 0.1 },
    { ...base, timeS: 0.2, label: markup },
    { ...base, timeS: 0.25, gcKind, gcDurationS: 0.001 },
    { ...base, timeS: 0.3 },
  ]);
  writer.close();
  const plotted = cli(['plot', path]);
  t.regex(readFileSync(path, 'utf8'), /alert\(1\)>,0\.001/, 'the GC row is in the file');
  if (plotted.status !== 0) {
    // A reader that refuses the unknown GC kind is as good: one line naming the file.
    t.is(plotted.status, 1, plotted.stderr);
    t.is(plotted.stderr.trim().split('\n').length, 1, plotted.stderr);
    return;
  }
  for (const file of [join(dir, 'hostile.svg'), join(dir, 'hostile.html')]) {
    const text = readFileSync(file, 'utf8');
    t.false(/<img|<\/title><img/.test(text), `${file} has the markup as markup`);
    t.true(text.includes('&lt;img src=x onerror=alert(1)&gt;'), `${file} has it as text`);
  }
});

test('a long process log is plotted from time buckets: a single spike survives, the points stay bounded, a cut row is one line', async (t) => {
  const { ProcessLogDigest, PLOT_BUCKETS } = await import('../../dist/src/report/plot-model.js');
  const dir = freshDir();
  const csv = join(dir, 'long.csv');
  // 200 000 samples of one process (33 minutes at 10 ms), RSS 100-101 MB, one sample at 900 MB.
  const lines = ['time_s,pid,ppid,command,rss,uss,pss,page_faults,cpu_user_s,cpu_sys_s,threads,fds,label'];
  const SPIKE = 123_457;
  for (let i = 0; i < 200_000; i++) {
    const rss = i === SPIKE ? 900e6 : 100e6 + (i % 1000) * 1000;
    lines.push(`${(i * 0.01).toFixed(2)},42,1,node app.js,${rss},,,,,,,,${i === 150_000 ? 'halfway' : ''}`);
  }
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const plotted = cli(['plot', csv]);
  t.is(plotted.status, 0, plotted.stderr);
  const html = readFileSync(join(dir, 'long.html'), 'utf8');
  t.regex(html, /200,000 rows of the log, drawn as the lowest and highest reading of each of up to 2000 time buckets/);
  t.regex(html, /<td>858 MiB<\/td>/, 'the peak in the table is the spike');

  // The model itself, from the same rows: the spike is a point, every series stays under 2 points a bucket.
  const { readProcessBatches } = await import('../../dist/src/formats/process-csv.js');
  const { inside, batches } = readProcessBatches(csv, { chunkBytes: 4096 });
  const digest = new ProcessLogDigest(inside);
  for await (const batch of batches) for (const row of batch) digest.add(row);
  const model = digest.model('long');
  t.is(model.series.length, 1);
  const { points } = model.series[0];
  t.true(points.length <= 2 * PLOT_BUCKETS, `${points.length} points`);
  t.true(
    points.some((p) => p.bytes === 900e6 && Math.abs(p.timeS - SPIKE * 0.01) < 1e-6),
    'the spike survives bucketing',
  );
  t.true(
    points.some((p) => p.bytes === 100e6),
    'the lowest reading survives too',
  );
  t.deepEqual(model.labels, [{ timeS: 1500, text: 'halfway' }]);
  t.is(model.maxBytes, 900e6);

  // A log cut mid-row: the plot is drawn from the whole rows, one line names the file, exit 1.
  const cut = join(dir, 'cut.csv');
  writeFileSync(cut, `${lines.slice(0, 1000).join('\n')}\n${lines[1000].slice(0, 10)}`);
  const cutPlot = cli(['plot', cut]);
  t.is(cutPlot.status, 1);
  t.is(cutPlot.stderr.trim().split('\n').length, 1, cutPlot.stderr);
  t.true(cutPlot.stderr.includes(cut), cutPlot.stderr);
  t.true(existsSync(join(dir, 'cut.svg')));
});

test('memtrace plot: a time that is not a finite number is one line naming the file and its line', (t) => {
  const dir = freshDir();
  const csv = join(dir, 'infinite.csv');
  // Found by the reader fuzzer: "Infinity" parsed as a number, and the plot's buckets doubled until
  // their width was infinite too.
  writeFileSync(
    csv,
    'time_s,pid,ppid,command,rss,uss,pss,page_faults,cpu_user_s,cpu_sys_s,threads,fds,label\n0.1,1,0,node,100,,,,,,,,\nInfinity,1,0,node,100,,,,,,,,\n',
  );
  const plotted = cli(['plot', csv]);
  t.is(plotted.status, 1);
  t.is(plotted.stderr.trim(), `memtrace: ${csv}: line 3: time_s is "Infinity", not a finite number`);
});
