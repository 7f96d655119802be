/**
 * A multi-pattern substring scanner (Aho–Corasick): one pass over a string reports every
 * pattern it contains, however many patterns there are. The rule set's thousands of
 * `contains`/`endswith` literals on one field cost one scan per event value instead of one
 * `includes` per rule.
 *
 * Written here rather than taken from npm: the scan is the innermost loop of detection and
 * needs a dense transition table over a compressed alphabet (only the characters the
 * patterns use get a column), which no maintained package offers; it is a textbook
 * construction and is tested against `String.prototype.includes` on random inputs.
 */
/** Cells of the dense transition table: at most 4 Mi × 4 bytes = 16 MiB per automaton. */
const DENSE_CELLS = 4 * 1024 * 1024;

/**
 * The scanner: patterns of ASCII characters only (nearly all) in one automaton with a small
 * alphabet and dense rows; the others (homoglyphs, emoji…) in a second one, scanned only
 * when the text holds a non-ASCII character — an ASCII text cannot contain them.
 */
const ASCII_ONLY = 0;
const WIDE = 1;
const REFOLD = 2;
const NO_FOLD = 0xffff;

/**
 * Per UTF-16 code unit, its lowercase when `toLowerCase` gives one code unit whatever the
 * context; NO_FOLD for final-sigma `Σ`, `İ` (two code units) and surrogates (astral letters
 * fold in pairs), whose strings are lowercased whole instead. Built once, 128 KiB.
 */
const FOLD: Uint16Array = (() => {
  const t = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    const l = String.fromCharCode(c).toLowerCase();
    const surrogate = c >= 0xd800 && c <= 0xdfff;
    t[c] = l.length === 1 && !surrogate && c !== 0x3a3 ? l.charCodeAt(0) : NO_FOLD;
  }
  return t;
})();

export class AhoCorasick {
  readonly patterns: readonly string[];
  readonly #ascii: Automaton;
  readonly #asciiIds: Int32Array;
  readonly #wide: Automaton | undefined;
  readonly #wideIds: Int32Array;
  readonly #wideFound: number[] = [];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns;
    const ascii: number[] = [];
    const wide: number[] = [];
    patterns.forEach((p, id) => {
      if (p.length === 0) throw new RangeError('AhoCorasick: empty pattern');
      (isAscii(p) ? ascii : wide).push(id);
    });
    this.#ascii = new Automaton(ascii.map((id) => patterns[id]!));
    this.#asciiIds = Int32Array.from(ascii);
    this.#wide = wide.length ? new Automaton(wide.map((id) => patterns[id]!)) : undefined;
    this.#wideIds = Int32Array.from(wide);
  }

  /**
   * Appends to `found` the id of each pattern `s.toLowerCase()` contains (once per
   * occurrence; a pattern may repeat). Patterns are lowercase; the text is case-folded as it
   * is read, without building its lowercase copy, except where `toLowerCase` depends on
   * context. A sink array, not a callback, keeps the innermost loop free of calls.
   */
  scan(s: string, found: number[]): void {
    const from = found.length;
    let text = s;
    let lowered = false;
    let status = this.#ascii.scan(text, found);
    if (status === REFOLD) {
      found.length = from;
      text = s.toLowerCase();
      lowered = true;
      status = this.#ascii.scan(text, found, true);
    }
    const ids = this.#asciiIds;
    for (let i = from; i < found.length; i++) found[i] = ids[found[i]!]!;
    if (status !== ASCII_ONLY && this.#wide) {
      const w = this.#wideFound;
      w.length = 0;
      if (this.#wide.scan(text, w, lowered) === REFOLD) {
        w.length = 0;
        this.#wide.scan(text.toLowerCase(), w, true);
      }
      for (const id of w) found.push(this.#wideIds[id]!);
    }
  }

  /** Memory held by the tables, for reports. */
  get bytes(): number {
    return this.#ascii.bytes + (this.#wide?.bytes ?? 0);
  }
}

class Automaton {
  /** ASCII character code → alphabet column; 0 = a character no pattern contains. */
  readonly #ascii = new Uint16Array(128);
  /** The same for other characters, which are rare in patterns. */
  readonly #other = new Map<number, number>();
  readonly #width: number;
  /**
   * Full transitions (failure links applied) of the first `#denseStates` states. Once built,
   * a cell holds the next state's row offset (state × width), bitwise-negated when that state
   * has outputs: the scan then needs no multiply and no separate output lookup per character.
   */
  readonly #denseStates: number;
  readonly #dense: Int32Array;
  #encoded = false;
  /**
   * Every other state's trie edges, sparse (a dense table over thousands of literals would
   * take hundreds of megabytes): edges of state s are `#edgeCol/#edgeTo[#edgeStart[s] ..
   * #edgeStart[s + 1])`, sorted by column.
   */
  readonly #edgeStart: Int32Array;
  readonly #edgeCol: Uint16Array;
  readonly #edgeTo: Int32Array;
  /** Failure links: the longest proper suffix of a state's string that is also a trie state. */
  readonly #fail: Int32Array;
  /** Patterns that end at a state, own and inherited through failure links, flattened. */
  readonly #outStart: Int32Array;
  readonly #outList: Int32Array;
  /** 1 where a state has outputs: one load per character in the common case of none. */
  readonly #hasOut: Uint8Array;

  constructor(patterns: readonly string[]) {
    let width = 1;
    for (const p of patterns)
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (this.#col(c) === 0) {
          if (c < 128) this.#ascii[c] = width++;
          else this.#other.set(c, width++);
        }
      }
    // Patterns are lowercase; an uppercase ASCII letter in a text reads as its lowercase.
    for (let c = 65; c <= 90; c++) this.#ascii[c] = this.#ascii[c + 32]!;

    // The trie, as maps while building.
    const children: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    patterns.forEach((p, id) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const col = this.#col(p.charCodeAt(i));
        let next = children[s]!.get(col);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          ends.push([]);
          children[s]!.set(col, next);
        }
        s = next;
      }
      ends[s]!.push(id);
    });
    const n = children.length;
    renumberBreadthFirst(children, ends);

    // Edges, flattened and sorted.
    this.#edgeStart = new Int32Array(n + 1);
    let edges = 0;
    for (let s = 0; s < n; s++) {
      this.#edgeStart[s] = edges;
      edges += children[s]!.size;
    }
    this.#edgeStart[n] = edges;
    this.#edgeCol = new Uint16Array(edges);
    this.#edgeTo = new Int32Array(edges);
    for (let s = 0; s < n; s++) {
      let k = this.#edgeStart[s]!;
      for (const [col, to] of [...children[s]!].sort((a, b) => a[0] - b[0])) {
        this.#edgeCol[k] = col;
        this.#edgeTo[k++] = to;
      }
    }
    this.#width = width;
    // States are numbered breadth-first, so the shallow ones (where a scan spends most of
    // its steps) come first and get dense rows, bounded to a few megabytes.
    this.#denseStates = Math.max(1, Math.min(n, Math.floor(DENSE_CELLS / width)));
    this.#dense = new Int32Array(this.#denseStates * width);

    // Breadth-first (= state order): failure links, dense rows, inherited outputs. A
    // state's failure link is shallower, so its row and outputs are complete when needed.
    this.#fail = new Int32Array(n);
    const out: number[][] = ends;
    for (let s = 0; s < n; s++) {
      if (s < this.#denseStates) {
        const row = s * width;
        const fallback = s === 0 ? -1 : this.#fail[s]! * width;
        for (let col = 0; col < width; col++) {
          const to = children[s]!.get(col);
          this.#dense[row + col] = to ?? (fallback < 0 ? 0 : this.#dense[fallback + col]!);
        }
      }
      for (const [col, next] of children[s]!) {
        this.#fail[next] = s === 0 ? 0 : this.#step(this.#fail[s]!, col);
        const inherited = out[this.#fail[next]!]!;
        if (inherited.length) out[next] = [...out[next]!, ...inherited];
      }
    }
    this.#outStart = new Int32Array(n + 1);
    let total = 0;
    for (let s = 0; s < n; s++) {
      this.#outStart[s] = total;
      total += out[s]!.length;
    }
    this.#outStart[n] = total;
    this.#outList = new Int32Array(total);
    let k = 0;
    for (const o of out) for (const id of o) this.#outList[k++] = id;
    this.#hasOut = Uint8Array.from(out, (o) => (o.length ? 1 : 0));
    for (let i = 0; i < this.#dense.length; i++) this.#dense[i] = this.#encode(this.#dense[i]!);
    this.#encoded = true;
  }

  /** A state as a dense cell holds it: row offset, negated when the state has outputs. */
  #encode(state: number): number {
    const off = state * this.#width;
    return this.#hasOut[state] === 1 ? ~off : off;
  }

  #col(c: number): number {
    return c < 128 ? this.#ascii[c]! : (this.#other.get(c) ?? 0);
  }

  /** The state after reading column `col` in state `s`, following failure links. */
  #step(s: number, col: number): number {
    const start = this.#edgeStart;
    const cols = this.#edgeCol;
    for (;;) {
      if (s < this.#denseStates) {
        const v = this.#dense[s * this.#width + col]!;
        return this.#encoded ? (v < 0 ? ~v : v) / this.#width : v;
      }
      let lo = start[s]!;
      let hi = start[s + 1]! - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const c = cols[mid]!;
        if (c === col) return this.#edgeTo[mid]!;
        if (c < col) lo = mid + 1;
        else hi = mid - 1;
      }
      s = this.#fail[s]!;
    }
  }

  /**
   * Appends the ids of the patterns `s` contains, read case-folded (see {@link foldTable}).
   * Returns ASCII_ONLY, WIDE (the text has a non-ASCII character), or REFOLD when it holds a
   * character whose lowercase depends on context or is longer (`Σ`, `İ`, astral letters):
   * the caller then scans `s.toLowerCase()` instead, with `lowered` set.
   */
  scan(s: string, found: number[], lowered = false): number {
    const ascii = this.#ascii;
    const dense = this.#dense;
    const width = this.#width;
    const denseEnd = this.#denseStates * width;
    const outStart = this.#outStart;
    const outList = this.#outList;
    // The current state as its row offset (state × width).
    let off = 0;
    let status = ASCII_ONLY;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let col: number;
      if (c < 128) col = ascii[c]!;
      else {
        const f = lowered ? c : FOLD[c]!;
        if (f === NO_FOLD) return REFOLD;
        status = WIDE;
        col = this.#other.get(f) ?? 0;
      }
      // A character no pattern contains: back to the root, which has no outputs.
      if (col === 0) {
        off = 0;
        continue;
      }
      let next = off < denseEnd ? dense[off + col]! : this.#encode(this.#step(off / width, col));
      if (next < 0) {
        next = ~next;
        const state = next / width;
        const b = outStart[state + 1]!;
        for (let j = outStart[state]!; j < b; j++) found.push(outList[j]!);
      }
      off = next;
    }
    return status;
  }

  /** Memory held by the tables, for reports. */
  get bytes(): number {
    return (
      this.#ascii.byteLength +
      this.#dense.byteLength +
      this.#edgeStart.byteLength +
      this.#edgeCol.byteLength +
      this.#edgeTo.byteLength +
      this.#fail.byteLength +
      this.#outStart.byteLength +
      this.#outList.byteLength
    );
  }
}

/** Renumbers trie states in breadth-first order (root stays 0), in place. */
function renumberBreadthFirst(children: Map<number, number>[], ends: number[][]): void {
  const order = [0];
  for (let head = 0; head < order.length; head++)
    for (const next of children[order[head]!]!.values()) order.push(next);
  const newId = new Int32Array(children.length);
  order.forEach((old, i) => {
    newId[old] = i;
  });
  const kids = order.map((old) => new Map([...children[old]!].map(([c, t]) => [c, newId[t]!])));
  const outs = order.map((old) => ends[old]!);
  for (let i = 0; i < order.length; i++) {
    children[i] = kids[i]!;
    ends[i] = outs[i]!;
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
