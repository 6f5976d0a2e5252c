/**
 * How the HTML flame graph copes with big trees: `node bench/flamegraph.js [--quick]`. Builds synthetic
 * allocation trees (random fan-out, heavy-tailed sizes, seeded) of 1 000 and 50 000 nodes (--quick:
 * 1 000 and 10 000), renders each page, opens it in headless Chromium (/usr/bin/chromium) and measures,
 * in the same run: page size, rendering the page in node, load to first draw, a full redraw (median of
 * 20), a search over every node, and a zoom. The 1 000-node tree is the baseline: a draw visits only
 * frames wide enough to see, so redraw time should grow far less than the node count.
 * Writes bench/results/flamegraph.csv (bench/results/quick/ with --quick).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { chromium } from 'playwright-core';
import { renderFlameGraphPage } from '../dist/src/index.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [1000, 10000] : [1000, 50000];
const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, 'results', ...(quick ? ['quick'] : []));

function syntheticTree(nodes) {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let count = 0;
  const make = (depth) => {
    count++;
    const node = {
      name: `fn${count}`,
      file: depth % 3 ? `/app/src/mod${count % 40}.js` : `/app/node_modules/pkg${count % 9}/index.js`,
      line: count % 500,
      column: 1,
      selfBytes: Math.floor(random() ** 4 * 1e6),
      totalBytes: 0,
      children: [],
    };
    const fanOut = depth > 14 ? 0 : Math.floor(random() * (depth < 3 ? 12 : 4));
    for (let i = 0; i < fanOut && count < nodes; i++) node.children.push(make(depth + 1));
    return node;
  };
  const root = make(0);
  while (count < nodes) root.children.push(make(1));
  const sum = (n) => (n.totalBytes = n.selfBytes + n.children.reduce((a, c) => a + sum(c), 0));
  sum(root);
  const sort = (n) => {
    n.children.sort((a, b) => b.totalBytes - a.totalBytes);
    n.children.forEach(sort);
  };
  sort(root);
  root.name = '(root)';
  return root;
}

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'memtrace-bench-chromium-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const rows = [];
for (const nodes of sizes) {
  const tree = syntheticTree(nodes);
  const started = performance.now();
  const html = renderFlameGraphPage(tree, `synthetic ${nodes} nodes`);
  const renderMs = performance.now() - started;
  const file = join(mkdtempSync(join(tmpdir(), 'memtrace-bench-flame-')), 'flame.html');
  writeFileSync(file, html);
  const page = await context.newPage();
  const loadStart = performance.now();
  await page.goto(`file://${file}`);
  const loadMs = performance.now() - loadStart;
  const inPage = await page.evaluate(() => {
    const graph = window.memtraceFlameGraphs['allocations-flame'];
    const element = document.getElementById('allocations-flame');
    const draws = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      graph.zoomTo('(root)');
      draws.push(performance.now() - t);
    }
    draws.sort((a, b) => a - b);
    const drawn = Number(element.dataset.drawn);
    let t = performance.now();
    graph.search('fn1');
    const searchMs = performance.now() - t;
    graph.search('');
    t = performance.now();
    graph.zoomTo('fn2');
    const zoomMs = performance.now() - t;
    return { drawMs: draws[10], drawn, searchMs, zoomMs };
  });
  await page.close();
  rows.push({
    nodes,
    pageMiB: (html.length / 2 ** 20).toFixed(2),
    renderMs: renderMs.toFixed(0),
    loadMs: loadMs.toFixed(0),
    drawn: inPage.drawn,
    drawMs: inPage.drawMs.toFixed(1),
    searchMs: inPage.searchMs.toFixed(1),
    zoomMs: inPage.zoomMs.toFixed(1),
  });
}
await context.close();
const base = rows[0];
for (const row of rows) row.drawRatio = (Number(row.drawMs) / Number(base.drawMs)).toFixed(2);
console.table(rows);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'flamegraph.csv'), stringify(rows, { header: true }));
console.log(`wrote ${join(resultsDir, 'flamegraph.csv')}`);
