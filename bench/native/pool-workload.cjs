// A threadpool-heavy workload (fs, zlib and crypto requests, many in flight at once): what the cost of
// following the pool's requests (src/runtime/native-pool.ts) is measured on. Prints the ms its work took.
const fs = require('node:fs');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const { promisify } = require('node:util');
const gzip = promisify(zlib.gzip);
const pbkdf2 = promisify(crypto.pbkdf2);
async function statMany(rounds) {
  for (let i = 0; i < rounds; i++) await Promise.all(Array.from({ length: 32 }, () => fs.promises.stat(__filename)));
}
function readMany(rounds, done) {
  let left = rounds * 16;
  for (let i = 0; i < rounds * 16; i++) {
    fs.readFile(__filename, (error) => {
      if (error) throw error;
      if (--left === 0) done();
    });
  }
}
async function gzipMany(input, rounds) {
  for (let i = 0; i < rounds; i++) await Promise.all(Array.from({ length: 8 }, () => gzip(input)));
}
async function hashMany(rounds) {
  for (let i = 0; i < rounds; i++) await Promise.all(Array.from({ length: 4 }, (_, j) => pbkdf2(`p${j}`, 'salt', 2000, 64, 'sha256')));
}
async function main() {
  const scale = Number(process.argv[2] ?? 1);
  const input = crypto.randomBytes(64 * 1024);
  const started = process.hrtime.bigint();
  await statMany(400 * scale);
  await new Promise((resolve) => readMany(200 * scale, resolve));
  await gzipMany(input, 40 * scale);
  await hashMany(40 * scale);
  console.log(Number(process.hrtime.bigint() - started) / 1e6);
}
main();
