// A web service under load: starts one of test/fixtures/web's apps (plain node, or under `memtrace run`)
// on 127.0.0.1 and a port the system picks, and drives it with autocannon, checking every reply's body.
// Used by test/web-load.test.js and bench/web/run.js. Traffic goes to loopback only, bounded in time
// and count; it stops by itself.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { listItems, echoBody, buildReport } from '../fixtures/web/handlers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const distCli = join(root, 'dist', 'src', 'cli', 'main.js');
export const webApp = (framework) => join(root, 'test', 'fixtures', 'web', `${framework}-app.mjs`);

/** Every framework the fixtures have an app for. */
export const FRAMEWORKS = ['express', 'fastify'];

/**
 * Starts `framework`'s app: plain (`node app.mjs`) or traced (`memtrace run --out OUT [--include GLOB] -- app.mjs`),
 * in a process group of its own (so a test can send it Ctrl-C). Resolves once the app printed its port.
 * `cli` is the memtrace CLI to run (a bench passes its copy of dist/).
 */
export async function startApp(framework, { traced = false, out, include, cli = distCli, env = {}, timeoutMs = 60_000 } = {}) {
  const command = traced
    ? [cli, 'run', '--out', out, ...(include ? ['--include', include] : []), '--', webApp(framework)]
    : [webApp(framework)];
  const child = spawn(process.execPath, command, {
    env: { ...process.env, ...(out ? { MEMTRACE_CACHE_DIR: join(out, '.cache') } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = once(child, 'exit');
  const [port, serverPid] = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${framework} app: no port after ${timeoutMs} ms\n${output.stderr}`)), timeoutMs);
    const check = () => {
      const match = /listening (\d+) (\d+)/.exec(output.stdout);
      if (match) {
        clearTimeout(timer);
        resolve([Number(match[1]), Number(match[2])]);
      }
    };
    child.stdout.on('data', check);
    exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`${framework} app exited (${code ?? signal}) before listening\n${output.stderr}`));
    });
  });
  return {
    child,
    port,
    /** The server's own process (under `memtrace run`, its child). */
    serverPid,
    output,
    /** Ctrl-C: SIGINT to the whole process group (memtrace run and the app), as a terminal sends it. */
    async interrupt() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGINT');
      const [code, signal] = await exited;
      return { code, signal };
    },
  };
}

/** CPU seconds (user + system, every thread) the process `pid` has used so far, from /proc. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  // utime and stime, fields 14 and 15 of stat(5), in clock ticks of 1/100 s (USER_HZ on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const BODY = {
  user: 'ada',
  cart: [
    { sku: 'A-1', qty: 2 },
    { sku: 'B-7', qty: 1 },
  ],
  note: 'quotes " and \\ and ünïcode',
};

/** The routes driven, each with the body it must answer with (what the handlers return, serialised). */
export const ROUTES = [
  { name: 'items', method: 'GET', path: '/items?count=25', expected: listItems(25) },
  { name: 'echo', method: 'POST', path: '/echo', body: JSON.stringify(BODY), expected: echoBody(BODY) },
  { name: 'report', method: 'GET', path: '/report', expected: buildReport() },
];

/**
 * Loads the app on `port` with autocannon: `connections` connections cycling through ROUTES for
 * `seconds` (and at most `maxRequests` requests). Returns autocannon's result plus, per route, the
 * replies received and those whose status or body was not the expected one.
 */
export async function loadApp(port, { connections = 20, seconds = 3, maxRequests = 50_000 } = {}) {
  const replies = Object.fromEntries(ROUTES.map((route) => [route.name, { received: 0, wrong: 0, firstWrong: undefined }]));
  const requests = ROUTES.map((route) => ({
    method: route.method,
    path: route.path,
    ...(route.body ? { body: route.body, headers: { 'content-type': 'application/json' } } : {}),
    onResponse(status, body) {
      const seen = replies[route.name];
      seen.received++;
      let same = false;
      try {
        same = status === 200 && JSON.stringify(JSON.parse(body)) === JSON.stringify(route.expected);
      } catch {
        same = false;
      }
      if (!same) {
        seen.wrong++;
        seen.firstWrong ??= `${status} ${String(body).slice(0, 200)}`;
      }
    },
  }));
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    maxOverallRequests: maxRequests,
    requests,
    timeout: 10,
  });
  return { result, replies };
}
