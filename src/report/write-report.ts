/** Writing a report file, with a failure (no such directory, disk full) as a one-line ReportWriteError. */
import { writeFileSync } from 'node:fs';
import { ReportWriteError } from '../shared/errors.js';

export function writeReport(path: string, content: string): void {
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw new ReportWriteError(path, error);
  }
}
