// Shared by the report tests: a real sampling heap profile of a fixture program, from `node --heap-prof`;
// the page opened in headless Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { fixture, freshDir } from '../helpers/run-traced.js';

export const allocators = fixture('report', 'allocators.mjs');

/** Bytes the fixture keeps: an array of 128 doubles is 128 × 8 bytes of elements plus a 16-byte header. */
export const ARRAY_BYTES = 128 * 8 + 16;
export const CACHE_BYTES = 16 * 1024 * ARRAY_BYTES;
export const INDEX_BYTES = 2 * 1024 * ARRAY_BYTES;

/** Runs `program` under `node --heap-prof` (4 KiB sampling interval: buildIndex gets ~500 samples, so its figure is within ~5 % rather than ~12 %) into `dir`; returns the profile's path. */
export function heapProfileOf(program = allocators, dir = freshDir('memtrace-heapprof-')) {
  const result = spawnSync(process.execPath, ['--heap-prof', `--heap-prof-dir=${dir}`, '--heap-prof-interval=4096', program], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`node --heap-prof ${program} failed: ${result.stderr}`);
  const files = readdirSync(dir).filter((name) => name.endsWith('.heapprofile'));
  if (files.length !== 1) throw new Error(`expected one .heapprofile in ${dir}, found ${files.join(', ') || 'none'}`);
  return join(dir, files[0]);
}

export function findNode(root, name) {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node.name === name) return node;
    stack.push(...node.children);
  }
  return undefined;
}

/** Debian's chromium, which the browser tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';
/**
 * A fresh machine may have no chromium: browser tests then skip with one line saying why. .ci/run
 * installs it and sets CI_EXPECT_BROWSER=1, which makes its absence a failure there.
 */
const haveChromium = existsSync(CHROMIUM);
const skipBrowser = !haveChromium && process.env.CI_EXPECT_BROWSER !== '1';
let toldSkip = false;
/** `test`, or `test.skip` (saying once why) where chromium is missing and CI does not require it. */
export function browserTest(test) {
  if (skipBrowser && !toldSkip) {
    toldSkip = true;
    console.log(`memtrace: browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);
  }
  return skipBrowser ? test.skip : test;
}
/**
 * Opens `file` in headless Chromium; returns the page, the console errors and page errors seen so far
 * (a live list), the messages of any dialog (alert, confirm, prompt: dismissed) and every URL it
 * requested. Fails the test where Chromium is missing.
 */
export async function openInChromium(t, file) {
  if (!haveChromium) {
    t.fail(
      `${CHROMIUM} is missing and CI_EXPECT_BROWSER=1: the HTML report test needs Debian's chromium package (apt-get install -y chromium)`,
    );
    return undefined;
  }
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'memtrace-chromium-')), {
    executablePath: CHROMIUM,
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
  t.teardown(() => context.close());
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`file://${file}`);
  return { page, problems, dialogs, requests };
}
