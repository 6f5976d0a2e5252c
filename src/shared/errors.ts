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

  constructor(
    readonly setting: string,
    value: string,
    accepts: string,
  ) {
    super(`memtrace: ${setting}=${JSON.stringify(value)} is not valid: ${accepts}`);
  }
}

/** A module that Babel cannot parse; it then runs untraced. */
export class ParseError extends MemtraceError {
  constructor(
    readonly file: string,
    line: number | undefined,
    column: number | undefined,
    detail: string,
  ) {
    const where = line === undefined ? file : `${file}:${line}:${(column ?? 0) + 1}`;
    super(`memtrace: cannot parse ${where}: ${detail.replace(/\s*\(\d+:\d+\)$/, '')}; it runs untraced`);
  }
}

/**
 * The trace directory cannot be made or written (permission denied, a path under a file, a read-only
 * or full file system). The program then runs untraced: the loader prints this line and goes on.
 */
export class TraceWriteError extends MemtraceError {
  constructor(
    readonly directory: string,
    error: unknown,
  ) {
    const e = error as NodeJS.ErrnoException;
    const reason =
      {
        EACCES: 'permission denied',
        EPERM: 'permission denied',
        ENOTDIR: 'a part of the path is a file',
        EEXIST: 'a file is in the way',
        ENOENT: 'a part of the path cannot hold a directory (a symbolic link to nothing, or a path under /proc)',
        EROFS: 'read-only file system',
        ENOSPC: 'disk full',
      }[e.code ?? ''] ??
      e.code ??
      e.message;
    super(`memtrace: cannot write the trace to ${directory}: ${reason}; the program runs untraced`);
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
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`memtrace: ${file}: ${oneLine(problem)}`);
  }
}

/** A report that could not be written (a missing directory, a full disk, no permission). */
export class ReportWriteError extends MemtraceError {
  constructor(
    readonly file: string,
    error: unknown,
  ) {
    super(`memtrace: cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A heap snapshot file that is empty, truncated, corrupt or not a V8 heap snapshot. */
export class HeapSnapshotError extends MemtraceError {
  /** `offset` is the byte where the problem was found, when there is one. */
  constructor(
    readonly file: string,
    problem: string,
    readonly offset?: number,
  ) {
    super(`memtrace: ${file}: ${oneLine(problem)}`);
  }
}

// --- heap snapshots of the live process (writeSnapshot, sizeOf, trackClass) ---

/** A library function called with an argument it cannot use (sizeOf of a number, trackClass of an arrow function). */
export class InvalidArgumentError extends MemtraceError {
  override readonly exitCode = 2;

  constructor(
    readonly functionName: string,
    problem: string,
  ) {
    super(`memtrace: ${functionName}: ${problem}`);
  }
}

/** A heap snapshot that could not be written (a missing directory, a full disk, no permission). */
export class SnapshotWriteError extends MemtraceError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
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

  constructor(
    readonly command: string,
    code: string | undefined,
  ) {
    const notFound = code === 'ENOENT';
    super(`memtrace process: ${notFound ? 'command not found' : `cannot run the command (${code ?? 'unknown error'})`}: ${command}`);
    this.exitCode = notFound ? 127 : 126;
  }
}

// memtrace query and export

/** DuckDB, the engine of `memtrace query` and `export`, is an optional dependency that may not be installed. */
export class QueryEngineMissingError extends MemtraceError {
  override readonly exitCode = 2;

  constructor(
    readonly command: string,
    detail: string,
  ) {
    super(
      `memtrace ${command}: needs the optional package @duckdb/node-api (not loadable on ${process.platform}-${process.arch}, Node ${process.version}: ${detail}); install it with: npm install @duckdb/node-api`,
    );
  }
}

/** A query or export that DuckDB refused or failed: its message's first line, with the trace directory. */
export class QueryError extends MemtraceError {
  constructor(
    readonly command: string,
    readonly directory: string,
    problem: string,
  ) {
    super(`memtrace ${command}: ${directory}: ${problem}`);
  }
}

// memtrace/test

/** limitMemory: the block's memory went over its limit. `code` is 'ERR_MEMTRACE_MEMORY_LIMIT'. */
export class MemoryLimitError extends MemtraceError {
  readonly code = 'ERR_MEMTRACE_MEMORY_LIMIT';

  constructor(
    message: string,
    readonly limit: number,
    readonly bytes: number,
    readonly measure: string,
  ) {
    super(message);
  }
}

/** limitLeaks: memory retained per call grew. `code` is 'ERR_MEMTRACE_MEMORY_LEAK'. */
export class MemoryLeakError extends MemtraceError {
  readonly code = 'ERR_MEMTRACE_MEMORY_LEAK';

  constructor(
    message: string,
    readonly bytesPerCall: number,
    readonly allowed: number,
  ) {
    super(message);
  }
}
