/**
 * What group a node belongs to in a summary: its constructor (Chrome DevTools' "class name"), its node
 * type, or the edge that holds it (Heapy's "via").
 */
import type { RawSnapshot } from '../formats/heapsnapshot.js';

export type Classifier = 'constructor' | 'type' | 'via';
export const CLASSIFIERS: readonly Classifier[] = ['constructor', 'type', 'via'];

/** DevTools' names for the groups of nodes that have no constructor of their own. */
const GROUP_OF_TYPE: Record<string, string> = {
  hidden: '(system)',
  array: '(array)',
  string: '(string)',
  'concatenated string': '(string)',
  'sliced string': '(string)',
  code: '(compiled code)',
  closure: '(closure)',
  regexp: '(regexp)',
  number: '(number)',
  symbol: '(symbol)',
  bigint: '(bigint)',
  'object shape': '(object shape)',
};

/** The constructor name for objects and native objects; a parenthesised group for everything else. */
export function classNameOf(raw: RawSnapshot, ordinal: number): string {
  return classNameFor(raw.meta.nodeTypes[raw.nodeType[ordinal]] ?? 'unknown', raw.strings[raw.nodeName[ordinal]] ?? '');
}

export function classNameFor(type: string, name: string): string {
  if (type === 'object' || type === 'native' || type === 'synthetic') return name || 'Object';
  return GROUP_OF_TYPE[type] ?? `(${type})`;
}

/**
 * Numbers each node's group: `classOf[ordinal]` is an index into `names`. `keyOf` gives a number that
 * decides the group (for example type and name-string index together) and `nameOf` turns it into the
 * group's name, once per distinct key, so ten million nodes cost ten million number lookups, not
 * string operations.
 */
export function classifyNodes(
  nodeCount: number,
  keyOf: (ordinal: number) => number,
  nameOf: (key: number) => string,
): { classOf: Uint32Array; names: string[] } {
  const classOf = new Uint32Array(nodeCount);
  const names: string[] = [];
  const byName = new Map<string, number>();
  const byKey = new Map<number, number>();
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    const key = keyOf(ordinal);
    let group = byKey.get(key);
    if (group === undefined) {
      const name = nameOf(key);
      group = byName.get(name);
      if (group === undefined) {
        group = names.length;
        names.push(name);
        byName.set(name, group);
      }
      byKey.set(key, group);
    }
    classOf[ordinal] = group;
  }
  return { classOf, names };
}
