/**
 * The flame graph's browser side: an icicle (root on top) drawn on a canvas. Nodes arrive as one flat
 * array in pre-order, so a subtree is a contiguous range and a node too narrow to see is skipped with
 * all its descendants in one step: a draw touches only what is visible, however large the tree.
 */
import { BROWSER_HELPERS } from './browser-helpers.js';

/** Numbers per node in the flat array, in this order: encodeFlameGraph (flamegraph-html.ts) pushes them so, and the script below reads them at these offsets. */
export const FLAME_FIELDS = ['name', 'file', 'line', 'column', 'selfBytes', 'totalBytes', 'selfCount', 'depth', 'group'] as const;

export const FLAME_SCRIPT = `${BROWSER_HELPERS}
const F = ${FLAME_FIELDS.length};
const ROW = 20;
const MIN_WIDTH = 0.4; // px: narrower nodes (and their subtrees) are not drawn
const MATCH = '#d01fb7';
window.memtraceFlameGraphs = window.memtraceFlameGraphs || {};
for (const root of document.querySelectorAll('.flame-graph')) {
  const data = readData(root.id + '-data');
  const raw = data.nodes;
  const count = raw.length / F;
  const str = data.strings;
  const name = (i) => str[raw[i * F]];
  const file = (i) => str[raw[i * F + 1]];
  const line = (i) => raw[i * F + 2];
  const column = (i) => raw[i * F + 3];
  const self = (i) => raw[i * F + 4];
  const total = (i) => raw[i * F + 5];
  const samples = (i) => raw[i * F + 6];
  const depth = (i) => raw[i * F + 7];
  const colour = (i) => data.groups[raw[i * F + 8]].colour;
  // parent, end of subtree (exclusive) and left offset in bytes, from the pre-order and the depths.
  const parent = new Int32Array(count).fill(-1);
  const end = new Int32Array(count);
  const offset = new Float64Array(count);
  const cursor = new Float64Array(count);
  const stack = [];
  for (let i = 0; i < count; i++) {
    while (stack.length > 0 && depth(stack[stack.length - 1]) >= depth(i)) end[stack.pop()] = i;
    if (stack.length > 0) {
      const p = stack[stack.length - 1];
      parent[i] = p;
      offset[i] = cursor[p];
      cursor[p] += total(i);
    }
    cursor[i] = offset[i];
    stack.push(i);
  }
  while (stack.length > 0) end[stack.pop()] = count;

  const canvas = root.querySelector('canvas');
  const wrap = root.querySelector('.flame-wrap');
  const ctx = canvas.getContext('2d');
  const tooltip = root.querySelector('.tooltip');
  const crumbs = root.querySelector('.crumbs');
  const input = root.querySelector('input[type=search]');
  const status = root.querySelector('.status');
  const shortFile = (f) => { const parts = f.split('/'); return parts.length > 2 ? parts.slice(-2).join('/') : f; };
  const where = (i) => file(i) ? file(i) + (line(i) ? ':' + line(i) : '') : '';
  const dim = new Map();
  function faded(c) {
    // The colour mixed 70% with white: what does not match the search stays visible but recedes.
    if (!dim.has(c)) { const n = parseInt(c.slice(1), 16); const mix = (v) => Math.round(v + (255 - v) * 0.7); dim.set(c, 'rgb(' + mix(n >> 16) + ',' + mix((n >> 8) & 255) + ',' + mix(n & 255) + ')'); }
    return dim.get(c);
  }

  let zoom = 0;
  let matched = null;
  let drawn = [];
  let charWidth = 7;
  let hovered = -1;

  function visible(width) {
    // Ancestors of the zoomed node span the full width; then its subtree, pruned by width.
    const list = [];
    for (let a = parent[zoom]; a >= 0; a = parent[a]) list.push([a, 0, width]);
    const scale = total(zoom) > 0 ? width / total(zoom) : 0;
    for (let i = zoom; i < end[zoom];) {
      const w = total(i) * scale;
      if (w < MIN_WIDTH) { i = end[i]; continue; }
      list.push([i, (offset[i] - offset[zoom]) * scale, w]);
      i++;
    }
    return list;
  }

  function draw() {
    // Laid out for the width the canvas is about to take, not the one it had: after a resize through
    // zero width (a full-page screenshot can make one) the old width drew nothing until the next resize.
    const width = wrap.clientWidth;
    const list = visible(width);
    let maxDepth = 0;
    for (const [i] of list) maxDepth = Math.max(maxDepth, depth(i));
    const ratio = window.devicePixelRatio || 1;
    const height = (maxDepth + 1) * ROW + 2;
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11.5px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
    ctx.textBaseline = 'middle';
    charWidth = ctx.measureText('abcdefghijklmnopqrstuvwxyz_.:/0123456789').width / 40;
    drawn = list;
    for (const [i, x, w] of list) {
      const y = depth(i) * ROW;
      const isAncestor = i < zoom; // only ancestors come before the zoomed node in the list
      let fill = colour(i);
      if (matched) fill = matched[i] ? MATCH : faded(fill);
      ctx.globalAlpha = isAncestor ? 0.55 : 1;
      ctx.fillStyle = fill;
      ctx.fillRect(x, y, Math.max(w - 0.6, 0.4), ROW - 1);
      if (i === hovered) { ctx.strokeStyle = '#18202e'; ctx.lineWidth = 1.5; ctx.strokeRect(x + 0.75, y + 0.75, Math.max(w - 2, 0.5), ROW - 2.5); }
      ctx.globalAlpha = 1;
      if (w > 28) {
        const text = labelFor(i, w - 8);
        if (text) { ctx.fillStyle = matched && matched[i] ? '#fff' : '#1d2330'; ctx.fillText(text, x + 4, y + ROW / 2); }
      }
    }
    root.dataset.zoom = name(zoom);
    root.dataset.zoomBytes = String(total(zoom));
    root.dataset.drawn = String(list.length);
    renderCrumbs();
  }

  function labelFor(i, room) {
    const fits = (t) => t.length * charWidth <= room;
    const size = formatBytes(total(i));
    const loc = file(i) ? shortFile(file(i)) + (line(i) ? ':' + line(i) : '') : '';
    for (const t of [name(i) + '  ' + loc + '  ' + size, name(i) + '  ' + size, name(i)]) if (fits(t)) return t;
    const n = Math.floor(room / charWidth) - 1;
    return n >= 3 ? name(i).slice(0, n) + '…' : '';
  }

  function renderCrumbs() {
    const path = [];
    for (let a = zoom; a >= 0; a = parent[a]) path.unshift(a);
    const reset = '<button type="button" data-node="0" class="reset" title="Esc">reset zoom</button><span class="sep"> · </span>';
    crumbs.innerHTML = (zoom === 0 ? '<span class="current">' + escapeHtml(name(0)) + ' — ' + formatBytes(total(0)) + ', click a frame to zoom in</span>'
      : reset + path.map((a) => a === zoom ? '<span class="current">' + escapeHtml(name(a)) + ' — ' + formatBytes(total(a)) + ' (' + percent(total(a), total(0)) + ')</span>'
        : '<button type="button" data-node="' + a + '">' + escapeHtml(name(a).length > 40 ? name(a).slice(0, 39) + '…' : name(a)) + '</button>').join('<span class="sep">›</span>'));
  }

  function nodeAt(x, y) {
    const d = Math.floor(y / ROW);
    for (const [i, nx, w] of drawn) if (depth(i) === d && x >= nx && x < nx + w) return i;
    return -1;
  }

  function showTooltip(i, event) {
    if (i < 0) { tooltip.style.display = 'none'; return; }
    const rows = [['total', formatBytes(total(i)) + ' · ' + percent(total(i), total(0)) + ' of all' + (zoom !== 0 ? ' · ' + percent(total(i), total(zoom)) + ' of zoom' : '')],
      ['self', formatBytes(self(i)) + ' · ' + percent(self(i), total(0))]];
    if (samples(i) >= 0) rows.push(['samples', String(samples(i))]);
    tooltip.innerHTML = '<div class="fn">' + escapeHtml(name(i)) + '</div><div class="loc">' + escapeHtml(where(i) + (column(i) ? ':' + column(i) : '') || 'no source position') + '</div><table>'
      + rows.map(([k, v]) => '<tr><td>' + k + '</td><td>' + v + '</td></tr>').join('') + '</table>';
    tooltip.style.display = 'block';
    const left = Math.min(event.clientX + 14, window.innerWidth - tooltip.offsetWidth - 8);
    const top = event.clientY + 16 + tooltip.offsetHeight > window.innerHeight ? event.clientY - tooltip.offsetHeight - 10 : event.clientY + 16;
    tooltip.style.left = left + 'px';
    tooltip.style.top = top + 'px';
  }

  function zoomTo(i) {
    zoom = i >= 0 && i < count ? i : 0;
    wrap.scrollTop = 0;
    draw();
    updateStatus();
  }

  function search(query) {
    const q = query.trim().toLowerCase();
    if (!q) { matched = null; root.dataset.matches = '0'; root.dataset.matchedBytes = '0'; draw(); updateStatus(); return; }
    matched = new Uint8Array(count);
    let matches = 0;
    // Names and files are interned: test each distinct string once, then each node by its string ids.
    const hit = str.map((text) => text.toLowerCase().includes(q));
    const withLine = q.includes(':');
    for (let i = 0; i < count; i++) {
      if (hit[raw[i * F]] || hit[raw[i * F + 1]] || (withLine && where(i).toLowerCase().includes(q))) { matched[i] = 1; matches++; }
    }
    root.dataset.matches = String(matches);
    draw();
    updateStatus();
  }

  /** Bytes under matching frames in the subtree of node z, each byte counted once (nested matches are not added again). */
  function matchedBytes(z) {
    let sum = 0;
    for (let i = z; i < end[z];) {
      if (matched[i]) { sum += total(i); i = end[i]; } else i++;
    }
    return sum;
  }

  function updateStatus() {
    if (!matched) { status.textContent = ''; return; }
    const all = matchedBytes(0);
    root.dataset.matchedBytes = String(all);
    let text = '<b>' + Number(root.dataset.matches).toLocaleString('en') + ' frames match</b>: ' + formatBytes(all) + ', ' + percent(all, total(0)) + ' of all';
    if (zoom !== 0) { const z = matchedBytes(zoom); text += '; ' + formatBytes(z) + ', ' + percent(z, total(zoom)) + ' of this zoom'; }
    status.innerHTML = text;
  }

  canvas.addEventListener('mousemove', (event) => {
    const box = canvas.getBoundingClientRect();
    const i = nodeAt(event.clientX - box.left, event.clientY - box.top);
    if (i !== hovered) { hovered = i; draw(); }
    showTooltip(i, event);
  });
  canvas.addEventListener('mouseleave', () => { hovered = -1; tooltip.style.display = 'none'; draw(); });
  canvas.addEventListener('click', (event) => {
    const box = canvas.getBoundingClientRect();
    const i = nodeAt(event.clientX - box.left, event.clientY - box.top);
    if (i >= 0) zoomTo(i === zoom ? Math.max(parent[i], 0) : i);
  });
  crumbs.addEventListener('click', (event) => {
    const node = event.target.closest('button[data-node]');
    if (node) zoomTo(Number(node.dataset.node));
  });
  input.addEventListener('input', () => search(input.value));
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape' && document.activeElement !== input) zoomTo(0); });
  new ResizeObserver(() => draw()).observe(wrap);

  // For tests and for the console: where a frame is drawn, and the same actions as the mouse.
  window.memtraceFlameGraphs[root.id] = {
    locate(functionName) {
      let best = null;
      for (const [i, x, w] of drawn) {
        if (name(i) === functionName && (!best || w > best.width)) best = { x, y: depth(i) * ROW, width: w, height: ROW };
      }
      if (!best) return null;
      const box = canvas.getBoundingClientRect();
      return { x: box.left + best.x + best.width / 2, y: box.top + best.y + ROW / 2, width: best.width };
    },
    zoomTo(functionName) { for (let i = 0; i < count; i++) if (name(i) === functionName) return zoomTo(i); },
    search(query) { input.value = query; search(query); },
  };
  draw();
}
`;
