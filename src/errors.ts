/**
 * The errors a user can act on. Each message is one line that names the file or setting and the
 * problem; only the CLI turns them into exit codes.
 */
export class MemtraceError extends Error {
  /** The exit status the CLI uses for this kind of error. */
  readonly exitCode: number = 1;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A setting (environment variable or flag) with a value it does not accept. */
export class SettingError extends MemtraceError {
  override readonly exitCode = 2;

  constructor(readonly setting: string, value: string, accepts: string) {
    super(`memtrace: ${setting}=${JSON.stringify(value)} is not valid: ${accepts}`);
  }
}

/** A module that Babel cannot parse; it then runs untraced. */
export class ParseError extends MemtraceError {
  constructor(readonly file: string, line: number | undefined, column: number | undefined, detail: string) {
    const where = line === undefined ? file : `${file}:${line}:${(column ?? 0) + 1}`;
    super(`memtrace: cannot parse ${where}: ${detail.replace(/\s*\(\d+:\d+\)$/, '')}; it runs untraced`);
  }
}

/**
 * A problem as one line: what a parser says of a bad file can span lines (V8's JSON.parse quotes the
 * text around the bad character, newlines and all).
 */
function oneLine(problem: string): string {
  return problem.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ');
}

/** A trace file that is missing, truncated or not of the expected format. */
export class TraceFileError extends MemtraceError {
  constructor(readonly file: string, problem: string) {
    super(`memtrace: ${file}: ${oneLine(problem)}`);
  }
}

/** A heap snapshot file that is empty, truncated, corrupt or not a V8 heap snapshot. */
export class HeapSnapshotError extends MemtraceError {
  /** `offset` is the byte where the problem was found, when there is one. */
  constructor(readonly file: string, problem: string, readonly offset?: number) {
    super(`memtrace: ${file}: ${oneLine(problem)}`);
  }
}

// --- heap snapshots of the live process (writeSnapshot, sizeOf, trackClass) ---

/** A library function called with an argument it cannot use (sizeOf of a number, trackClass of an arrow function). */
export class InvalidArgumentError extends MemtraceError {
  override readonly exitCode = 2;

  constructor(readonly functionName: string, problem: string) {
    super(`memtrace: ${functionName}: ${problem}`);
  }
}

/** A heap snapshot that could not be written (a missing directory, a full disk, no permission). */
export class SnapshotWriteError extends MemtraceError {
  constructor(readonly file: string, problem: string) {
    super(`memtrace: cannot write the heap snapshot ${file}: ${problem}`);
  }
}

// memtrace process

/** `memtrace process --pid N` for a process that does not exist (or is gone). */
export class ProcessNotFoundError extends MemtraceError {
  constructor(readonly pid: number) {
    super(`memtrace process: no process with pid ${pid}`);
  }
}

/** `memtrace process -- cmd` where cmd cannot be run: 127 (not found) or 126 (not executable), as a shell says. */
export class CommandNotFoundError extends MemtraceError {
  override readonly exitCode: number;

  constructor(readonly command: string, code: string | undefined) {
    const notFound = code === 'ENOENT';
    super(`memtrace process: ${notFound ? 'command not found' : `cannot run the command (${code ?? 'unknown error'})`}: ${command}`);
    this.exitCode = notFound ? 127 : 126;
  }
}
