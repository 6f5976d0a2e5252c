/**
 * Scanners for the three big arrays of a heap snapshot, each fed the bytes after its '[' chunk by
 * chunk: "nodes" and "edges" go digit by digit into one typed array per field (sized from the
 * header's counts, at most what the file could hold, grown by doubling where they are missing; a count
 * that disagrees is an error), "strings" into one table. `scan` returns where it stopped:
 * after the closing ']' (then `finished` is set) or at the end of the chunk.
 *
 * Speed beats clarity in the two number loops (they see almost every byte of the file): the arrays are
 * held in locals and written back only when a chunk ends or the arrays grow.
 */
import type { SnapshotMeta } from './heapsnapshot.js';
import { ScanProblem } from './heapsnapshot.js';

const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function unexpected(c: number, offset: number, context: string): ScanProblem {
  const what = c >= 0x20 && c < 0x7f ? JSON.stringify(String.fromCharCode(c)) : `byte 0x${c.toString(16)}`;
  return new ScanProblem(`corrupt at byte ${offset}: unexpected ${what} ${context}`, offset);
}

function grown<T extends Uint8Array | Uint32Array | Float64Array>(old: T, capacity: number): T {
  const next = new (old.constructor as new (length: number) => T)(capacity);
  next.set(old);
  return next;
}

export class NodesScanner {
  finished = false;
  count = 0;
  type: Uint8Array;
  name: Uint32Array;
  id: Uint32Array;
  selfSize: Float64Array;
  detachedness: Uint8Array;
  /** firstEdge[n + 1] = firstEdge[n] + edge_count of node n. */
  firstEdge: Uint32Array;
  readonly fieldCount: number;
  private readonly fields: number[];
  private num = 0;
  private digits = 0;
  private field = 0;

  /** `declared`: the header's count (0 where absent), checked at the end; `mostThatFit`: a bound on the first allocation. */
  constructor(
    meta: SnapshotMeta,
    private readonly declared: number,
    mostThatFit = Infinity,
  ) {
    const capacity = Math.max(Math.min(declared, mostThatFit), 1024);
    this.type = new Uint8Array(capacity);
    this.name = new Uint32Array(capacity);
    this.id = new Uint32Array(capacity);
    this.selfSize = new Float64Array(capacity);
    this.detachedness = new Uint8Array(capacity);
    this.firstEdge = new Uint32Array(capacity + 1);
    this.fieldCount = meta.nodeFields.length;
    this.fields = ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'].map((field) => meta.nodeFields.indexOf(field));
  }

  scan(chunk: Buffer, i: number, base: number): number {
    const end = chunk.length;
    const fieldCount = this.fieldCount;
    const [typeField, nameField, idField, sizeField, edgeCountField, detachedField] = this.fields as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    let { type, name, id, selfSize, detachedness, firstEdge } = this;
    let capacity = type.length;
    let num = this.num;
    let digits = this.digits;
    let field = this.field;
    let n = this.count;
    for (; i < end; i++) {
      const c = chunk[i];
      const d = c - 48;
      if (d >= 0 && d <= 9) {
        num = num * 10 + d;
        digits++;
        continue;
      }
      const closing = c === CLOSE_BRACKET;
      if (!closing && c !== COMMA && c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) {
        this.count = n;
        throw unexpected(c, base + i, 'in "nodes"');
      }
      if (digits > 0) {
        if (n >= capacity) {
          this.count = n;
          this.grow(capacity * 2);
          ({ type, name, id, selfSize, detachedness, firstEdge } = this);
          capacity = type.length;
        }
        if (field === typeField) type[n] = num;
        else if (field === nameField) name[n] = num;
        else if (field === idField) id[n] = num;
        else if (field === sizeField) selfSize[n] = num;
        else if (field === edgeCountField) firstEdge[n + 1] = firstEdge[n] + num;
        else if (field === detachedField) detachedness[n] = num;
        num = 0;
        digits = 0;
        if (++field === fieldCount) {
          field = 0;
          n++;
        }
      }
      if (closing) {
        this.count = n;
        if (field !== 0) throw unexpected(c, base + i, 'in "nodes" (a node with missing fields)');
        if (this.declared > 0 && n !== this.declared) {
          throw new ScanProblem(`corrupt at byte ${base + i}: "nodes" holds ${n} nodes but the header says ${this.declared}`, base + i);
        }
        this.finished = true;
        return i + 1;
      }
    }
    this.num = num;
    this.digits = digits;
    this.field = field;
    this.count = n;
    return i;
  }

  private grow(capacity: number): void {
    this.type = grown(this.type, capacity);
    this.name = grown(this.name, capacity);
    this.id = grown(this.id, capacity);
    this.selfSize = grown(this.selfSize, capacity);
    this.detachedness = grown(this.detachedness, capacity);
    this.firstEdge = grown(this.firstEdge, capacity + 1);
  }
}

export class EdgesScanner {
  finished = false;
  count = 0;
  type: Uint8Array;
  nameOrIndex: Uint32Array;
  /** The target's node ordinal. */
  toNode: Uint32Array;
  private readonly fieldCount: number;
  private readonly fields: number[];
  private num = 0;
  private digits = 0;
  private field = 0;

  constructor(
    meta: SnapshotMeta,
    private readonly nodes: NodesScanner,
    private readonly declared: number,
    mostThatFit = Infinity,
  ) {
    const capacity = Math.max(Math.min(Math.max(declared, nodes.firstEdge[nodes.count]), mostThatFit), 1024);
    this.type = new Uint8Array(capacity);
    this.nameOrIndex = new Uint32Array(capacity);
    this.toNode = new Uint32Array(capacity);
    this.fieldCount = meta.edgeFields.length;
    this.fields = ['type', 'name_or_index', 'to_node'].map((field) => meta.edgeFields.indexOf(field));
  }

  scan(chunk: Buffer, i: number, base: number): number {
    const end = chunk.length;
    const fieldCount = this.fieldCount;
    const [typeField, nameField, toField] = this.fields as [number, number, number];
    const nodeFieldCount = this.nodes.fieldCount;
    const nodeCount = this.nodes.count;
    let { type, nameOrIndex, toNode } = this;
    let capacity = type.length;
    let num = this.num;
    let digits = this.digits;
    let field = this.field;
    let n = this.count;
    for (; i < end; i++) {
      const c = chunk[i];
      const d = c - 48;
      if (d >= 0 && d <= 9) {
        num = num * 10 + d;
        digits++;
        continue;
      }
      const closing = c === CLOSE_BRACKET;
      if (!closing && c !== COMMA && c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) {
        this.count = n;
        throw unexpected(c, base + i, 'in "edges"');
      }
      if (digits > 0) {
        if (n >= capacity) {
          this.count = n;
          this.grow(capacity * 2);
          ({ type, nameOrIndex, toNode } = this);
          capacity = type.length;
        }
        if (field === typeField) type[n] = num;
        else if (field === nameField) nameOrIndex[n] = num;
        else if (field === toField) {
          const ordinal = num / nodeFieldCount;
          if (ordinal >= nodeCount || ordinal !== Math.floor(ordinal)) {
            this.count = n;
            throw new ScanProblem(`corrupt at byte ${base + i}: edge ${n} points to ${num}, which is not a node`, base + i);
          }
          toNode[n] = ordinal;
        }
        num = 0;
        digits = 0;
        if (++field === fieldCount) {
          field = 0;
          n++;
        }
      }
      if (closing) {
        this.count = n;
        if (field !== 0) throw unexpected(c, base + i, 'in "edges" (an edge with missing fields)');
        if (this.declared > 0 && n !== this.declared) {
          throw new ScanProblem(`corrupt at byte ${base + i}: "edges" holds ${n} edges but the header says ${this.declared}`, base + i);
        }
        const owned = this.nodes.firstEdge[nodeCount];
        if (owned !== n)
          throw new ScanProblem(
            `corrupt at byte ${base + i}: "edges" holds ${n} edges but the nodes' edge counts add up to ${owned}`,
            base + i,
          );
        this.finished = true;
        return i + 1;
      }
    }
    this.num = num;
    this.digits = digits;
    this.field = field;
    this.count = n;
    return i;
  }

  private grow(capacity: number): void {
    this.type = grown(this.type, capacity);
    this.nameOrIndex = grown(this.nameOrIndex, capacity);
    this.toNode = grown(this.toNode, capacity);
  }
}

export class StringsScanner {
  finished = false;
  readonly strings: string[] = [];
  private inString = false;
  private escaped = false;
  private hasEscape = false;
  /** The bytes of a string that started in an earlier chunk. */
  private parts: Buffer[] = [];

  get count(): number {
    return this.strings.length;
  }

  scan(chunk: Buffer, i: number, base: number): number {
    const end = chunk.length;
    while (i < end) {
      if (!this.inString) {
        const c = chunk[i];
        if (c === COMMA || c === 0x0a || c === 0x20 || c === 0x0d || c === 0x09) {
          i++;
          continue;
        }
        if (c === CLOSE_BRACKET) {
          this.finished = true;
          return i + 1;
        }
        if (c !== QUOTE) throw unexpected(c, base + i, 'in "strings"');
        this.inString = true;
        this.escaped = false;
        this.hasEscape = false;
        i++;
      }
      // Find the closing quote, stepping over escapes.
      const start = i;
      let escaped = this.escaped;
      for (; i < end; i++) {
        const c = chunk[i];
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = this.hasEscape = true;
        else if (c === QUOTE) break;
      }
      this.escaped = escaped;
      if (i === end) {
        this.parts.push(Buffer.from(chunk.subarray(start, end)));
        return i;
      }
      const bytes = this.parts.length === 0 ? chunk.subarray(start, i) : Buffer.concat([...this.parts, chunk.subarray(start, i)]);
      this.parts = [];
      this.strings.push(this.hasEscape ? this.unescape(bytes, base + i) : bytes.toString('utf8'));
      this.inString = false;
      i++;
    }
    return i;
  }

  private unescape(bytes: Buffer, offset: number): string {
    try {
      return JSON.parse(`"${bytes.toString('utf8')}"`) as string;
    } catch {
      throw new ScanProblem(`corrupt at byte ${offset}: string ${this.strings.length} is not a valid JSON string`, offset);
    }
  }
}
