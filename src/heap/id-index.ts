/**
 * V8 object id → node ordinal, as an open-addressing hash table in two typed arrays (a Map of ten
 * million numbers would cost more than the snapshot's nodes).
 */
const EMPTY = 0xffffffff;

export class IdIndex {
  private readonly keys: Uint32Array;
  private readonly values: Uint32Array;
  private readonly mask: number;

  constructor(ids: Uint32Array) {
    let capacity = 16;
    while (capacity < ids.length * 2) capacity *= 2;
    this.keys = new Uint32Array(capacity).fill(EMPTY);
    this.values = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let ordinal = 0; ordinal < ids.length; ordinal++) {
      const id = ids[ordinal];
      let slot = this.slotOf(id);
      // The first node with an id wins (V8 never repeats one).
      while (this.keys[slot] !== EMPTY && this.keys[slot] !== id) slot = (slot + 1) & this.mask;
      if (this.keys[slot] === EMPTY) {
        this.keys[slot] = id;
        this.values[slot] = ordinal;
      }
    }
  }

  get(id: number): number | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= EMPTY) return undefined;
    for (let slot = this.slotOf(id); ; slot = (slot + 1) & this.mask) {
      const key = this.keys[slot];
      if (key === id) return this.values[slot];
      if (key === EMPTY) return undefined;
    }
  }

  private slotOf(id: number): number {
    return (Math.imul(id, 0x9e3779b1) >>> 0) & this.mask;
  }
}
