/**
 * Brands as small numbers, read straight from a tweet's bytes: the first time a brand's UTF-8 bytes are seen they get
 * the next index and are decoded to a string once; every later tweet of that brand costs a hash over its bytes and one
 * comparison, no string and no Map. An open-addressing table of indexes (linear probing, kept under half full) over
 * one growing byte store.
 */
export const MAX_BRANDS = 65_536;

export class BrandTable {
  /** Index → brand, decoded once. */
  readonly names: string[] = [];
  private slots = new Int32Array(64).fill(-1);
  private bytes = Buffer.alloc(1024);
  private used = 0;
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];

  /** The index of the brand whose UTF-8 bytes are buf[start, start + length). */
  intern(buf: Uint8Array, start: number, length: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ buf[i], 0x01000193);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const index = this.slots[slot];
      if (index < 0) return this.add(slot, buf, start, length);
      if (this.lengths[index] === length && this.equal(index, buf, start, length)) return index;
    }
  }

  /** The index of a brand given as a string (tests, callers without the bytes). */
  internString(brand: string): number {
    const bytes = Buffer.from(brand, 'utf8');
    return this.intern(bytes, 0, bytes.length);
  }

  get size(): number {
    return this.names.length;
  }

  private equal(index: number, buf: Uint8Array, start: number, length: number): boolean {
    const at = this.starts[index];
    for (let i = 0; i < length; i++) if (this.bytes[at + i] !== buf[start + i]) return false;
    return true;
  }

  private add(slot: number, buf: Uint8Array, start: number, length: number): number {
    const index = this.names.length;
    if (index >= MAX_BRANDS) throw new RangeError(`more than ${MAX_BRANDS} distinct brands`);
    if (this.used + length > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    this.bytes.set(buf.subarray(start, start + length), this.used);
    this.starts.push(this.used);
    this.lengths.push(length);
    this.used += length;
    this.names.push(Buffer.from(buf.buffer, buf.byteOffset + start, length).toString('utf8'));
    this.slots[slot] = index;
    if (this.names.length * 2 > this.slots.length) this.rehash();
    return index;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let index = 0; index < this.names.length; index++) {
      let hash = 0x811c9dc5;
      const at = this.starts[index];
      for (let i = at; i < at + this.lengths[index]; i++) hash = Math.imul(hash ^ this.bytes[i], 0x01000193);
      let slot = hash & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = index;
    }
    this.slots = slots;
  }
}
