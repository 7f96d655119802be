/**
 * The alert queue's page read from Elasticsearch's answer as text: each hit's `_source` is
 * copied as it is into the API's answer instead of parsed into objects and serialised again —
 * parsing, `JSON.stringify` and the garbage they leave were a quarter of the API's busy time
 * under the queue benchmark (BENCHMARKS.md). Only the structure around the sources is walked,
 * by the JSON grammar (strings with their escapes, nested values skipped whole), so nothing
 * inside an alert can be taken for structure. Elasticsearch validated every source when it
 * was indexed; what is copied is that JSON.
 *
 * Expects the answer of a search with `filter_path=hits.total,hits.hits._source,hits.hits.sort`.
 */
export interface RawPage {
  /** Each hit's `_source`, as JSON text. */
  sources: string[];
  /** The last hit's sort values (for search_after), when there is a hit. */
  lastSort: (string | number | null)[] | undefined;
  total: number;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

class Walker {
  constructor(readonly text: string) {}

  ws(i: number): number {
    while (isSpace(this.text.charCodeAt(i))) i++;
    return i;
  }

  expect(i: number, ch: string): number {
    if (this.text[i] !== ch) throw new SyntaxError(`expected ${ch} at ${i} in Elasticsearch's answer`);
    return i + 1;
  }

  /** `i` at the opening quote; returns the index after the closing one. */
  string(i: number): number {
    let j = i + 1;
    for (;;) {
      const q = this.text.indexOf('"', j);
      if (q < 0) throw new SyntaxError('unterminated string in Elasticsearch’s answer');
      let bs = 0;
      while (this.text.charCodeAt(q - 1 - bs) === 0x5c) bs++;
      if (bs % 2 === 0) return q + 1;
      j = q + 1;
    }
  }

  /** Any value starting at `i`; returns the index after it. */
  value(i: number): number {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c === 0x22) return this.string(i);
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      for (let j = i; j < t.length; j++) {
        const d = t.charCodeAt(j);
        if (d === 0x22) j = this.string(j) - 1;
        else if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          depth--;
          if (depth === 0) return j + 1;
        }
      }
      throw new SyntaxError('unterminated value in Elasticsearch’s answer');
    }
    let j = i;
    while (j < t.length && !',}]'.includes(t[j]!) && !isSpace(t.charCodeAt(j))) j++;
    if (j === i) throw new SyntaxError(`no value at ${i} in Elasticsearch's answer`);
    return j;
  }

  /** An object at `i`: calls `onMember(key, start, end)` for each member; returns the index after it. */
  object(i: number, onMember: (key: string, start: number, end: number) => void): number {
    let j = this.ws(this.expect(this.ws(i), '{'));
    if (this.text[j] === '}') return j + 1;
    for (;;) {
      const k0 = this.ws(j);
      const k1 = this.string(k0);
      const key = JSON.parse(this.text.slice(k0, k1)) as string;
      const v0 = this.ws(this.expect(this.ws(k1), ':'));
      const v1 = this.value(v0);
      onMember(key, v0, v1);
      j = this.ws(v1);
      if (this.text[j] === '}') return j + 1;
      j = this.expect(j, ',');
    }
  }

  /** An array at `i`: calls `onItem(start)` for each item, which returns the index after it. */
  array(i: number, onItem: (start: number) => number): number {
    let j = this.ws(this.expect(this.ws(i), '['));
    if (this.text[j] === ']') return j + 1;
    for (;;) {
      j = this.ws(onItem(this.ws(j)));
      if (this.text[j] === ']') return j + 1;
      j = this.expect(j, ',');
    }
  }
}

export function rawPage(text: string): RawPage {
  const w = new Walker(text);
  const page: RawPage = { sources: [], lastSort: undefined, total: 0 };
  w.object(0, (key, s0) => {
    if (key !== 'hits') return;
    w.object(s0, (k, v0, v1) => {
      if (k === 'total') {
        const t = JSON.parse(text.slice(v0, v1)) as number | { value: number };
        page.total = typeof t === 'number' ? t : t.value;
      } else if (k === 'hits')
        w.array(v0, (h0) =>
          w.object(h0, (hk, x0, x1) => {
            if (hk === '_source') page.sources.push(text.slice(x0, x1));
            else if (hk === 'sort') page.lastSort = JSON.parse(text.slice(x0, x1));
          }),
        );
    });
  });
  return page;
}
