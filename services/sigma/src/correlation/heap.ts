/**
 * A binary min-heap of items by a numeric key, so the engine finds the windows due to close
 * without scanning every group. The engine keeps at most one entry per group and re-checks a
 * popped group's current deadline, so keys may grow after a push.
 */
export class MinHeap<T> {
  #keys: number[] = [];
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(key: number, item: T): void {
    this.#keys.push(key);
    this.#items.push(item);
    let i = this.#items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#keys[parent]! <= key) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  peekKey(): number | undefined {
    return this.#keys[0];
  }

  pop(): T | undefined {
    const n = this.#items.length;
    if (n === 0) return undefined;
    const top = this.#items[0]!;
    this.#swap(0, n - 1);
    this.#keys.pop();
    this.#items.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n - 1 && this.#keys[l]! < this.#keys[m]!) m = l;
      if (r < n - 1 && this.#keys[r]! < this.#keys[m]!) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
    return top;
  }

  clear(): void {
    this.#keys = [];
    this.#items = [];
  }

  #swap(a: number, b: number): void {
    [this.#keys[a], this.#keys[b]] = [this.#keys[b]!, this.#keys[a]!];
    [this.#items[a], this.#items[b]] = [this.#items[b]!, this.#items[a]!];
  }
}
