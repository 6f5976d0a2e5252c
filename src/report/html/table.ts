/**
 * A sortable, searchable table of many rows. The rows travel as JSON and the browser renders the
 * first few hundred that match, so a table of 50 000 functions stays quick to open.
 */
import { BROWSER_HELPERS } from './browser-helpers.js';
import { dataScript, escapeHtml } from './escape.js';

/** How a column's cells print and sort: numbers right-aligned and sorted largest first. */
export type ColumnKind = 'function' | 'where' | 'text' | 'bytes' | 'count' | 'duration';

export interface TableColumn {
  label: string;
  kind: ColumnKind;
  /** A tooltip for the header. */
  title?: string;
}

export interface DataTable {
  /** Element id; the data element is `${id}-data`. */
  id: string;
  columns: TableColumn[];
  /** One array per row, cells in column order. */
  rows: Array<Array<string | number>>;
  /** The column sorted by at first (descending for numbers). */
  sortColumn: number;
  /** Rows shown at most (the search covers all rows). */
  limit?: number;
  placeholder?: string;
}

export function renderDataTable(table: DataTable): string {
  const id = escapeHtml(table.id);
  return `<div class="data-table" id="${id}" data-sort="${table.sortColumn}" data-limit="${table.limit ?? 300}">
<div class="toolbar"><input type="search" placeholder="${escapeHtml(table.placeholder ?? 'filter by function or file')}" aria-label="filter rows"><span class="status"></span></div>
<div class="table-wrap"><table class="data"><thead><tr>${table.columns.map((c, i) => `<th data-column="${i}" class="${isNumeric(c.kind) ? 'num' : ''}"${c.title ? ` title="${escapeHtml(c.title)}"` : ''}>${escapeHtml(c.label)}</th>`).join('')}</tr></thead><tbody></tbody></table></div>
${dataScript(`${table.id}-data`, { columns: table.columns, rows: table.rows })}
</div>`;
}

function isNumeric(kind: ColumnKind): boolean {
  return kind === 'bytes' || kind === 'count' || kind === 'duration';
}

export const TABLE_SCRIPT = `${BROWSER_HELPERS}
const NUMERIC = new Set(['bytes', 'count', 'duration']);
function cell(kind, value) {
  if (kind === 'bytes') return formatBytes(value);
  if (kind === 'duration') return formatDuration(value);
  if (kind === 'count') return Number(value).toLocaleString('en');
  return escapeHtml(value);
}
for (const root of document.querySelectorAll('.data-table')) {
  const data = readData(root.id + '-data');
  const columns = data.columns;
  const limit = Number(root.dataset.limit);
  const input = root.querySelector('input');
  const status = root.querySelector('.status');
  const tbody = root.querySelector('tbody');
  const headers = [...root.querySelectorAll('th')];
  // The first bytes column gets a bar scaled to its largest value: the eye finds the big rows.
  const barColumn = columns.findIndex((c) => c.kind === 'bytes');
  const barMax = barColumn < 0 ? 0 : Math.max(0, ...data.rows.map((r) => r[barColumn]));
  const searchable = columns.map((c, i) => (NUMERIC.has(c.kind) ? -1 : i)).filter((i) => i >= 0);
  let sortColumn = Number(root.dataset.sort);
  let descending = NUMERIC.has(columns[sortColumn].kind);
  function render() {
    const query = input.value.trim().toLowerCase();
    const rows = query ? data.rows.filter((r) => searchable.some((i) => String(r[i]).toLowerCase().includes(query))) : data.rows.slice();
    const kind = columns[sortColumn].kind;
    const sign = descending ? -1 : 1;
    rows.sort(NUMERIC.has(kind) ? (a, b) => sign * (a[sortColumn] - b[sortColumn]) : (a, b) => sign * String(a[sortColumn]).localeCompare(String(b[sortColumn])));
    const shown = rows.slice(0, limit);
    tbody.innerHTML = shown.map((r) => '<tr>' + columns.map((c, i) => {
      const cls = NUMERIC.has(c.kind) ? 'num' : c.kind === 'where' ? 'where' : c.kind === 'function' ? 'fn' : '';
      const bar = i === barColumn && barMax > 0 && r[i] >= barMax / 50 ? '<div class="bar" style="width:' + (100 * Math.max(0, r[i]) / barMax).toFixed(1) + '%"></div>' : '';
      return '<td class="' + cls + '">' + cell(c.kind, r[i]) + bar + '</td>';
    }).join('') + '</tr>').join('');
    headers.forEach((h, i) => (i === sortColumn ? h.setAttribute('aria-sort', descending ? 'descending' : 'ascending') : h.removeAttribute('aria-sort')));
    status.textContent = (rows.length > shown.length ? 'showing ' + shown.length + ' of ' : '') + rows.length + (query ? ' matching' : '') + ' rows' + (rows.length !== data.rows.length ? ' (of ' + data.rows.length + ')' : '');
    root.dataset.shown = String(shown.length);
  }
  headers.forEach((h, i) => h.addEventListener('click', () => {
    if (sortColumn === i) descending = !descending;
    else { sortColumn = i; descending = NUMERIC.has(columns[i].kind); }
    render();
  }));
  input.addEventListener('input', render);
  render();
}
`;
