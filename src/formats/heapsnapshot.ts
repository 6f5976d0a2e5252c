/**
 * The V8 `.heapsnapshot` format, as memtrace holds it in memory: one typed array per node field and per
 * edge field (no object per node), and the strings in one table. The file itself is JSON:
 *
 *   {"snapshot":{"meta":{"node_fields":[…],"node_types":[[…],…],"edge_fields":[…],"edge_types":[[…],…],…},
 *                "node_count":N,"edge_count":M,…},
 *    "nodes":[type,name,id,self_size,edge_count,trace_node_id,detachedness, …],
 *    "edges":[type,name_or_index,to_node, …],
 *    "trace_function_infos":[…],"trace_tree":[…],"samples":[…],"locations":[…],
 *    "strings":["…",…]}
 *
 * A node's edges follow those of the node before it (edge_count says how many); `to_node` is the index
 * of the target's first field in "nodes" (ordinal × node field count); `name_or_index` is a string
 * index, except for element and hidden edges where it is the element index.
 */
export interface SnapshotMeta {
  nodeFields: string[];
  /** The names of the values of the node "type" field ('hidden', 'array', 'string', 'object', …). */
  nodeTypes: string[];
  edgeFields: string[];
  /** The names of the values of the edge "type" field ('context', 'element', 'property', …). */
  edgeTypes: string[];
}

export interface RawSnapshot {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  nodeType: Uint8Array;
  /** Index into `strings`. */
  nodeName: Uint32Array;
  /** V8's object id: what the inspector's heap object ids are; allocation order, so it only grows. */
  nodeId: Uint32Array;
  nodeSelfSize: Float64Array;
  /** 0 unknown, 1 attached, 2 detached (DOM objects in browsers); all 0 where the field is absent. */
  nodeDetachedness: Uint8Array;
  /** Node ordinal → its first edge; firstEdge[nodeCount] is edgeCount. */
  firstEdge: Uint32Array;
  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array;
  /** The target's node ordinal (the file's to_node divided by the node field count). */
  edgeToNode: Uint32Array;
  strings: string[];
}

/** The node fields and edge fields memtrace needs; any others (trace_node_id, …) are read and dropped. */
export const REQUIRED_NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count'] as const;
export const REQUIRED_EDGE_FIELDS = ['type', 'name_or_index', 'to_node'] as const;

/** Checks the parsed `snapshot` header and returns its meta, or a sentence saying what is wrong. */
export function parseSnapshotHeader(header: unknown): { meta: SnapshotMeta; nodeCount: number; edgeCount: number } | string {
  if (typeof header !== 'object' || header === null) return 'its "snapshot" entry is not an object';
  const { meta, node_count: nodeCount, edge_count: edgeCount } = header as Record<string, unknown>;
  if (typeof meta !== 'object' || meta === null) return 'its "snapshot" entry has no "meta"';
  const m = meta as Record<string, unknown>;
  const nodeFields = m.node_fields;
  const edgeFields = m.edge_fields;
  if (!isStringArray(nodeFields) || !isStringArray(edgeFields)) return 'its meta has no node_fields/edge_fields';
  for (const field of REQUIRED_NODE_FIELDS) if (!nodeFields.includes(field)) return `its meta's node_fields lack "${field}"`;
  for (const field of REQUIRED_EDGE_FIELDS) if (!edgeFields.includes(field)) return `its meta's edge_fields lack "${field}"`;
  const nodeTypes = (m.node_types as unknown[] | undefined)?.[nodeFields.indexOf('type')];
  const edgeTypes = (m.edge_types as unknown[] | undefined)?.[edgeFields.indexOf('type')];
  if (!isStringArray(nodeTypes) || !isStringArray(edgeTypes)) return 'its meta has no node_types/edge_types';
  // The counts size the typed arrays before a node is read: a corrupt one must not reach them.
  for (const [key, count] of [
    ['node_count', nodeCount],
    ['edge_count', edgeCount],
  ] as const) {
    if (count !== undefined && !(Number.isSafeInteger(count) && (count as number) >= 0))
      return `its ${key} ${JSON.stringify(count)} is not a count`;
  }
  return {
    meta: { nodeFields, nodeTypes, edgeFields, edgeTypes },
    nodeCount: (nodeCount as number | undefined) ?? 0,
    edgeCount: (edgeCount as number | undefined) ?? 0,
  };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** What is wrong with a snapshot file and where (a byte offset, when there is one); the reader adds the file name. */
export class ScanProblem extends Error {
  constructor(
    message: string,
    readonly offset: number | undefined,
  ) {
    super(message);
  }
}
