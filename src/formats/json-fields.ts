/**
 * Checking the fields of a small JSON file memtrace wrote (meta.json, allocations.json) before a report
 * reads them: a hand-edited or damaged file then gives one line naming the field, not a TypeError.
 */
export type FieldType = 'string' | 'number' | 'object' | 'boolean';

/** `fields`: dotted paths (`events.rowsWritten`) and the type each must have. */
export function fieldProblem(value: unknown, fields: ReadonlyArray<readonly [string, FieldType]>): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  for (const [path, type] of fields) {
    const field = path
      .split('.')
      .reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined), value);
    if (typeof field !== type || field === null || Array.isArray(field))
      return `"${path}" is ${field === undefined ? 'missing' : `not a ${type}`}`;
  }
  return undefined;
}
