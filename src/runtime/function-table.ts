/**
 * Every traced function, by the static id the transform gave it (a module's base id plus its index).
 * Data only: written once per module as the module registers, read by the probes (by id), the
 * writer and every reporter.
 */
export interface FunctionInfo {
  name: string;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** As the transform emits it: [name, line, column] or [name, line, column, file] when a map says another file. */
export type ModuleFunctionEntry = [string, number, number] | [string, number, number, string];

export class FunctionTable {
  readonly functions: FunctionInfo[] = [];
  private readonly listeners: Array<(first: number, added: readonly FunctionInfo[]) => void> = [];

  /** Adds a module's functions; returns the id of the first. */
  addModule(file: string, entries: readonly ModuleFunctionEntry[]): number {
    return this.add(entries.map(([name, line, column, own]) => ({ name, file: own ?? file, line, column })));
  }

  addFunction(name: string, file: string, line: number, column: number): number {
    return this.add([{ name, file, line, column }]);
  }

  rename(id: number, name: string): void {
    const info = this.functions[id];
    if (!info || info.name === name) return;
    info.name = name;
    for (const listener of this.listeners) listener(id, [info]);
  }

  get size(): number {
    return this.functions.length;
  }

  /** `listener(first, added)` hears of every function added (or renamed) from now on. */
  onAdd(listener: (first: number, added: readonly FunctionInfo[]) => void): void {
    this.listeners.push(listener);
  }

  private add(added: FunctionInfo[]): number {
    const first = this.functions.length;
    this.functions.push(...added);
    for (const listener of this.listeners) listener(first, added);
    return first;
  }
}
