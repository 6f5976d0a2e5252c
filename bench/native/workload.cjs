// A Buffer- and zlib-heavy workload: what --native's overhead is measured on. Prints the ms its work took.
const zlib = require('node:zlib');
const crypto = require('node:crypto');
function makeBuffers(rounds) {
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    const kept = [];
    for (let j = 0; j < 64; j++) kept.push(Buffer.allocUnsafeSlow(16 * 1024 + j));
    total += kept.length;
  }
  return total;
}
function compress(input, rounds) {
  let bytes = 0;
  for (let i = 0; i < rounds; i++) bytes += zlib.gunzipSync(zlib.gzipSync(input)).length;
  return bytes;
}
function hash(input, rounds) {
  let last = '';
  for (let i = 0; i < rounds; i++) last = crypto.createHash('sha256').update(input).digest('hex');
  return last;
}
const scale = Number(process.argv[2] ?? 1);
const input = crypto
  .randomBytes(256 * 1024)
  .toString('base64')
  .slice(0, 256 * 1024);
const started = process.hrtime.bigint();
makeBuffers(2000 * scale);
compress(Buffer.from(input), 60 * scale);
hash(input, 2000 * scale);
console.log(Number(process.hrtime.bigint() - started) / 1e6);
