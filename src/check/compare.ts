/**
 * Compares a trace's per-function figures with a baseline. A function regresses when its figure grew
 * by more than the tolerance allows AND by at least minBytes: the tolerance absorbs proportional noise,
 * the floor keeps small functions from flapping on a few bytes of V8's own work.
 */
import type { BaselineFunction } from '../formats/baseline.js';
import { functionKey } from './figures.js';

/** Which figure is compared: inclusive bytes allocated (default), the function's own, or peak heap growth. */
export type CheckMetric = 'allocated' | 'self' | 'peak';

export const METRIC_FIELD: Record<CheckMetric, 'totalAllocBytes' | 'selfAllocBytes' | 'maxHeapGrowthBytes'> = {
  allocated: 'totalAllocBytes',
  self: 'selfAllocBytes',
  peak: 'maxHeapGrowthBytes',
};

export interface CheckOptions {
  /** Allowed growth as a fraction of the baseline figure (0.1 for 10 %). */
  tolerance: number;
  /** Growth below this many bytes never fails. */
  minBytes: number;
  metric: CheckMetric;
}

export interface FunctionChange {
  before: BaselineFunction;
  after: BaselineFunction;
  /** The compared figure's growth in bytes (negative: it shrank). */
  change: number;
}

export interface CheckResult {
  options: CheckOptions;
  /**
   * Functions over the allowance, the one whose own bytes grew most first: a leaf that doubles makes
   * every caller's inclusive figure grow too, and the leaf is where to look.
   */
  regressions: FunctionChange[];
  /** Every function present in both, in the baseline's order. */
  compared: FunctionChange[];
  /** In the trace, not in the baseline, with at least minBytes of the figure. */
  added: BaselineFunction[];
  /** In the baseline, not in the trace (renamed, removed, or not called this time). */
  removed: BaselineFunction[];
}

const ownGrowth = ({ before, after }: FunctionChange) => after.selfAllocBytes - before.selfAllocBytes;

export function compareWithBaseline(
  baseline: readonly BaselineFunction[],
  current: Map<string, BaselineFunction>,
  options: CheckOptions,
): CheckResult {
  const field = METRIC_FIELD[options.metric];
  const compared: FunctionChange[] = [];
  const removed: BaselineFunction[] = [];
  const known = new Set<string>();
  for (const before of baseline) {
    const key = functionKey(before);
    known.add(key);
    const after = current.get(key);
    if (after) compared.push({ before, after, change: after[field] - before[field] });
    else removed.push(before);
  }
  const regressions = compared
    .filter(({ before, change }) => change >= options.minBytes && change > options.tolerance * before[field])
    .sort((a, b) => ownGrowth(b) - ownGrowth(a) || b.change - a.change);
  const added = [...current.entries()]
    .filter(([key, after]) => !known.has(key) && after[field] >= options.minBytes)
    .map(([, after]) => after);
  return { options, regressions, compared, added, removed };
}
