/**
 * A series of readings over time reduced, as it streams by, to the lowest and highest reading (with
 * their times) of each of a fixed number of time buckets, so a page can draw millions of rows and a
 * single spike still shows. The end of the trace is not known in advance: buckets start 1 µs wide and,
 * whenever a reading falls past the last one, neighbours are merged in pairs and the width doubles, so
 * between half and all of the buckets are in use at the end whatever the trace's length.
 */
export interface TimelinePoints {
  /** Times in nanoseconds, increasing; each bucket's minimum and maximum in the order they happened. */
  times: number[];
  values: number[];
}

const FIRST_WIDTH_NS = 1000;

export class MinMaxTimeline {
  /** Readings taken (NaN readings are skipped). */
  readings = 0;
  private start = Number.NaN;
  private width = FIRST_WIDTH_NS;
  private readonly count: Uint32Array;
  private readonly minValue: Float64Array;
  private readonly minTime: Float64Array;
  private readonly maxValue: Float64Array;
  private readonly maxTime: Float64Array;

  constructor(readonly buckets = 2000) {
    if (buckets < 2 || buckets % 2 !== 0) throw new RangeError(`buckets must be an even number of at least 2, not ${buckets}`);
    this.count = new Uint32Array(buckets);
    this.minValue = new Float64Array(buckets);
    this.minTime = new Float64Array(buckets);
    this.maxValue = new Float64Array(buckets);
    this.maxTime = new Float64Array(buckets);
  }

  /** The width of a bucket now, in nanoseconds. */
  get bucketWidthNs(): number {
    return this.width;
  }

  /** Buckets holding at least one reading. */
  get usedBuckets(): number {
    let used = 0;
    for (let i = 0; i < this.buckets; i++) if (this.count[i] > 0) used++;
    return used;
  }

  /** The highest reading, NaN before any. */
  get max(): number {
    let max = Number.NaN;
    for (let i = 0; i < this.buckets; i++) if (this.count[i] > 0 && !(this.maxValue[i] <= max)) max = this.maxValue[i];
    return max;
  }

  /** Adds a reading; times must not decrease. */
  add(timeNs: number, value: number): void {
    if (Number.isNaN(value)) return;
    if (Number.isNaN(this.start)) this.start = timeNs;
    let bucket = Math.floor((timeNs - this.start) / this.width);
    while (bucket >= this.buckets) {
      this.halve();
      bucket = Math.floor((timeNs - this.start) / this.width);
    }
    this.readings++;
    if (this.count[bucket]++ === 0) {
      this.minValue[bucket] = this.maxValue[bucket] = value;
      this.minTime[bucket] = this.maxTime[bucket] = timeNs;
      return;
    }
    if (value < this.minValue[bucket]) {
      this.minValue[bucket] = value;
      this.minTime[bucket] = timeNs;
    }
    if (value > this.maxValue[bucket]) {
      this.maxValue[bucket] = value;
      this.maxTime[bucket] = timeNs;
    }
  }

  /** Each used bucket's minimum and maximum (one point where they are the same reading), in time order. */
  points(): TimelinePoints {
    const times: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < this.buckets; i++) {
      if (this.count[i] === 0) continue;
      const minFirst = this.minTime[i] <= this.maxTime[i];
      times.push(minFirst ? this.minTime[i] : this.maxTime[i]);
      values.push(minFirst ? this.minValue[i] : this.maxValue[i]);
      if (this.minTime[i] !== this.maxTime[i] || this.minValue[i] !== this.maxValue[i]) {
        times.push(minFirst ? this.maxTime[i] : this.minTime[i]);
        values.push(minFirst ? this.maxValue[i] : this.minValue[i]);
      }
    }
    return { times, values };
  }

  /** Merges buckets 2i and 2i+1 into i and doubles the width. */
  private halve(): void {
    const half = this.buckets / 2;
    for (let i = 0; i < half; i++) {
      const a = 2 * i;
      const b = a + 1;
      let count = this.count[a];
      let minValue = this.minValue[a];
      let minTime = this.minTime[a];
      let maxValue = this.maxValue[a];
      let maxTime = this.maxTime[a];
      if (this.count[b] > 0) {
        if (count === 0 || this.minValue[b] < minValue) {
          minValue = this.minValue[b];
          minTime = this.minTime[b];
        }
        if (count === 0 || this.maxValue[b] > maxValue) {
          maxValue = this.maxValue[b];
          maxTime = this.maxTime[b];
        }
        count += this.count[b];
      }
      this.count[i] = count;
      this.minValue[i] = minValue;
      this.minTime[i] = minTime;
      this.maxValue[i] = maxValue;
      this.maxTime[i] = maxTime;
    }
    this.count.fill(0, half);
    this.width *= 2;
  }
}
