/** A growable Int32Array reused across calls, so encoding a text allocates no id arrays. */
export class IdBuffer {
  data: Int32Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Int32Array(capacity);
  }

  push(id: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = id;
  }

  pushAll(ids: Int32Array): void {
    const n = ids.length;
    if (this.length + n > this.data.length) this.grow(this.length + n);
    const d = this.data;
    let k = this.length;
    for (let i = 0; i < n; i++) d[k++] = ids[i]!;
    this.length = k;
  }

  private grow(min: number): void {
    const next = new Int32Array(Math.max(min, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}
