// Feeds a reader thousands of mutated copies of its valid seed (mutate.js), each through its library
// call in a worker thread with a time limit, and a sample of them through the real CLI. A case passes
// when the reader reads it (a mutation can leave a file valid) or rejects it with a one-line
// MemtraceError that names the file; anything else (another error class, a message without the file,
// a stack trace, no answer within the time limit) is a finding, kept as a file for its regression test.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cliPath } from '../helpers/run-traced.js';
import { mutation } from './mutate.js';
import { writeCase } from './readers.js';

const WORKER = new URL('./worker.js', import.meta.url);

function parseJson(bytes) {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** One worker that answers cases in order; `ask` resolves with its answer or with undefined after `ms`. */
function startWorker() {
  const worker = new Worker(WORKER);
  let pending;
  worker.on('message', (answer) => pending?.(answer));
  worker.on('error', (error) =>
    pending?.({ outcome: 'worker died', name: error.constructor.name, message: error.message, stack: error.stack }),
  );
  return {
    ask(message, ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), ms);
        pending = (answer) => {
          clearTimeout(timer);
          pending = undefined;
          resolve(answer);
        };
        worker.postMessage(message);
      });
    },
    stop: () => worker.terminate(),
  };
}

/** The problem with how a reader ended on `path`, or undefined when it ended well. */
export function problemWith(answer, path) {
  if (answer.outcome === 'read') return undefined;
  if (answer.outcome !== 'threw') return `${answer.outcome}: ${answer.name}: ${answer.message}`;
  if (!answer.memtraceError)
    return `${answer.name} (not a MemtraceError): ${answer.message}\n${answer.stack.split('\n').slice(1, 4).join('\n')}`;
  if (!answer.message.includes(path)) return `the message does not name the file: ${answer.message}`;
  if (answer.message.includes('\n')) return `the message is not one line: ${JSON.stringify(answer.message)}`;
  return undefined;
}

/**
 * Runs `cases` cases of `reader` from its seed bytes; returns the findings (case number, mutation,
 * problem, the case kept under dir/findings/) and how many cases were read and rejected.
 */
export async function fuzzReader(reader, seedBytes, { dir, seed = 18, cases = 2000, caseTimeoutMs = 10_000 }) {
  const json = parseJson(seedBytes);
  const findings = [];
  let read = 0;
  let rejected = 0;
  let worker = startWorker();
  const keep = (index, description, problem, path) => {
    const kept = join(dir, 'findings', `${index}-${basename(reader.fileName)}`);
    mkdirSync(join(dir, 'findings'), { recursive: true });
    copyFileSync(path, kept);
    findings.push({ index, description, problem, kept });
  };
  try {
    for (let index = 0; index < cases; index++) {
      const { description, bytes } = mutation(seedBytes, json, seed, index);
      const path = writeCase(dir, reader, bytes);
      // The first case also loads the reader's modules into the worker.
      const answer = await worker.ask({ reader: reader.name, path }, index === 0 ? 6 * caseTimeoutMs : caseTimeoutMs);
      if (answer === undefined) {
        keep(index, description, `no answer within ${caseTimeoutMs} ms (a hang)`, path);
        await worker.stop();
        worker = startWorker();
        continue;
      }
      const problem = problemWith(answer, path);
      if (problem) keep(index, description, problem, path);
      else if (answer.outcome === 'read') read++;
      else rejected++;
    }
  } finally {
    await worker.stop();
  }
  return { findings, read, rejected };
}

/**
 * Runs the CLI without blocking this thread (other cases' time limits keep running): its exit status
 * (or signal), stderr, and whether it was killed at `timeoutMs`.
 */
function runCli(args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr, timedOut });
    });
  });
}

/**
 * Runs `samples` of the cases through the real CLI (every cases/samples-th case); each must end as the
 * library call did: exit 0, or exit 1 with one line on stderr naming the file, and never a stack trace.
 */
export async function fuzzCli(reader, seedBytes, { dir, seed = 18, cases = 2000, samples = 40, timeoutMs = 60_000 }) {
  const json = parseJson(seedBytes);
  const findings = [];
  const worker = startWorker();
  try {
    for (let index = 0; index < cases; index += Math.ceil(cases / samples)) {
      const { description, bytes } = mutation(seedBytes, json, seed, index);
      const path = writeCase(dir, reader, bytes);
      const answer = await worker.ask({ reader: reader.name, path }, 60_000);
      const cli = await runCli([cliPath, ...reader.cli(path)], timeoutMs);
      const stderr = cli.stderr;
      const expected = answer?.outcome === 'read' ? 0 : 1;
      let problem;
      if (cli.timedOut) problem = `the CLI did not end within ${timeoutMs} ms`;
      else if (cli.status !== expected)
        problem = `exit ${cli.status ?? cli.signal}, expected ${expected} (the library call ${answer?.outcome})`;
      else if (/^\s+at /m.test(stderr)) problem = 'a stack trace on stderr';
      else if (expected === 1 && (stderr.trim().split('\n').length !== 1 || !stderr.includes(path)))
        problem = 'stderr is not one line naming the file';
      if (problem) findings.push({ index, description, problem: `${problem}: ${stderr.slice(0, 500)}` });
    }
  } finally {
    await worker.stop();
  }
  return findings;
}
