/**
 * Lines and columns of UTF-16 offsets (ESTree nodes carry offsets only). Lines end where ECMAScript
 * ends them (\n, \r\n, \r, U+2028, U+2029), as V8's stack traces and Babel's `loc` count them.
 */
export interface LineColumn {
  /** 1-based. */
  line: number;
  /** 0-based, in UTF-16 code units. */
  column: number;
}

const LINE_END = /\r\n?|[\n\u2028\u2029]/g;

export class LineIndex {
  /** Offset at which each line starts; built on the first lookup. */
  private starts: number[] | undefined;

  constructor(private readonly source: string) {}

  position(offset: number): LineColumn {
    const starts = (this.starts ??= lineStarts(this.source));
    // The last line start at or before offset.
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low] };
  }
}

function lineStarts(source: string): number[] {
  const starts = [0];
  if (!source.includes('\r') && !source.includes('\u2028') && !source.includes('\u2029')) {
    // The usual case, \n only: indexOf is several times faster than the regular expression.
    for (let at = source.indexOf('\n'); at >= 0; at = source.indexOf('\n', at + 1)) starts.push(at + 1);
    return starts;
  }
  LINE_END.lastIndex = 0;
  for (let match = LINE_END.exec(source); match; match = LINE_END.exec(source)) starts.push(match.index + match[0].length);
  return starts;
}
