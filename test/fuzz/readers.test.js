// Bad input, fuzzed (issue 18): every reader of a file a user hands memtrace gets 2,000 truncated,
// corrupted and retyped copies of a valid file from a real run (fixed seed: the same cases every run).
// Each must be read, or rejected with a one-line MemtraceError naming the file, within a time limit;
// a sample goes through the real CLI too (exit 1, one line, no stack trace). A finding is kept as a
// file (its path is in the failure) for a regression test in regressions.test.js.
import test from 'ava';
import { freshDir } from '../helpers/run-traced.js';
import { fuzzCli, fuzzReader } from './fuzz.js';
import { READERS } from './readers.js';

const SEED = 18;
const CASES = 2000;
const CLI_SAMPLES = 25;

for (const reader of READERS) {
  test(`${reader.name}: ${CASES} mutated files through the library, each read or rejected in one line naming the file`, async (t) => {
    const dir = freshDir('memtrace-fuzz-');
    const seedBytes = reader.seed(dir);
    const { findings, read, rejected } = await fuzzReader(reader, seedBytes, { dir, seed: SEED, cases: CASES });
    t.log(`${reader.name}: seed ${seedBytes.length} bytes; ${read} read, ${rejected} rejected, ${findings.length} findings`);
    t.deepEqual(findings.slice(0, 5), [], `${findings.length} findings`);
    // The mutations reach both sides: files still valid, and files each check has to catch.
    t.true(read > CASES / 20 && rejected > CASES * (reader.rejectedShare ?? 0.5), `${read} read, ${rejected} rejected`);
  });

  if (!reader.cli) continue;
  test(`${reader.name}: ${CLI_SAMPLES} of those through \`memtrace ${reader.cli(`DIR/${reader.fileName}`).join(' ')}\`: exit 1 and one line, or read as the library read it`, async (t) => {
    const dir = freshDir('memtrace-fuzz-cli-');
    const seedBytes = reader.seed(dir);
    const findings = await fuzzCli(reader, seedBytes, { dir, seed: SEED, cases: CASES, samples: CLI_SAMPLES });
    t.deepEqual(findings, []);
  });
}
