/**
 * A scanner for the one JSON shape V8 writes for heap snapshots, fed the file chunk by chunk. It never
 * holds the file's text: the small "snapshot" header is parsed with JSON.parse, the "nodes" and "edges"
 * number arrays go digit by digit into typed arrays, each string of "strings" is decoded on its own,
 * and every other entry (trace tree, samples, locations) is skipped. Its state lives in fields so a
 * number, a string or a key can be split across chunks anywhere.
 *
 * Speed beats clarity in scanNodes/scanEdges (they see every byte of the file): locals, no calls.
 */
import type { RawSnapshot, SnapshotMeta } from './heapsnapshot.js';
import { parseSnapshotHeader } from './heapsnapshot.js';

/** What went wrong and where; the reader adds the file name. */
export class ScanProblem extends Error {
  constructor(message: string, readonly offset: number | undefined) {
    super(message);
  }
}

// The scanner's states.
const OPEN = 0; // before the top-level '{'
const KEY_OR_END = 1; // before a key, a ',' or the closing '}'
const KEY = 2; // inside a top-level key
const COLON = 3;
const VALUE = 4; // before a top-level value
const HEADER = 5; // inside the "snapshot" object
const NODES = 6;
const EDGES = 7;
const STRINGS = 8;
const SKIP = 9; // inside a value memtrace does not keep
const DONE = 10;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON_CHAR = 0x3a;

/** A header bigger than this is not a heap snapshot's (V8's is under 2 KB). */
const MAX_HEADER_BYTES = 1 << 20;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? JSON.stringify(String.fromCharCode(c)) : `byte 0x${c.toString(16)}`;
}

export class SnapshotScanner {
  private state = OPEN;
  /** Absolute offset of the start of the chunk being scanned. */
  private base = 0;
  private key = '';
  private keysSeen = 0;
  private expectArray = false;
  private seen = new Set<string>();

  // String and nesting state shared by HEADER, STRINGS and SKIP.
  private inString = false;
  private escaped = false;
  private hasEscape = false;
  private depth = 0;
  private parts: Buffer[] = [];
  private headerBytes = 0;

  // Number state shared by NODES and EDGES.
  private num = 0;
  private digits = 0;
  private field = 0;

  private meta: SnapshotMeta | undefined;
  private declaredNodes = 0;
  private declaredEdges = 0;
  private nodeFieldCount = 0;
  private nodeTypeField = -1;
  private nodeNameField = -1;
  private nodeIdField = -1;
  private nodeSizeField = -1;
  private nodeEdgeCountField = -1;
  private nodeDetachedField = -1;
  private edgeFieldCount = 0;
  private edgeTypeField = -1;
  private edgeNameField = -1;
  private edgeToField = -1;

  private nodeCapacity = 0;
  private nodeType = new Uint8Array(0);
  private nodeName = new Uint32Array(0);
  private nodeId = new Uint32Array(0);
  private nodeSelfSize = new Float64Array(0);
  private nodeDetachedness = new Uint8Array(0);
  private firstEdge = new Uint32Array(1);
  private nodeCount = 0;
  private edgeCapacity = 0;
  private edgeType = new Uint8Array(0);
  private edgeNameOrIndex = new Uint32Array(0);
  private edgeToNode = new Uint32Array(0);
  private edgeCount = 0;
  private strings: string[] = [];

  /** Scans one chunk; the chunk may be reused by the caller afterwards. */
  feed(chunk: Buffer): void {
    let i = 0;
    const end = chunk.length;
    while (i < end) {
      switch (this.state) {
        case OPEN: i = this.scanOpen(chunk, i); break;
        case KEY_OR_END: i = this.scanKeyOrEnd(chunk, i); break;
        case KEY: i = this.scanKey(chunk, i); break;
        case COLON: i = this.scanColon(chunk, i); break;
        case VALUE: i = this.scanValue(chunk, i); break;
        case HEADER: i = this.scanHeader(chunk, i); break;
        case NODES: i = this.scanNodes(chunk, i); break;
        case EDGES: i = this.scanEdges(chunk, i); break;
        case STRINGS: i = this.scanStrings(chunk, i); break;
        case SKIP: i = this.scanSkip(chunk, i); break;
        case DONE: i = this.scanDone(chunk, i); break;
      }
    }
    this.base += end;
  }

  /** Called at the end of the file: the snapshot, or a problem saying where the file stopped. */
  finish(): RawSnapshot {
    const size = this.base;
    if (this.state === OPEN) throw new ScanProblem('not a V8 heap snapshot (the file holds only white space)', undefined);
    if (this.state !== DONE) {
      const where = this.state === NODES ? `, after ${this.nodeCount} nodes` : this.state === EDGES ? `, after ${this.edgeCount} edges` : this.state === STRINGS ? `, after ${this.strings.length} strings` : '';
      const inside = this.key && this.state !== KEY_OR_END ? ` (inside "${this.key}"${where})` : '';
      throw new ScanProblem(`truncated at byte ${size}${inside}: the file ends before the snapshot does`, size);
    }
    for (const key of ['nodes', 'edges', 'strings']) {
      if (!this.seen.has(key)) throw new ScanProblem(`not a V8 heap snapshot: it has no "${key}" array`, undefined);
    }
    const maxName = this.nodeName.subarray(0, this.nodeCount).reduce((max, name) => (name > max ? name : max), 0);
    if (this.nodeCount > 0 && maxName >= this.strings.length) {
      throw new ScanProblem(`corrupt: a node names string ${maxName} but "strings" holds ${this.strings.length}`, undefined);
    }
    return {
      meta: this.meta!,
      nodeCount: this.nodeCount,
      edgeCount: this.edgeCount,
      nodeType: this.nodeType.subarray(0, this.nodeCount),
      nodeName: this.nodeName.subarray(0, this.nodeCount),
      nodeId: this.nodeId.subarray(0, this.nodeCount),
      nodeSelfSize: this.nodeSelfSize.subarray(0, this.nodeCount),
      nodeDetachedness: this.nodeDetachedness.subarray(0, this.nodeCount),
      firstEdge: this.firstEdge.subarray(0, this.nodeCount + 1),
      edgeType: this.edgeType.subarray(0, this.edgeCount),
      edgeNameOrIndex: this.edgeNameOrIndex.subarray(0, this.edgeCount),
      edgeToNode: this.edgeToNode.subarray(0, this.edgeCount),
      strings: this.strings,
    };
  }

  private unexpected(c: number, at: number, context: string): ScanProblem {
    return new ScanProblem(`corrupt at byte ${this.base + at}: unexpected ${describe(c)} ${context}`, this.base + at);
  }

  private scanOpen(chunk: Buffer, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (isSpace(c)) continue;
      if (c === OPEN_BRACE) {
        this.state = KEY_OR_END;
        return i + 1;
      }
      const what = c === OPEN_BRACKET ? 'it is a JSON array' : 'it does not start with "{"';
      throw new ScanProblem(`not a V8 heap snapshot (${what})`, this.base + i);
    }
    return i;
  }

  private scanKeyOrEnd(chunk: Buffer, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (isSpace(c) || (c === COMMA && this.keysSeen > 0)) continue;
      if (c === QUOTE) {
        this.key = '';
        this.state = KEY;
        return i + 1;
      }
      if (c === CLOSE_BRACE) {
        if (this.keysSeen === 0) throw new ScanProblem('not a V8 heap snapshot (an empty JSON object)', this.base + i);
        this.state = DONE;
        return i + 1;
      }
      throw this.keysSeen === 0 ? new ScanProblem('not a V8 heap snapshot (not a JSON object of keys)', this.base + i) : this.unexpected(c, i, 'between entries');
    }
    return i;
  }

  private scanKey(chunk: Buffer, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === QUOTE) {
        this.state = COLON;
        if (this.keysSeen === 0 && this.key !== 'snapshot') {
          throw new ScanProblem(`not a V8 heap snapshot (its first entry is "${this.key.slice(0, 40)}", not "snapshot")`, this.base + i);
        }
        this.keysSeen++;
        return i + 1;
      }
      if (this.key.length > 200) throw new ScanProblem('not a V8 heap snapshot (a key longer than 200 characters)', this.base + i);
      this.key += String.fromCharCode(c);
    }
    return i;
  }

  private scanColon(chunk: Buffer, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (isSpace(c)) continue;
      if (c !== COLON_CHAR) throw this.unexpected(c, i, `after the key "${this.key}"`);
      this.state = VALUE;
      return i + 1;
    }
    return i;
  }

  private scanValue(chunk: Buffer, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (isSpace(c)) continue;
      this.seen.add(this.key);
      if (this.key === 'snapshot') {
        if (c !== OPEN_BRACE) throw new ScanProblem('not a V8 heap snapshot (its "snapshot" entry is not an object)', this.base + i);
        this.state = HEADER;
        this.depth = 0;
        this.inString = false;
        this.parts = [];
        return i; // the header scanner takes the '{' itself
      }
      if (this.key === 'nodes' || this.key === 'edges' || this.key === 'strings') {
        if (c !== OPEN_BRACKET) throw this.unexpected(c, i, `at the start of "${this.key}" (expected "[")`);
        this.num = 0;
        this.digits = 0;
        this.field = 0;
        this.inString = false;
        this.state = this.key === 'nodes' ? NODES : this.key === 'edges' ? EDGES : STRINGS;
        return i + 1;
      }
      this.state = SKIP;
      this.depth = 0;
      this.inString = false;
      this.escaped = false;
      this.expectArray = c === OPEN_BRACKET || c === OPEN_BRACE;
      return i;
    }
    return i;
  }

  private scanHeader(chunk: Buffer, start: number): number {
    let i = start;
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          this.parts.push(Buffer.from(chunk.subarray(start, i + 1)));
          this.endHeader(i);
          return i + 1;
        }
      }
    }
    this.parts.push(Buffer.from(chunk.subarray(start, i)));
    this.headerBytes += i - start;
    if (this.headerBytes > MAX_HEADER_BYTES) throw new ScanProblem('not a V8 heap snapshot (its "snapshot" entry is larger than 1 MB)', this.base + i);
    return i;
  }

  private endHeader(at: number): void {
    let header: unknown;
    try {
      header = JSON.parse(Buffer.concat(this.parts).toString('utf8'));
    } catch (error) {
      throw new ScanProblem(`corrupt at byte ${this.base + at}: the "snapshot" entry is not valid JSON (${(error as Error).message})`, this.base + at);
    }
    this.parts = [];
    const parsed = parseSnapshotHeader(header);
    if (typeof parsed === 'string') throw new ScanProblem(`not a V8 heap snapshot: ${parsed}`, undefined);
    const { meta } = parsed;
    this.meta = meta;
    this.declaredNodes = parsed.nodeCount;
    this.declaredEdges = parsed.edgeCount;
    this.nodeFieldCount = meta.nodeFields.length;
    this.nodeTypeField = meta.nodeFields.indexOf('type');
    this.nodeNameField = meta.nodeFields.indexOf('name');
    this.nodeIdField = meta.nodeFields.indexOf('id');
    this.nodeSizeField = meta.nodeFields.indexOf('self_size');
    this.nodeEdgeCountField = meta.nodeFields.indexOf('edge_count');
    this.nodeDetachedField = meta.nodeFields.indexOf('detachedness');
    this.edgeFieldCount = meta.edgeFields.length;
    this.edgeTypeField = meta.edgeFields.indexOf('type');
    this.edgeNameField = meta.edgeFields.indexOf('name_or_index');
    this.edgeToField = meta.edgeFields.indexOf('to_node');
    this.growNodes(Math.max(this.declaredNodes, 1024));
    this.growEdges(Math.max(this.declaredEdges, 1024));
    this.state = KEY_OR_END;
  }

  private growNodes(capacity: number): void {
    const grow = <T extends Uint8Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T, n: number): T => {
      const next = make(n);
      next.set(old);
      return next;
    };
    this.nodeType = grow(this.nodeType, (n) => new Uint8Array(n), capacity);
    this.nodeName = grow(this.nodeName, (n) => new Uint32Array(n), capacity);
    this.nodeId = grow(this.nodeId, (n) => new Uint32Array(n), capacity);
    this.nodeSelfSize = grow(this.nodeSelfSize, (n) => new Float64Array(n), capacity);
    this.nodeDetachedness = grow(this.nodeDetachedness, (n) => new Uint8Array(n), capacity);
    this.firstEdge = grow(this.firstEdge, (n) => new Uint32Array(n), capacity + 1);
    this.nodeCapacity = capacity;
  }

  private growEdges(capacity: number): void {
    const type = new Uint8Array(capacity);
    type.set(this.edgeType);
    const name = new Uint32Array(capacity);
    name.set(this.edgeNameOrIndex);
    const to = new Uint32Array(capacity);
    to.set(this.edgeToNode);
    this.edgeType = type;
    this.edgeNameOrIndex = name;
    this.edgeToNode = to;
    this.edgeCapacity = capacity;
  }

  private scanNodes(chunk: Buffer, i: number): number {
    const end = chunk.length;
    const fieldCount = this.nodeFieldCount;
    const typeField = this.nodeTypeField;
    const nameField = this.nodeNameField;
    const idField = this.nodeIdField;
    const sizeField = this.nodeSizeField;
    const edgeCountField = this.nodeEdgeCountField;
    const detachedField = this.nodeDetachedField;
    let num = this.num;
    let digits = this.digits;
    let field = this.field;
    let n = this.nodeCount;
    for (; i < end; i++) {
      const c = chunk[i];
      const d = c - 48;
      if (d >= 0 && d <= 9) {
        num = num * 10 + d;
        digits++;
        continue;
      }
      if (c === COMMA || c === 0x0a || c === 0x20 || c === 0x0d || c === 0x09) {
        if (digits === 0) continue;
      } else if (c === CLOSE_BRACKET) {
        if (digits === 0 && field === 0) {
          this.num = 0;
          this.digits = 0;
          this.nodeCount = n;
          this.endNodes(i);
          return i + 1;
        }
        if (digits === 0) throw this.unexpected(c, i, 'in "nodes" (a node with missing fields)');
      } else {
        this.nodeCount = n;
        throw this.unexpected(c, i, 'in "nodes"');
      }
      // A complete number: store it in its field's column.
      if (n >= this.nodeCapacity) this.growNodes(this.nodeCapacity * 2);
      if (field === typeField) this.nodeType[n] = num;
      else if (field === nameField) this.nodeName[n] = num;
      else if (field === idField) this.nodeId[n] = num;
      else if (field === sizeField) this.nodeSelfSize[n] = num;
      else if (field === edgeCountField) this.firstEdge[n + 1] = this.firstEdge[n] + num;
      else if (field === detachedField) this.nodeDetachedness[n] = num;
      num = 0;
      digits = 0;
      if (++field === fieldCount) {
        field = 0;
        n++;
      }
      if (c === CLOSE_BRACKET) {
        if (field !== 0) throw this.unexpected(c, i, 'in "nodes" (a node with missing fields)');
        this.num = 0;
        this.digits = 0;
        this.field = 0;
        this.nodeCount = n;
        this.endNodes(i);
        return i + 1;
      }
    }
    this.num = num;
    this.digits = digits;
    this.field = field;
    this.nodeCount = n;
    return i;
  }

  private endNodes(at: number): void {
    if (this.declaredNodes > 0 && this.nodeCount !== this.declaredNodes) {
      throw new ScanProblem(`corrupt at byte ${this.base + at}: "nodes" holds ${this.nodeCount} nodes but the header says ${this.declaredNodes}`, this.base + at);
    }
    this.field = 0;
    this.state = KEY_OR_END;
  }

  private scanEdges(chunk: Buffer, i: number): number {
    const end = chunk.length;
    const fieldCount = this.edgeFieldCount;
    const typeField = this.edgeTypeField;
    const nameField = this.edgeNameField;
    const toField = this.edgeToField;
    const nodeFieldCount = this.nodeFieldCount;
    const nodeCount = this.nodeCount;
    let num = this.num;
    let digits = this.digits;
    let field = this.field;
    let n = this.edgeCount;
    for (; i < end; i++) {
      const c = chunk[i];
      const d = c - 48;
      if (d >= 0 && d <= 9) {
        num = num * 10 + d;
        digits++;
        continue;
      }
      if (c === COMMA || c === 0x0a || c === 0x20 || c === 0x0d || c === 0x09) {
        if (digits === 0) continue;
      } else if (c === CLOSE_BRACKET) {
        if (digits === 0 && field === 0) {
          this.edgeCount = n;
          this.endEdges(i);
          return i + 1;
        }
        if (digits === 0) throw this.unexpected(c, i, 'in "edges" (an edge with missing fields)');
      } else {
        this.edgeCount = n;
        throw this.unexpected(c, i, 'in "edges"');
      }
      if (n >= this.edgeCapacity) this.growEdges(this.edgeCapacity * 2);
      if (field === typeField) this.edgeType[n] = num;
      else if (field === nameField) this.edgeNameOrIndex[n] = num;
      else if (field === toField) {
        const ordinal = num / nodeFieldCount;
        if (ordinal >= nodeCount || ordinal !== Math.floor(ordinal)) {
          throw new ScanProblem(`corrupt at byte ${this.base + i}: edge ${n} points to ${num}, which is not a node`, this.base + i);
        }
        this.edgeToNode[n] = ordinal;
      }
      num = 0;
      digits = 0;
      if (++field === fieldCount) {
        field = 0;
        n++;
      }
      if (c === CLOSE_BRACKET) {
        if (field !== 0) throw this.unexpected(c, i, 'in "edges" (an edge with missing fields)');
        this.edgeCount = n;
        this.endEdges(i);
        return i + 1;
      }
    }
    this.num = num;
    this.digits = digits;
    this.field = field;
    this.edgeCount = n;
    return i;
  }

  private endEdges(at: number): void {
    const owned = this.firstEdge[this.nodeCount];
    if (!this.seen.has('nodes')) throw new ScanProblem(`not a V8 heap snapshot: "edges" comes before "nodes"`, this.base + at);
    if (owned !== this.edgeCount) {
      throw new ScanProblem(`corrupt at byte ${this.base + at}: "edges" holds ${this.edgeCount} edges but the nodes' edge counts add up to ${owned}`, this.base + at);
    }
    this.num = 0;
    this.digits = 0;
    this.field = 0;
    this.state = KEY_OR_END;
  }

  private scanStrings(chunk: Buffer, i: number): number {
    const end = chunk.length;
    while (i < end) {
      if (!this.inString) {
        const c = chunk[i];
        if (isSpace(c) || c === COMMA) {
          i++;
          continue;
        }
        if (c === CLOSE_BRACKET) {
          this.state = KEY_OR_END;
          return i + 1;
        }
        if (c !== QUOTE) throw this.unexpected(c, i, 'in "strings"');
        this.inString = true;
        this.escaped = false;
        this.hasEscape = false;
        this.parts = [];
        i++;
      }
      // Find the closing quote, stepping over escapes.
      const start = i;
      let escaped = this.escaped;
      for (; i < end; i++) {
        const c = chunk[i];
        if (escaped) escaped = false;
        else if (c === BACKSLASH) {
          escaped = true;
          this.hasEscape = true;
        } else if (c === QUOTE) break;
      }
      this.escaped = escaped;
      if (i === end) {
        this.parts.push(Buffer.from(chunk.subarray(start, end)));
        return i;
      }
      const bytes = this.parts.length === 0 ? chunk.subarray(start, i) : Buffer.concat([...this.parts, chunk.subarray(start, i)]);
      this.parts = [];
      this.strings.push(this.hasEscape ? this.decodeEscaped(bytes, i) : bytes.toString('utf8'));
      this.inString = false;
      i++;
    }
    return i;
  }

  private decodeEscaped(bytes: Buffer, at: number): string {
    try {
      return JSON.parse(`"${bytes.toString('utf8')}"`) as string;
    } catch {
      throw new ScanProblem(`corrupt at byte ${this.base + at}: string ${this.strings.length} is not a valid JSON string`, this.base + at);
    }
  }

  private scanSkip(chunk: Buffer, i: number): number {
    const end = chunk.length;
    for (; i < end; i++) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (this.depth === 0) {
          // The end of the top-level object after a scalar value.
          this.state = KEY_OR_END;
          return i;
        }
        if (--this.depth === 0 && this.expectArray) {
          this.state = KEY_OR_END;
          return i + 1;
        }
      } else if (c === COMMA && this.depth === 0) {
        this.state = KEY_OR_END;
        return i;
      }
    }
    return i;
  }

  private scanDone(chunk: Buffer, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (!isSpace(c)) throw this.unexpected(c, i, 'after the end of the snapshot');
    }
    return i;
  }
}
