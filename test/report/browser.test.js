// The HTML report as a person sees it: memtrace run on a fixture, memtrace report --html, the page
// opened in headless Chromium (Debian's chromium package), used with the mouse and the keyboard.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findTraces, readTrace } from '../../dist/src/index.js';
import { cliPath, freshDir } from '../helpers/run-traced.js';
import { allocators, browserTest as browserTestOf, CACHE_BYTES, heapProfileOf, INDEX_BYTES, openInChromium } from './helpers.js';

const browserTest = browserTestOf(test);

const SCREENSHOTS = process.env.MEMTRACE_SCREENSHOTS ?? freshDir('memtrace-screenshots-');

function memtrace(...args) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`memtrace ${args.join(' ')}: exit ${run.status}: ${run.stderr}`);
  return run;
}

browserTest('memtrace run, then report --html: a page with the functions, the memory charts and a working flame graph', async (t) => {
  const out = freshDir();
  memtrace('run', '--out', out, '--', allocators);
  const [directory] = findTraces(out);
  // Until memtrace run --alloc writes its profile into the directory, node --heap-prof makes one.
  const profile = heapProfileOf(allocators);
  copyFileSync(profile, join(directory, basename(profile)));
  const report = memtrace('report', directory, '--html');
  const file = join(directory, 'report.html');
  t.is(report.stdout.split(' (')[0], `memtrace: wrote ${file}`);

  const opened = await openInChromium(t, file);
  if (!opened) return;
  const { page, problems, requests } = opened;
  t.deepEqual(problems, []);
  t.deepEqual(requests, [`file://${file}`], 'the page loads nothing but itself');

  // The functions table: every function of functions.csv, biggest first; sorting and filtering work.
  const functionNames = () => page.$$eval('#functions-table tbody td.fn', (cells) => cells.map((c) => c.textContent));
  const byTotal = [...readTrace(directory).functions].sort((a, b) => b.totalAllocBytes - a.totalAllocBytes);
  t.deepEqual(
    await functionNames(),
    byTotal.map((f) => f.function),
  );
  t.deepEqual([...(await functionNames())].sort(), ['buildCache', 'buildIndex', 'kibibyte', 'main']);
  await page.click('#functions-table th:has-text("calls")');
  t.is((await functionNames())[0], 'kibibyte');
  await page.fill('#functions-table input', 'index');
  t.deepEqual(await functionNames(), ['buildIndex']);
  await page.fill('#functions-table input', '');

  // Memory charts with byte units on their axes.
  t.true((await page.$$('#memory svg path')).length >= 2);
  t.regex(await page.textContent('#memory svg'), /MiB/);

  // The flame graph shows the known allocator, as wide as its bytes.
  const flame = '#allocations-flame';
  const graph = (method, ...args) => page.evaluate(([m, a]) => window.memtraceFlameGraphs['allocations-flame'][m](...a), [method, args]);
  // Where a frame is drawn, once it is: a resize (a full-page screenshot makes one) redraws the canvas
  // from a ResizeObserver callback, and on a loaded machine the test can ask in between (a clean-clone
  // CI run got null here once). Waits up to Playwright's default 30 s, then fails on the null.
  const locate = async (functionName) => {
    await page.waitForFunction((f) => window.memtraceFlameGraphs['allocations-flame'].locate(f) !== null, functionName).catch(() => {});
    return graph('locate', functionName);
  };
  const root = Number(await page.getAttribute(flame, 'data-zoom-bytes'));
  await page.locator(`${flame} canvas`).scrollIntoViewIfNeeded();
  const cache = await locate('buildCache');
  t.truthy(cache, 'buildCache is drawn');
  const canvasWidth = await page.$eval(`${flame} canvas`, (c) => c.clientWidth);
  t.true(
    Math.abs(cache.width / canvasWidth - CACHE_BYTES / root) < 0.1,
    `buildCache spans ${((100 * cache.width) / canvasWidth).toFixed(1)}% of the width`,
  );
  await page.mouse.move(cache.x, cache.y);
  t.regex(await page.textContent(`${flame} .tooltip`), /buildCache.*allocators\.mjs:13/s);

  // Search highlights the allocator and reports its share.
  await page.fill(`${flame} input[type=search]`, 'kibibyte');
  t.is(await page.getAttribute(flame, 'data-matches'), '2');
  const matched = Number(await page.getAttribute(flame, 'data-matched-bytes'));
  t.true(Math.abs(matched - (CACHE_BYTES + INDEX_BYTES)) < 0.15 * (CACHE_BYTES + INDEX_BYTES));
  t.regex(await page.textContent(`${flame} .status`), /2 frames match: .*MiB, \d+\.\d% of all/);
  const highlighted = await page.$eval(
    `${flame} canvas`,
    (canvas, at) => {
      const box = canvas.getBoundingClientRect();
      const ratio = canvas.width / canvas.clientWidth;
      const [r, g, b] = canvas.getContext('2d').getImageData((at.x - box.left) * ratio, (at.y - box.top + 20) * ratio + 6, 1, 1).data;
      return `rgb(${r},${g},${b})`;
    },
    cache,
  );
  t.is(highlighted, 'rgb(208,31,183)', 'kibibyte, under buildCache, is painted in the match colour');
  await page.screenshot({ path: join(SCREENSHOTS, 'report-search.png'), fullPage: true });

  // A click zooms into buildCache; the breadcrumbs lead back. Located again: the full-page screenshot
  // and the search status can move the canvas, and a click at the old place can land on the root.
  await page.locator(`${flame} canvas`).scrollIntoViewIfNeeded();
  const target = await locate('buildCache');
  t.truthy(target, 'buildCache is drawn before the click');
  if (!target) return;
  await page.mouse.click(target.x, target.y);
  t.is(await page.getAttribute(flame, 'data-zoom'), 'buildCache');
  t.true(Math.abs(Number(await page.getAttribute(flame, 'data-zoom-bytes')) - CACHE_BYTES) < 0.15 * CACHE_BYTES);
  const zoomed = await locate('kibibyte');
  t.true(zoomed.width > 0.9 * canvasWidth, 'kibibyte fills the zoomed view');
  t.regex(await page.textContent(`${flame} .status`), /of this zoom/);
  await page.screenshot({ path: join(SCREENSHOTS, 'report-zoomed.png'), fullPage: true });
  await page.click(`${flame} .crumbs button.reset`);
  t.is(await page.getAttribute(flame, 'data-zoom'), '(root)');
  await page.mouse.click(cache.x, cache.y);
  await page.keyboard.press('Escape');
  t.is(await page.getAttribute(flame, 'data-zoom'), '(root)');

  // The top-lines table puts the allocating function first.
  t.is(await page.textContent('#allocations-lines tbody tr:first-child td.fn'), 'kibibyte');
  const shot = join(SCREENSHOTS, 'report.png');
  await page.fill(`${flame} input[type=search]`, '');
  await page.screenshot({ path: shot, fullPage: true });
  t.true(statSync(shot).size > 20_000);
  t.log(`screenshots in ${SCREENSHOTS}`);
});

browserTest('a function name with </script> in it stays text', async (t) => {
  const dir = freshDir();
  const hostile = '</script><script>window.pwned = 1</script><!--';
  const profile = {
    head: {
      callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
      selfSize: 0,
      id: 1,
      children: [
        {
          callFrame: { functionName: hostile, scriptId: '1', url: 'file:///a/"quoted"&.js', lineNumber: 0, columnNumber: 0 },
          selfSize: 4096,
          id: 2,
          children: [],
        },
      ],
    },
    samples: [{ size: 4096, nodeId: 2, ordinal: 1 }],
  };
  const path = join(dir, 'hostile.heapprofile');
  writeFileSync(path, JSON.stringify(profile));
  memtrace('report', path, '--html');
  const html = readFileSync(`${path}.html`, 'utf8');
  t.false(html.includes('window.pwned = 1</script>'));
  const opened = await openInChromium(t, `${path}.html`);
  if (!opened) return;
  const { page, problems } = opened;
  t.deepEqual(problems, []);
  t.is(await page.evaluate(() => window.pwned), undefined);
  t.is(await page.textContent('#allocations-lines tbody td.fn'), hostile);
  t.is(await page.textContent('#allocations-lines tbody td.where'), '/a/"quoted"&.js:1');
});
