/** The process logger's settings from its environment variables, checked as the CLI checks its flags. */
import { SettingError } from '../shared/errors.js';

/** Seconds between samples: a number of at least 0.001; 0.1 when unset. */
export function parseIntervalSetting(text: string | undefined, setting = 'MEMTRACE_PROCESS_INTERVAL'): number {
  if (text === undefined || text === '') return 0.1;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new SettingError(setting, text, 'a number of seconds above 0, such as 0.1');
  if (value < 0.001) throw new SettingError(setting, text, 'at least 0.001 (one millisecond)');
  return value;
}

/** Seconds between USS/PSS reads: a number >= 0 (0: never); 1 when unset. */
export function parseSmapsInterval(text: string | undefined, setting = 'MEMTRACE_PROCESS_SMAPS_INTERVAL'): number {
  if (text === undefined || text === '') return 1;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new SettingError(setting, text, 'a number of seconds (0 for never), such as 1');
  return value;
}
