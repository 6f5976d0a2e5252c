// An independent, slow reading of a small .heapsnapshot for the tests: JSON.parse of the whole file,
// and retained sizes by definition: what the root no longer reaches (through strong edges: weak ones
// never, shortcuts only from the root) once the object is taken away.
import { readFileSync } from 'node:fs';

export function parseWhole(file) {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const meta = json.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const nodeTypes = meta.node_types[meta.node_fields.indexOf('type')];
  const edgeTypes = meta.edge_types[meta.edge_fields.indexOf('type')];
  const count = json.nodes.length / nodeFields;
  const field = (name) => meta.node_fields.indexOf(name);
  const nodes = [];
  let edge = 0;
  for (let i = 0; i < count; i++) {
    const base = i * nodeFields;
    const node = {
      type: nodeTypes[json.nodes[base + field('type')]],
      name: json.strings[json.nodes[base + field('name')]],
      id: json.nodes[base + field('id')],
      selfSize: json.nodes[base + field('self_size')],
      edges: [],
    };
    const edgeCount = json.nodes[base + field('edge_count')];
    for (let k = 0; k < edgeCount; k++, edge++) {
      const e = edge * edgeFields;
      const type = edgeTypes[json.edges[e + meta.edge_fields.indexOf('type')]];
      const nameOrIndex = json.edges[e + meta.edge_fields.indexOf('name_or_index')];
      node.edges.push({
        type,
        name: type === 'element' || type === 'hidden' ? String(nameOrIndex) : json.strings[nameOrIndex],
        to: json.edges[e + meta.edge_fields.indexOf('to_node')] / nodeFields,
      });
    }
    nodes.push(node);
  }
  return { nodes, strings: json.strings };
}

/** Nodes the root (0) reaches without passing through `removed`; a Uint8Array of flags. */
export function reachable(graph, removed = -1) {
  const seen = new Uint8Array(graph.nodes.length);
  const stack = [0];
  seen[0] = 1;
  while (stack.length > 0) {
    const from = stack.pop();
    for (const edge of graph.nodes[from].edges) {
      if (edge.type === 'weak' || (edge.type === 'shortcut' && from !== 0)) continue;
      if (seen[edge.to] || edge.to === removed) continue;
      seen[edge.to] = 1;
      stack.push(edge.to);
    }
  }
  return seen;
}

/** retained(x): the self sizes of the nodes reachable from the root that x's removal makes unreachable. */
export function bruteRetained(graph, x, baseline = reachable(graph)) {
  if (!baseline[x]) return undefined;
  const after = reachable(graph, x);
  let total = 0;
  for (let i = 0; i < graph.nodes.length; i++) if (baseline[i] && !after[i]) total += graph.nodes[i].selfSize;
  return total;
}
