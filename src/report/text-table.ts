/** Text tables for a terminal: every text report prints through this. */

/** Columns right-aligned where `numeric` says so; the last column is never padded. */
export function renderTable(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
