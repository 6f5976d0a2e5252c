/**
 * What the probes cost a call, the figures the probes subtract (Global.CAL_* in src/shared/layouts.ts)
 * and meta.json records. Here, below both, because the probes (runtime) and meta.json (formats) need it.
 */

/** What the probes cost one measured call, measured at start (tracer/calibrate.ts) and subtracted from every call; meta.json records it. */
export interface Calibration {
  /** Bytes one measured call's own probes add to its own total. */
  selfBytes: number;
  /** Bytes one measured call's probes add to each enclosing measured call. */
  nestedBytes: number;
  selfNs: number;
  nestedNs: number;
  /** ns a counted (not measured) call's probes add to its enclosing measured call. */
  countedNs: number;
  /** Calls run to measure the figures above. */
  samples: number;
}
