/** Text tables for a terminal: every text report prints through this. */

/** The width of each column: its widest cell, header included. */
export function columnWidths(header: string[], rows: string[][]): number[] {
  return header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
}

/** One line of a table: cells padded to `widths`, right-aligned where `numeric` says so; the last column is never padded. */
export function renderRow(cells: string[], widths: number[], numeric: boolean[]): string {
  return cells
    .map((cell, i) => (i === cells.length - 1 ? cell : numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
}

/** Columns right-aligned where `numeric` says so; the last column is never padded. */
export function renderTable(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = columnWidths(header, rows);
  return [renderRow(header, widths, numeric), ...rows.map((row) => renderRow(row, widths, numeric))].join('\n') + '\n';
}
