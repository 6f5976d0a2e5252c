// Mutations of a valid input file, drawn from a seeded generator so a case is the same on every run:
// a case is named by its reader, its number and its mutation, and `mutation(seedBytes, seed, index)`
// rebuilds it. Byte-level mutations (flips, truncation, inserted garbage, copied slices, numbers made
// huge or negative) work on any file; JSON-level ones (a field replaced by a value of the wrong type,
// a key removed) apply where the seed is JSON.

/** mulberry32: a small, fast, seeded generator; good enough to pick mutations. */
export function randomSource(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

const STRUCTURE = new Set([...'{}[],:"\\'].map((c) => c.charCodeAt(0)));
const GARBAGE = ['"', '[', ']', '{', '}', ',', ':', '\\', '\\u', '-', '0', '9', 'e', '.', 'null', '\n', '\u2028', '\uffff', '\x00', '\xff'];
/** Numbers that break assumptions: past 2^32 and 2^53, negative, fractional, exponents, hundreds of digits. */
export const AWKWARD_NUMBERS = [
  '4294967295',
  '4294967296',
  '9007199254740993',
  '18446744073709551616',
  '99999999999999999999999',
  '1e308',
  '1e400',
  '-1',
  '-0',
  '0.5',
  '1.5e3',
  '9'.repeat(400),
  '0x10',
  '00',
];
/** JSON values of the wrong type (or an awkward one) for any field. */
const WRONG_VALUES = [null, true, false, '', 'x', '</script>', [], [null], [[]], {}, { a: 1 }, -1, 0, 1e308, 2 ** 53 + 2, 0.5, 'NaN'];

function structuralOffsets(bytes) {
  const offsets = [];
  for (let i = 0; i < bytes.length; i++) if (STRUCTURE.has(bytes[i])) offsets.push(i);
  return offsets;
}

/** Byte-level mutations; each returns [description, bytes]. */
const BYTE_MUTATIONS = {
  flip(bytes, random) {
    const out = Buffer.from(bytes);
    const n = 1 + random.int(4);
    const at = [];
    for (let k = 0; k < n; k++) {
      const i = random.int(out.length);
      out[i] = random.int(256);
      at.push(i);
    }
    return [`flip bytes ${at.join(',')}`, out];
  },
  truncate(bytes, random, structure) {
    // Offset classes: the very start, right before/after a structural character, anywhere, the last bytes.
    const kind = random.int(4);
    const at =
      kind === 0
        ? random.int(3)
        : kind === 1
          ? Math.min(bytes.length - 1, random.pick(structure) + random.int(2))
          : kind === 2
            ? random.int(bytes.length)
            : bytes.length - 1 - random.int(3);
    return [`truncate at ${at}`, bytes.subarray(0, Math.max(0, at))];
  },
  insert(bytes, random, structure) {
    const at = random.next() < 0.5 ? random.pick(structure) : random.int(bytes.length);
    const garbage = Array.from({ length: 1 + random.int(3) }, () => random.pick(GARBAGE)).join('');
    return [
      `insert ${JSON.stringify(garbage)} at ${at}`,
      Buffer.concat([bytes.subarray(0, at), Buffer.from(garbage, 'latin1'), bytes.subarray(at)]),
    ];
  },
  remove(bytes, random) {
    const at = random.int(bytes.length);
    const length = 1 + random.int(16);
    return [`remove ${length} bytes at ${at}`, Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)])];
  },
  copySlice(bytes, random) {
    const from = random.int(bytes.length);
    const length = 1 + random.int(64);
    const to = random.int(bytes.length);
    return [
      `copy ${length} bytes from ${from} to ${to}`,
      Buffer.concat([bytes.subarray(0, to), bytes.subarray(from, from + length), bytes.subarray(to)]),
    ];
  },
  number(bytes, random) {
    // A run of digits somewhere in the file, replaced by an awkward number.
    for (let tries = 0; tries < 20; tries++) {
      let start = random.int(bytes.length);
      if (bytes[start] < 0x30 || bytes[start] > 0x39) continue;
      while (start > 0 && bytes[start - 1] >= 0x30 && bytes[start - 1] <= 0x39) start--;
      let end = start;
      while (end < bytes.length && bytes[end] >= 0x30 && bytes[end] <= 0x39) end++;
      const number = random.pick(AWKWARD_NUMBERS);
      return [
        `number at ${start} -> ${number.length > 20 ? `${number.slice(0, 8)}…(${number.length} chars)` : number}`,
        Buffer.concat([bytes.subarray(0, start), Buffer.from(number), bytes.subarray(end)]),
      ];
    }
    return BYTE_MUTATIONS.flip(bytes, random);
  },
};

/** A path to a random value inside `value`, preferring to go deeper into objects than into long arrays. */
function randomPath(value, random) {
  const path = [];
  let here = value;
  while (here !== null && typeof here === 'object' && random.next() < 0.8) {
    const keys = Array.isArray(here) ? (here.length > 0 ? [random.int(here.length)] : []) : Object.keys(here);
    if (keys.length === 0) break;
    const key = Array.isArray(here) ? keys[0] : random.pick(keys);
    path.push(key);
    here = here[key];
  }
  return path;
}

/** JSON-level mutations of the parsed seed; each returns [description, bytes] or undefined when it does not apply. */
const JSON_MUTATIONS = {
  wrongType(json, random) {
    const copy = structuredClone(json);
    const path = randomPath(copy, random);
    if (path.length === 0) return undefined;
    const value = structuredClone(random.pick(WRONG_VALUES));
    const parent = path.slice(0, -1).reduce((node, key) => node[key], copy);
    parent[path.at(-1)] = value;
    return [`set ${path.join('.')} = ${JSON.stringify(value)}`, Buffer.from(JSON.stringify(copy))];
  },
  removeKey(json, random) {
    const copy = structuredClone(json);
    const path = randomPath(copy, random);
    if (path.length === 0) return undefined;
    const parent = path.slice(0, -1).reduce((node, key) => node[key], copy);
    if (Array.isArray(parent)) parent.splice(path.at(-1), 1);
    else delete parent[path.at(-1)];
    return [`remove ${path.join('.')}`, Buffer.from(JSON.stringify(copy))];
  },
};

/**
 * Case `index` of a reader's fuzz run: the mutation drawn for it from (seed, index) and the bytes it gives.
 * `json` is the seed parsed, when it is JSON (JSON-level mutations are then one case in three).
 */
export function mutation(bytes, json, seed, index) {
  const random = randomSource((seed * 0x9e3779b1 + index) >>> 0);
  const structure = structuralOffsets(bytes);
  if (json !== undefined && random.next() < 1 / 3) {
    const result = JSON_MUTATIONS[random.pick(Object.keys(JSON_MUTATIONS))](json, random);
    if (result) return { description: result[0], bytes: result[1] };
  }
  const name = random.pick(Object.keys(BYTE_MUTATIONS));
  // Two mutations in one case, now and then: a flip after a truncation, and so on.
  let [description, out] = BYTE_MUTATIONS[name](bytes, random, structure.length > 0 ? structure : [0]);
  if (random.next() < 0.2 && out.length > 0) {
    const [second, twice] = BYTE_MUTATIONS[random.pick(Object.keys(BYTE_MUTATIONS))](
      out,
      random,
      structuralOffsets(out).length > 0 ? structuralOffsets(out) : [0],
    );
    description = `${description}; ${second}`;
    out = twice;
  }
  return { description: `${name}: ${description}`, bytes: out };
}
