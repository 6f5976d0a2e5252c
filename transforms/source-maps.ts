/**
 * Source positions: reading the map a module arrives with (tsx, tsc, a bundler), mapping the
 * transform's positions back to the original source, and composing the transform's own map with the
 * incoming one. The source-map math is @jridgewell's (trace-mapping, remapping), which is synchronous:
 * the CommonJS hook and `module.registerHooks` cannot await.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { TraceMap as TraceMapType } from '@jridgewell/trace-mapping';
import type { RawSourceMap } from '@jridgewell/remapping';
import type MagicString from 'magic-string';

// Loaded when a module comes with a source map, or one is asked for: most modules need neither.
const require = createRequire(import.meta.url);
const traceMapping = (): typeof import('@jridgewell/trace-mapping') =>
  require('@jridgewell/trace-mapping') as typeof import('@jridgewell/trace-mapping');
const remapping = (): typeof import('@jridgewell/remapping').default =>
  require('@jridgewell/remapping') as typeof import('@jridgewell/remapping').default;

export type { RawSourceMap };

export interface OriginalPosition {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, as stack traces and editors show it. */
  column: number;
}

const SOURCE_MAP_COMMENT = /^\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/;

/**
 * Where the module's trailing sourceMappingURL comment starts, or -1. The comment is the module's last
 * line: only that is looked at (a regex over the whole text is slow).
 */
export function sourceMapCommentAt(code: string): number {
  const at = Math.max(code.lastIndexOf('//# sourceMappingURL='), code.lastIndexOf('//@ sourceMappingURL='));
  return at < 0 || code.slice(at).trimEnd().includes('\n') ? -1 : at;
}

/** The map named by the module's trailing sourceMappingURL comment (inline data: or a file beside it). */
export function readInlineSourceMap(source: string, filename: string): RawSourceMap | null {
  const at = sourceMapCommentAt(source);
  const match = at < 0 ? null : SOURCE_MAP_COMMENT.exec(source.slice(at));
  if (!match) return null;
  const url = match[1];
  try {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const payload = url.slice(comma + 1);
      const text = url.slice(0, comma).endsWith(';base64') ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
      return JSON.parse(text) as RawSourceMap;
    }
    const mapPath = url.startsWith('file:') ? fileURLToPath(url) : resolve(dirname(filename), url);
    return JSON.parse(readFileSync(mapPath, 'utf8')) as RawSourceMap;
  } catch {
    // A map that cannot be read leaves positions in the generated code, which is still right for it.
    return null;
  }
}

export class OriginalPositions {
  private readonly trace: TraceMapType | null;

  constructor(
    private readonly filename: string,
    private readonly incoming: RawSourceMap | null,
  ) {
    this.trace = incoming ? new (traceMapping().TraceMap)(incoming, filename) : null;
  }

  /** `line` 1-based and `column` 0-based, as Babel gives them. */
  original(line: number, column: number): OriginalPosition {
    if (this.trace) {
      const { originalPositionFor, GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND } = traceMapping();
      let found = originalPositionFor(this.trace, { line, column, bias: GREATEST_LOWER_BOUND });
      if (found.source === null) found = originalPositionFor(this.trace, { line, column, bias: LEAST_UPPER_BOUND });
      if (found.source !== null) return { file: toPath(found.source), line: found.line, column: found.column + 1 };
    }
    return { file: this.filename, line, column: column + 1 };
  }

  /** The map from the instrumented code to the original source, as a trailing inline comment. */
  /** `sourceName`: how stack traces name the module (its file URL for an ES module, else its path). */
  inlineMapComment(edits: MagicString, sourceName: string): string {
    const own = edits.generateMap({ source: sourceName, hires: 'boundary', includeContent: false });
    const incoming = this.incoming;
    // The incoming map applies once: its own sources can carry the same name (tsx maps a.ts to a.ts).
    let depth = 0;
    const map = incoming ? remapping()(own.toString(), () => (depth++ === 0 ? incoming : null), { excludeContent: false }) : own;
    return `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(map.toString()).toString('base64')}`;
  }
}

function toPath(source: string): string {
  return source.startsWith('file:') ? fileURLToPath(source) : source;
}
