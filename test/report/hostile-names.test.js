// Every name on report.html comes from the traced program: a program whose function names, class
// names, labels and file path carry `</script>`, tags with event handlers, quotes, backticks, `${}`,
// U+2028/2029 and lone surrogates must give a page with none of them as markup. Parsed (parse5, the
// HTML standard's parser): no element or attribute the page did not put there, every data script is
// JSON that reads back to the names; opened in Chromium (where it is installed): no dialog, no script
// error, also after the page's own scripts render names on hover, click and search.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'parse5';
import { findTraces } from '../../dist/src/index.js';
import { cliPath, fixture, freshDir, root } from '../helpers/run-traced.js';
import { browserTest, openInChromium } from './helpers.js';
import { HOSTILE } from '../fixtures/report/hostile-strings.mjs';

/** A directory whose path has markup in it: `a<` then `script><img …>…`, so the path reads `…/a</script><img …>…/app.mjs`. */
const HOSTILE_DIRECTORY = ['a<', 'script><img src=x onerror=alert(\'path\')>"q" `${alert(3)}` \u2028'];
/**
 * A name as it arrives after UTF-8 (the CSV files; V8's inspector, which hands over the profile): a
 * lone surrogate becomes one U+FFFD (CSV) or three (V8), so runs of them count as one.
 */
const throughUtf8 = (text) =>
  Buffer.from(text, 'utf8')
    .toString('utf8')
    .replace(/\uFFFD+/g, '\uFFFD');

/** memtrace run --alloc --lines on the fixture copied under the hostile directory, then report --html. */
function hostileReport() {
  const base = freshDir('memtrace-hostile-');
  // The copy imports memtrace/trace: a node_modules beside it points at this package.
  mkdirSync(join(base, 'node_modules'));
  symlinkSync(root, join(base, 'node_modules', 'memtrace'), 'dir');
  const directory = join(base, ...HOSTILE_DIRECTORY);
  mkdirSync(directory, { recursive: true });
  const program = join(directory, 'app.mjs');
  copyFileSync(fixture('report', 'hostile-names.mjs'), program);
  copyFileSync(fixture('report', 'hostile-strings.mjs'), join(directory, 'hostile-strings.mjs'));
  const out = join(base, 'out');
  const run = spawnSync(
    process.execPath,
    [cliPath, 'run', '--alloc', '--lines', '--alloc-interval', '16384', '--out', out, '--', program],
    {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, MEMTRACE_CACHE_DIR: join(base, '.cache') },
    },
  );
  if (run.status !== 0) throw new Error(`memtrace run: exit ${run.status}: ${run.stderr}`);
  const [trace] = findTraces(out);
  const report = spawnSync(process.execPath, [cliPath, 'report', trace, '--html'], { encoding: 'utf8', timeout: 120_000 });
  if (report.status !== 0) throw new Error(`memtrace report --html: exit ${report.status}: ${report.stderr}`);
  return { program, file: join(trace, 'report.html') };
}

const { program, file } = hostileReport();

/** Every node of a parse5 tree, depth first (template contents included). */
function* walk(node) {
  yield node;
  for (const child of node.childNodes ?? []) yield* walk(child);
  if (node.content) yield* walk(node.content);
}
const textOf = (node) =>
  (node.childNodes ?? [])
    .filter((c) => c.nodeName === '#text')
    .map((c) => c.value)
    .join('');
/** Every string inside a JSON value. */
function* stringsIn(value) {
  if (typeof value === 'string') yield value;
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* stringsIn(item);
}
const isDataScript = (n) => n.tagName === 'script' && n.attrs.some((a) => a.name === 'type' && a.value === 'application/json');
/** Every string in the page's data scripts (each must be whole JSON), as they are and as throughUtf8 gives them. */
function dataStrings(nodes) {
  const strings = new Map();
  for (const script of nodes.filter(isDataScript)) {
    for (const text of stringsIn(JSON.parse(textOf(script)))) strings.set(throughUtf8(text), text);
  }
  return strings;
}

test('report.html parsed: no element, attribute, comment or script from a name; the data scripts are JSON holding the names', (t) => {
  const html = readFileSync(file, 'utf8');
  const nodes = [...walk(parse(html))];
  const elements = nodes.filter((n) => n.tagName);
  t.deepEqual(
    elements.filter((n) => ['img', 'iframe', 'object', 'embed', 'base', 'link'].includes(n.tagName)).map((n) => n.tagName),
    [],
  );
  t.deepEqual(
    elements.flatMap((n) => n.attrs.filter((a) => /^on/i.test(a.name)).map((a) => `${n.tagName} ${a.name}`)),
    [],
  );
  t.deepEqual(
    nodes.filter((n) => n.nodeName === '#comment').map((n) => n.data),
    [],
  );

  const code = elements.filter((n) => n.tagName === 'script' && !isDataScript(n));
  // The page's own scripts are memtrace's; no name got into one (they never mention alert).
  t.true(code.length >= 1);
  for (const script of code) t.false(textOf(script).includes('alert'), textOf(script).slice(0, 200));
  // Each data script is whole JSON (a `</script>` in a name would have cut it short) and holds the names.
  const strings = dataStrings(nodes);
  const names = [...strings.keys()].join('\n');
  for (const name of HOSTILE) {
    // functions.csv names (`hostile.<key>`/`Hostile.<key>`) and V8's names in the flame graph (the key itself).
    t.true(names.includes(`.${throughUtf8(name)}`), `the functions table holds ${JSON.stringify(name)}`);
    t.true(strings.has(throughUtf8(name)), `the flame graph holds V8's name ${JSON.stringify(name)}`);
  }
  t.true(names.includes(throughUtf8(program)), 'the data holds the file path');

  // Labels show as chart markers: their text, as text.
  const svgTexts = elements.filter((n) => n.tagName === 'text').map(textOf);
  t.true(svgTexts.includes(HOSTILE[1].slice(0, 40)), "the <img …> label is a marker's text");
  // The raw page never carries a name's markup unescaped.
  for (const markup of ['<img src=x', '<svg onload', '<script>alert', '<!-- comment']) t.false(html.includes(markup), markup);
});

browserTest(test)('report.html in Chromium: no dialog and no script error, also after hovering, zooming and searching names', async (t) => {
  // The names exactly as the flame graph has them.
  const strings = dataStrings([...walk(parse(readFileSync(file, 'utf8')))]);
  const { page, problems, dialogs, requests } = await openInChromium(t, file);
  const flame = '#allocations-flame';
  await page.locator(`${flame} canvas`).scrollIntoViewIfNeeded();
  for (const name of HOSTILE.map((text) => strings.get(throughUtf8(text)) ?? text)) {
    await page.waitForFunction((f) => window.memtraceFlameGraphs['allocations-flame'].locate(f) !== null, name).catch(() => {});
    const at = await page.evaluate((f) => window.memtraceFlameGraphs['allocations-flame'].locate(f), name);
    t.truthy(at, `${JSON.stringify(name)} is drawn`);
    if (!at) continue;
    await page.mouse.move(at.x, at.y);
    t.true((await page.textContent(`${flame} .tooltip`)).includes(name), 'the tooltip shows the name as text');
    await page.mouse.click(at.x, at.y);
    t.true(
      (await page.textContent(`${flame} .crumbs`)).includes(name.length > 40 ? name.slice(0, 39) : name),
      'the breadcrumbs show it as text',
    );
    await page.click(`${flame} .crumbs button.reset`);
  }
  for (const query of ['<img', 'script', '${', '`', '"']) {
    await page.fill(`${flame} input[type=search]`, query);
    await page.fill('#functions-table input', query);
  }
  const injected = await page.evaluate(() => ({
    elements: [...document.querySelectorAll('img, iframe, object, embed')].map((e) => e.outerHTML),
    handlers: [...document.querySelectorAll('*')].flatMap((e) =>
      [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`),
    ),
  }));
  t.deepEqual(injected, { elements: [], handlers: [] });
  t.deepEqual(dialogs, []);
  t.deepEqual(problems, []);
  t.is(requests.length, 1, `the page loads nothing but itself: ${requests.join(' ')}`);
});
