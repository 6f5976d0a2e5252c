/**
 * What a sampled call frame is in the user's terms: a function in a file at its original source
 * position (through the source map Node keeps for the module, which for a traced module composes
 * memtrace's edits with tsx's or a bundler's map), of which kind, and which function of the tracer's
 * table it is (whose line probes then tell the allocating statement).
 */
import module from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionInfo } from '../runtime/function-table.js';
import type { CallFrame } from '../formats/heap-profile.js';
import { runtimePackageDirectories } from '../shared/runtime-packages.js';
import type { Frame, FrameKind } from '../formats/allocation-model.js';

/** memtrace's own files (dist/): frames there are memtrace's work, not the program's. */
const OWN_DIRECTORY = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** Packages memtrace's own code runs on: their frames are memtrace's when memtrace called them. */
interface SourceMapLike {
  findEntry(line: number, column: number): { originalSource?: string; originalLine?: number; originalColumn?: number };
}

type FindSourceMap = (path: string) => SourceMapLike | undefined;

export class FrameResolver {
  private readonly cache = new Map<string, Frame>();
  private readonly maps = new Map<string, SourceMapLike | undefined>();
  private readonly byLine = new Map<string, Array<{ column: number; id: number }>>();
  private readonly dependencies = runtimePackageDirectories();
  private readonly dependencyFrames = new Set<Frame>();

  /**
   * Whether a frame is in a package memtrace's own code uses (csv-stringify…): its samples count as
   * its caller's (memtrace's when memtrace called it, the program's when the program did).
   */
  isRuntimeDependency(frame: Frame): boolean {
    return this.dependencyFrames.has(frame);
  }

  /** `functions`: the tracer's function table, when a tracer runs in this thread. */
  constructor(private readonly functions: readonly FunctionInfo[] = []) {
    functions.forEach((info, id) => {
      const key = `${info.file}:${info.line}`;
      let list = this.byLine.get(key);
      if (!list) this.byLine.set(key, (list = []));
      list.push({ column: info.column, id });
    });
    for (const list of this.byLine.values()) list.sort((a, b) => a.column - b.column);
  }

  resolve(callFrame: CallFrame): Frame {
    const key = `${callFrame.url}\0${callFrame.functionName}\0${callFrame.lineNumber}\0${callFrame.columnNumber}`;
    let frame = this.cache.get(key);
    if (!frame) {
      frame = this.resolveNew(callFrame);
      this.cache.set(key, frame);
      if (this.dependencies.some((directory) => frame!.file.startsWith(directory))) this.dependencyFrames.add(frame);
    }
    return frame;
  }

  private resolveNew(callFrame: CallFrame): Frame {
    const { url, functionName } = callFrame;
    const name = functionName || '(anonymous)';
    if (url === '') {
      const kind: FrameKind = functionName.startsWith('(') && functionName.endsWith(')') ? 'vm' : 'builtin';
      return { function: name, file: '', line: null, column: null, kind };
    }
    if (url.startsWith('node:')) {
      return {
        function: name,
        file: url,
        line: callFrame.lineNumber + 1,
        column: callFrame.columnNumber + 1,
        kind: url === 'node:inspector' ? 'profiler' : 'node',
      };
    }
    const generatedFile = url.startsWith('file:') ? fileURLToPath(url) : url;
    if (generatedFile.startsWith(OWN_DIRECTORY)) {
      return { function: name, file: generatedFile, line: callFrame.lineNumber + 1, column: callFrame.columnNumber + 1, kind: 'memtrace' };
    }
    const original = this.original(url, callFrame.lineNumber, callFrame.columnNumber) ?? {
      file: generatedFile,
      line: callFrame.lineNumber,
      column: callFrame.columnNumber,
    };
    const functionId = this.functionAt(original.file, original.line + 1, original.column);
    if (functionId !== undefined) {
      const info = this.functions[functionId];
      return { function: info.name, file: info.file, line: info.line, column: info.column, kind: 'js', functionId };
    }
    return { function: name, file: original.file, line: original.line + 1, column: original.column + 1, kind: 'js' };
  }

  /** 0-based original position of a generated one, where Node has the module's source map. */
  private original(url: string, line: number, column: number): { file: string; line: number; column: number } | undefined {
    if (line < 0) return undefined;
    let map = this.maps.get(url);
    if (!this.maps.has(url)) {
      const find = (module as unknown as { findSourceMap?: FindSourceMap }).findSourceMap;
      try {
        map = find?.(url) ?? (url.startsWith('file:') ? find?.(fileURLToPath(url)) : undefined);
      } catch {
        map = undefined;
      }
      this.maps.set(url, map);
    }
    const entry = map?.findEntry(line, column);
    if (!entry?.originalSource || entry.originalLine === undefined) return undefined;
    const source = entry.originalSource;
    return {
      file: source.startsWith('file:') ? fileURLToPath(source) : source,
      line: entry.originalLine,
      column: entry.originalColumn ?? 0,
    };
  }

  /**
   * The traced function starting on `line` of `file` that V8's position (its parameters' `(`, at or
   * after the start the transform recorded) falls in: the last one starting at or before it.
   */
  private functionAt(file: string, line: number, column0: number): number | undefined {
    const list = this.byLine.get(`${file}:${line}`);
    if (!list) return undefined;
    let found = list[0].id;
    for (const candidate of list) if (candidate.column - 1 <= column0) found = candidate.id;
    return found;
  }
}
