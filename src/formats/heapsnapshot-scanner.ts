/**
 * A scanner for the one JSON shape V8 writes for heap snapshots, fed the file chunk by chunk. It never
 * holds the file's text: the small "snapshot" header is parsed with JSON.parse, the "nodes" and "edges"
 * number arrays go digit by digit into typed arrays, each string of "strings" is decoded on its own,
 * and every other entry (trace tree, samples, locations) is skipped. Its state lives in fields so a
 * number, a string or a key can be split across chunks anywhere. This module follows the top-level
 * object; heapsnapshot-arrays.ts reads the three big arrays.
 */
import type { RawSnapshot, SnapshotMeta } from './heapsnapshot.js';
import { parseSnapshotHeader, ScanProblem } from './heapsnapshot.js';
import { EdgesScanner, NodesScanner, StringsScanner } from './heapsnapshot-arrays.js';

export { ScanProblem };

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
  /**
   * `fileBytes`, where known, bounds what the arrays are first sized for: a corrupt count in the header
   * or in the nodes cannot make them allocate more than the file could hold. The count itself is still
   * checked against what the file holds, where the array ends.
   */
  constructor(private readonly fileBytes = Infinity) {}

  /** The most records of `fields` numbers the file can hold: each number takes two bytes at least ("0,"). */
  private mostThatFit(fields: number): number {
    return Math.floor(this.fileBytes / (2 * fields)) + 1;
  }

  private state = OPEN;
  /** Absolute offset of the start of the chunk being scanned. */
  private base = 0;
  private key = '';
  private keysSeen = 0;
  private expectArray = false;

  // String and nesting state shared by HEADER, STRINGS and SKIP.
  private inString = false;
  private escaped = false;
  private depth = 0;
  private parts: Buffer[] = [];
  private headerBytes = 0;

  private meta: SnapshotMeta | undefined;
  private declaredNodes = 0;
  private declaredEdges = 0;
  private nodes: NodesScanner | undefined;
  private edges: EdgesScanner | undefined;
  private strings: StringsScanner | undefined;

  /** Scans one chunk; the chunk may be reused by the caller afterwards. */
  feed(chunk: Buffer): void {
    let i = 0;
    const end = chunk.length;
    while (i < end) {
      switch (this.state) {
        case OPEN:
          i = this.scanOpen(chunk, i);
          break;
        case KEY_OR_END:
          i = this.scanKeyOrEnd(chunk, i);
          break;
        case KEY:
          i = this.scanKey(chunk, i);
          break;
        case COLON:
          i = this.scanColon(chunk, i);
          break;
        case VALUE:
          i = this.scanValue(chunk, i);
          break;
        case HEADER:
          i = this.scanHeader(chunk, i);
          break;
        case NODES:
          i = this.scanArray(this.nodes!, chunk, i);
          break;
        case EDGES:
          i = this.scanArray(this.edges!, chunk, i);
          break;
        case STRINGS:
          i = this.scanArray(this.strings!, chunk, i);
          break;
        case SKIP:
          i = this.scanSkip(chunk, i);
          break;
        case DONE:
          i = this.scanDone(chunk, i);
          break;
      }
    }
    this.base += end;
  }

  /** Called at the end of the file: the snapshot, or a problem saying where the file stopped. */
  finish(): RawSnapshot {
    const size = this.base;
    if (this.state === OPEN) throw new ScanProblem('not a V8 heap snapshot (the file holds only white space)', undefined);
    if (this.state !== DONE) {
      const array =
        this.state === NODES ? this.nodes : this.state === EDGES ? this.edges : this.state === STRINGS ? this.strings : undefined;
      const where = array ? `, after ${array.count} ${this.key}` : '';
      const inside = this.key && this.state !== KEY_OR_END ? ` (inside "${this.key}"${where})` : '';
      throw new ScanProblem(`truncated at byte ${size}${inside}: the file ends before the snapshot does`, size);
    }
    const { nodes, edges, strings } = this;
    if (!nodes || !edges || !strings) {
      const missing = !nodes ? 'nodes' : !edges ? 'edges' : 'strings';
      throw new ScanProblem(`not a V8 heap snapshot: it has no "${missing}" array`, undefined);
    }
    const n = nodes.count;
    const names = nodes.name.subarray(0, n);
    let maxName = 0;
    for (const name of names) if (name > maxName) maxName = name;
    if (n > 0 && maxName >= strings.count)
      throw new ScanProblem(`corrupt: a node names string ${maxName} but "strings" holds ${strings.count}`, undefined);
    return {
      meta: this.meta!,
      nodeCount: n,
      edgeCount: edges.count,
      nodeType: nodes.type.subarray(0, n),
      nodeName: names,
      nodeId: nodes.id.subarray(0, n),
      nodeSelfSize: nodes.selfSize.subarray(0, n),
      nodeDetachedness: nodes.detachedness.subarray(0, n),
      firstEdge: nodes.firstEdge.subarray(0, n + 1),
      edgeType: edges.type.subarray(0, edges.count),
      edgeNameOrIndex: edges.nameOrIndex.subarray(0, edges.count),
      edgeToNode: edges.toNode.subarray(0, edges.count),
      strings: strings.strings,
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
      throw this.keysSeen === 0
        ? new ScanProblem('not a V8 heap snapshot (not a JSON object of keys)', this.base + i)
        : this.unexpected(c, i, 'between entries');
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
        if (this.key === 'nodes') {
          this.nodes = new NodesScanner(this.meta!, this.declaredNodes, this.mostThatFit(this.meta!.nodeFields.length));
          this.state = NODES;
        } else if (this.key === 'edges') {
          if (!this.nodes?.finished) throw new ScanProblem('not a V8 heap snapshot: "edges" comes before "nodes"', this.base + i);
          this.edges = new EdgesScanner(this.meta!, this.nodes, this.declaredEdges, this.mostThatFit(this.meta!.edgeFields.length));
          this.state = EDGES;
        } else {
          this.strings = new StringsScanner();
          this.state = STRINGS;
        }
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
        this.scanStringByte(c);
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
    if (this.headerBytes > MAX_HEADER_BYTES)
      throw new ScanProblem('not a V8 heap snapshot (its "snapshot" entry is larger than 1 MB)', this.base + i);
    return i;
  }

  private endHeader(at: number): void {
    let header: unknown;
    try {
      header = JSON.parse(Buffer.concat(this.parts).toString('utf8'));
    } catch (error) {
      throw new ScanProblem(
        `corrupt at byte ${this.base + at}: the "snapshot" entry is not valid JSON (${(error as Error).message})`,
        this.base + at,
      );
    }
    this.parts = [];
    const parsed = parseSnapshotHeader(header);
    if (typeof parsed === 'string') throw new ScanProblem(`not a V8 heap snapshot: ${parsed}`, undefined);
    const { meta } = parsed;
    this.meta = meta;
    this.declaredNodes = parsed.nodeCount;
    this.declaredEdges = parsed.edgeCount;
    this.state = KEY_OR_END;
  }

  private scanArray(array: NodesScanner | EdgesScanner | StringsScanner, chunk: Buffer, i: number): number {
    const next = array.scan(chunk, i, this.base);
    if (array.finished) this.state = KEY_OR_END;
    return next;
  }

  private scanSkip(chunk: Buffer, i: number): number {
    const end = chunk.length;
    for (; i < end; i++) {
      const c = chunk[i];
      if (this.inString) {
        this.scanStringByte(c);
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

  /** One byte inside a JSON string (of the header or of a skipped section): only its end matters. */
  private scanStringByte(c: number): void {
    if (this.escaped) this.escaped = false;
    else if (c === BACKSLASH) this.escaped = true;
    else if (c === QUOTE) this.inString = false;
  }

  private scanDone(chunk: Buffer, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (!isSpace(c)) throw this.unexpected(c, i, 'after the end of the snapshot');
    }
    return i;
  }
}
