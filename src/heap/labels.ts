/** How edges read in retainer paths and "via" groups. */

/**
 * How an edge reads in a path: `.name` for a property, `[3]` for an element (and for V8's numbered
 * internal slots, such as a Map's table entries), `::name` for a closure's variable, `.{name}` for V8's
 * internal links.
 */
export function edgeLabel(type: string, name: string): string {
  if (type === 'element' || ((type === 'internal' || type === 'hidden') && /^\d+$/.test(name))) return `[${name}]`;
  switch (type) {
    case 'hidden':
      return `{${name}}`;
    case 'context':
      return `::${name}`;
    case 'internal':
      return `.{${name}}`;
    case 'weak':
      return `.(weak ${name})`;
    default:
      return `.${name}`;
  }
}

/** The label with any index left out, so objects held by the same array or table read alike. */
export function foldedEdgeLabel(type: string, name: string): string {
  const label = edgeLabel(type, name);
  return /^\[\d*\]$/.test(label) ? '[]' : label;
}
