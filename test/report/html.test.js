import test from 'ava';
import { execFileSync } from 'node:child_process';
import { downsample, niceStep, renderLineChart } from '../../dist/src/report/html/svg-chart.js';
import { colourGroup, groupColour } from '../../dist/src/report/flamegraph-html.js';
import { renderFlameGraphPage } from '../../dist/src/index.js';

const MiB = 1024 * 1024;

test('a long series keeps its peaks and troughs when reduced for the chart', (t) => {
  const times = Array.from({ length: 100_000 }, (_, i) => i * 1000);
  const values = times.map((_, i) => 10 * MiB + (i % 1000) * 100);
  values[31_337] = 99 * MiB;
  values[77_777] = 1 * MiB;
  const points = downsample(times, values, 0, times.at(-1), 400);
  t.true(points.length <= 800);
  t.is(Math.max(...points.map((p) => p[1])), 99 * MiB);
  t.is(Math.min(...points.map((p) => p[1])), 1 * MiB);
  t.deepEqual(
    points.map((p) => p[0]),
    [...points.map((p) => p[0])].sort((a, b) => a - b),
    'in time order',
  );
});

test('axis steps are round numbers of the unit that prints', (t) => {
  t.is(niceStep(30 * MiB, 4, 1024), 10 * MiB);
  t.is(niceStep(3 * 1024 * MiB, 4, 1024), 1024 * MiB);
  t.is(niceStep(170e6, 6), 50e6);
  t.is(niceStep(0, 4), 1);
});

test('a chart labels its axes with units and draws one line per series with readings', (t) => {
  const svg = renderLineChart({
    title: 'Heap used',
    series: [
      { label: 'heap', colour: '#000', times: [0, 1e9, 2e9], values: [5 * MiB, 20 * MiB, 12 * MiB] },
      { label: 'rss', colour: '#111', times: [0, 1e9, 2e9], values: [Number.NaN, Number.NaN, Number.NaN] },
    ],
  });
  t.is(svg.match(/<path /g).length, 1);
  t.regex(svg, />20 MiB</);
  t.regex(svg, />1 s</);
  t.regex(svg, /heap: peak 20.0 MiB/);
});

test('frames are coloured by package, by Node, or by file', (t) => {
  t.is(colourGroup('/app/node_modules/@babel/parser/lib/index.js'), '@babel/parser');
  t.is(colourGroup('/app/node_modules/a/node_modules/marked/lib/marked.js'), 'marked');
  t.is(colourGroup('node:internal/modules/run_main'), 'node: (Node.js internals)');
  t.is(colourGroup(''), '(V8 and native)');
  t.is(colourGroup('/app/src/cache.js'), '/app/src/cache.js');
  t.is(groupColour('/app/src/cache.js'), groupColour('/app/src/cache.js'));
  // Stable across runs: another process gives the same colour (it is derived from the name only).
  const elsewhere = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { groupColour } from ${JSON.stringify(new URL('../../dist/src/report/flamegraph-html.js', import.meta.url).href)}; process.stdout.write(groupColour('/app/src/cache.js'))`,
    ],
    { encoding: 'utf8' },
  );
  t.is(elsewhere, groupColour('/app/src/cache.js'));
  t.not(groupColour('/app/src/cache.js'), groupColour('/app/src/index.js'));
});

test('the page is self-contained: no external scripts, styles or links', (t) => {
  const root = {
    name: '(root)',
    file: '',
    line: 0,
    column: 0,
    selfBytes: 0,
    totalBytes: 10,
    children: [{ name: 'f', file: 'https://example.com/x.js', line: 1, column: 1, selfBytes: 10, totalBytes: 10, children: [] }],
  };
  const html = renderFlameGraphPage(root, 'test');
  t.notRegex(html, /<(script|link|img)[^>]+(src|href)=/i);
  t.regex(html, /default-src 'none'/);
});
