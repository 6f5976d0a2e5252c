/**
 * The flame graph reporter: allocations by call stack as an icicle on a canvas (sized by bytes,
 * coloured by package or file, with a tooltip, search and click-to-zoom), and allocations by line as
 * a sortable table. `renderFlameGraphSections` gives the sections for a larger report;
 * `renderFlameGraphPage` a page of its own.
 */
import { escapeHtml, dataScript } from './html/escape.js';
import { FLAME_SCRIPT } from './html/flame-script.js';
import { renderPage, type PageSection } from './html/page.js';
import { renderDataTable, TABLE_SCRIPT } from './html/table.js';
import { lineRowWhere, topLines, walkFlameTree, type FlameNode, type LineRow } from './flame-tree.js';
import { formatBytes } from '../shared/units.js';

/** What a frame is coloured by: its npm package, `node:` for Node's own code, V8, or its file. */
export function colourGroup(file: string): string {
  if (!file) return '(V8 and native)';
  if (file.startsWith('node:')) return 'node: (Node.js internals)';
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = file.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') && parts.length > 1 ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return file;
}

function hash(text: string): number {
  // FNV-1a: stable across runs, so a file keeps its colour from one report to the next.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Warm colours for the program's own files, cool ones for packages, greys for Node and V8. */
export function groupColour(group: string): string {
  if (group === '(V8 and native)') return '#c4c9d1';
  if (group === 'node: (Node.js internals)') return '#a9bcd3';
  const h = hash(group);
  const isPackage = !group.includes('/') || group.startsWith('@');
  const hue = isPackage ? 150 + (h % 110) : 8 + (h % 42);
  const saturation = isPackage ? 45 + ((h >>> 8) % 20) : 78 + ((h >>> 8) % 15);
  const lightness = isPackage ? 62 + ((h >>> 16) % 12) : 58 + ((h >>> 16) % 12);
  return hslToHex(hue, saturation, lightness);
}

function hslToHex(h: number, s: number, l: number): string {
  const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const value = l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * value)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

export interface FlameGraphData {
  strings: string[];
  /** FLAME_FIELDS numbers per node, in pre-order. */
  nodes: number[];
  groups: Array<{ name: string; colour: string; selfBytes: number }>;
}

/** The tree as the page's script reads it: strings interned, one flat number array in pre-order. */
export function encodeFlameGraph(root: FlameNode): FlameGraphData {
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const intern = (text: string) => {
    let id = stringIds.get(text);
    if (id === undefined) stringIds.set(text, (id = strings.push(text) - 1));
    return id;
  };
  const groups: FlameGraphData['groups'] = [];
  const groupIds = new Map<string, number>();
  const nodes: number[] = [];
  // A builtin (no file) takes its caller's colour: it allocates on that code's behalf.
  const groupOf = new Map<FlameNode, number>();
  const groupOfFile = new Map<string, number>();
  walkFlameTree(root, (node, depth, parent) => {
    let groupId = !node.file && parent ? groupOf.get(parent) : groupOfFile.get(node.file);
    if (groupId === undefined) {
      const group = colourGroup(node.file);
      groupId = groupIds.get(group);
      if (groupId === undefined)
        groupIds.set(group, (groupId = groups.push({ name: group, colour: groupColour(group), selfBytes: 0 }) - 1));
      if (node.file || !parent) groupOfFile.set(node.file, groupId);
    }
    groupOf.set(node, groupId);
    groups[groupId].selfBytes += node.selfBytes;
    // In the order of FLAME_FIELDS.
    nodes.push(
      intern(node.name),
      intern(node.file),
      node.line,
      node.column,
      node.selfBytes,
      node.totalBytes,
      node.selfCount ?? -1,
      depth,
      groupId,
    );
  });
  return { strings, nodes, groups };
}

export interface FlameGraphOptions {
  /** Element id prefix, unique within the page. */
  id?: string;
  /** What the bytes are ("allocated while sampling, still live at the end"). */
  description?: string;
  /** The flame graph section's title (default "Allocations by call stack"). */
  title?: string;
  /** Rows of the top-lines table. */
  lineLimit?: number;
  /** The top-lines rows when known better than the tree's function starts (allocations.csv's statements). */
  lines?: LineRow[];
}

/** The flame graph and the top-lines table, as two sections of a page (its scripts: FLAME_SCRIPT, TABLE_SCRIPT). */
export function renderFlameGraphSections(root: FlameNode, options: FlameGraphOptions = {}): PageSection[] {
  const id = options.id ?? 'allocations';
  const data = encodeFlameGraph(root);
  const legend = data.groups
    .map((g, i) => ({ ...g, i }))
    .filter((g) => g.selfBytes > 0)
    .sort((a, b) => b.selfBytes - a.selfBytes)
    .slice(0, 12)
    .map((g) => `<span><i style="background:${g.colour}"></i>${escapeHtml(shortGroup(g.name))} ${formatBytes(g.selfBytes)}</span>`)
    .join('');
  const flame = `<div class="flame-graph" id="${escapeHtml(id)}-flame">
<div class="toolbar"><input type="search" placeholder="search functions and files" aria-label="search the flame graph"><span class="status"></span></div>
<div class="crumbs"></div>
<div class="flame-wrap"><canvas></canvas></div>
<div class="tooltip"></div>
<div class="legend">self bytes by colour: ${legend}</div>
${dataScript(`${id}-flame-data`, data)}
</div>`;
  const lines = options.lines ?? topLines(root);
  const table = renderDataTable({
    id: `${id}-lines`,
    columns: [
      { label: 'self', kind: 'bytes', title: 'bytes allocated by this function itself' },
      { label: 'total', kind: 'bytes', title: 'bytes allocated by it and what it called' },
      { label: 'function', kind: 'function' },
      { label: 'where', kind: 'where' },
    ],
    rows: lines.map((r) => [r.selfBytes, r.totalBytes, r.function, lineRowWhere(r)]),
    sortColumn: 0,
    limit: options.lineLimit ?? 300,
  });
  return [
    {
      id: `${id}-flame-section`,
      title: options.title ?? 'Allocations by call stack',
      hint: `${options.description ?? 'Sampled allocations'}, ${formatBytes(root.totalBytes)} in all. Width is bytes; each row calls the one below it. Hover for figures, click a frame to zoom, search to highlight.`,
      html: flame,
    },
    {
      id: `${id}-lines-section`,
      title: 'Top lines',
      hint: 'Allocations by function and line. Self: allocated in the frame itself; total: also in what it called (counted once under recursion). Click a header to sort.',
      html: table,
    },
  ];
}

function shortGroup(group: string): string {
  const parts = group.split('/');
  return parts.length > 3 ? `…/${parts.slice(-2).join('/')}` : group;
}

/** A page of its own: the flame graph and the top lines of one profile. */
export function renderFlameGraphPage(root: FlameNode, source: string, options: FlameGraphOptions = {}): string {
  return renderPage({
    title: 'memtrace allocations',
    source,
    sections: renderFlameGraphSections(root, options),
    scripts: [FLAME_SCRIPT, TABLE_SCRIPT],
  });
}
