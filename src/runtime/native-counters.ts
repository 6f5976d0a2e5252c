// Placeholder until the native addon lands (helper owns this file).
export interface NativeCounters {
  readonly kind: 'native';
  readonly values: Float64Array;
  read(): void;
  readTime(): void;
  readRss(): number;
  readExternal(): void;
}
export function loadNativeCounters(): NativeCounters | null {
  return null;
}
