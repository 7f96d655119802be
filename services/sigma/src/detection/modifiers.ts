/**
 * Sigma value modifiers: parsing and validating a modifier chain into a plan, and the
 * building blocks of the non-string modifiers (encodings, regular expressions, CIDR,
 * numeric and timestamp comparison). See the Sigma modifiers appendix.
 */

import { SigmaError } from './types.ts';
import { hasWildcard, lit, type Part, type Pattern, parseDecimal } from './wildcard.ts';

export type Anchor = 'exact' | 'contains' | 'startswith' | 'endswith';
export type Encoding = 'utf16le' | 'utf16be' | 'utf16' | 'base64' | 'base64offset';
export type ComparisonOp = 'lt' | 'lte' | 'gt' | 'gte';
export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
/** What a condition compares: Sigma strings, or one of the typed modifiers. */
export type Kind = 'string' | 're' | 'cidr' | 'compare' | 'time' | 'exists' | 'fieldref';

export interface ModifierPlan {
  /** The key as written (`Image|contains|all`), for messages. */
  label: string;
  kind: Kind;
  all: boolean;
  neq: boolean;
  cased: boolean;
  anchor: Anchor;
  windash: boolean;
  expand: boolean;
  /** In application order: at most one UTF-16 form, then at most one Base64 form. */
  encodings: Encoding[];
  /** `re` sub-modifiers, as JS RegExp flags (`i`, `m`, `s`). */
  reFlags: string;
  compare?: ComparisonOp;
  timePart?: TimePart;
}

const ALIASES: Record<string, string> = { wide: 'utf16le', ignorecase: 'i', multiline: 'm', dotall: 's' };
const ANCHORS = ['contains', 'startswith', 'endswith'] as const;
const UTF16 = ['utf16le', 'utf16be', 'utf16'] as const;
const BASE64 = ['base64', 'base64offset'] as const;
const COMPARISONS = ['lt', 'lte', 'gt', 'gte'] as const;
export const TIME_PARTS = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const;
const RE_FLAGS = ['i', 'm', 's'] as const;
const TYPED = ['re', 'cidr', 'exists', 'fieldref'] as const;

const KNOWN = new Set<string>([
  'all',
  'neq',
  'cased',
  'windash',
  'expand',
  ...ANCHORS,
  ...UTF16,
  ...BASE64,
  ...COMPARISONS,
  ...TIME_PARTS,
  ...RE_FLAGS,
  ...TYPED,
]);
const KNOWN_LIST = [...KNOWN, ...Object.keys(ALIASES)].sort().join(', ');

/** Modifiers each kind accepts besides the one(s) that select it. */
const ALLOWED: Record<Kind, ReadonlySet<string>> = {
  string: new Set(['all', 'neq', 'cased', 'windash', 'expand', ...ANCHORS, ...UTF16, ...BASE64]),
  re: new Set(['all', 'neq', ...ANCHORS, ...RE_FLAGS]),
  cidr: new Set(['all', 'neq']),
  compare: new Set(['all', 'neq', ...COMPARISONS, ...TIME_PARTS]),
  time: new Set(['all', 'neq', ...COMPARISONS, ...TIME_PARTS]),
  exists: new Set<string>(),
  fieldref: new Set(['all', 'neq', 'cased', ...ANCHORS]),
};

const includes = <T extends string>(list: readonly T[], s: string): s is T =>
  (list as readonly string[]).includes(s);

export function conditionLabel(field: string | undefined, modifiers: readonly string[]): string {
  const mods = modifiers.map((m) => `|${m}`).join('');
  return field === undefined ? (mods === '' ? 'keywords' : `keywords ${mods}`) : `${field}${mods}`;
}

/** Parses and validates a modifier chain. Throws SigmaError naming the offending modifier. */
export function parseModifiers(field: string | undefined, modifiers: readonly string[]): ModifierPlan {
  const label = conditionLabel(field, modifiers);
  function fail(msg: string): never {
    throw new SigmaError(`${msg} (in '${label}')`);
  }
  const plan: ModifierPlan = {
    label,
    kind: 'string',
    all: false,
    neq: false,
    cased: false,
    anchor: 'exact',
    windash: false,
    expand: false,
    encodings: [],
    reFlags: '',
  };
  const seen: string[] = [];
  const typed: string[] = [];
  for (const raw of modifiers) {
    if (typeof raw !== 'string') fail(`a modifier must be a name, got ${JSON.stringify(raw)}`);
    const name = ALIASES[raw] ?? raw;
    if (!KNOWN.has(name)) {
      fail(
        raw === ''
          ? 'empty modifier (a doubled or trailing "|")'
          : `unknown modifier '${raw}'; known: ${KNOWN_LIST}`,
      );
    }
    if (seen.includes(name)) fail(`modifier '${raw}' is given twice`);
    if (name === 'all') plan.all = true;
    else if (name === 'neq') plan.neq = true;
    else if (name === 'cased') plan.cased = true;
    else if (name === 'expand') plan.expand = true;
    else if (name === 'windash') {
      if (plan.encodings.length > 0)
        fail(`'windash' must come before the encoding modifier '${plan.encodings[0]}'`);
      plan.windash = true;
    } else if (includes(ANCHORS, name)) {
      if (plan.anchor !== 'exact') fail(`'${name}' cannot be combined with '${plan.anchor}'`);
      plan.anchor = name;
    } else if (includes(UTF16, name)) {
      const prev = plan.encodings[0];
      if (prev !== undefined && includes(UTF16, prev)) fail(`'${raw}' cannot be combined with '${prev}'`);
      if (prev !== undefined)
        fail(`'${raw}' must come before '${prev}' (UTF-16 encoding is applied before Base64)`);
      plan.encodings.push(name);
    } else if (includes(BASE64, name)) {
      const prev = plan.encodings.find((e) => includes(BASE64, e));
      if (prev !== undefined) fail(`'${name}' cannot be combined with '${prev}'`);
      plan.encodings.push(name);
    } else if (includes(COMPARISONS, name)) {
      if (plan.compare) fail(`'${name}' cannot be combined with '${plan.compare}'`);
      plan.compare = name;
    } else if (includes(TIME_PARTS, name)) {
      if (plan.timePart) fail(`'${name}' cannot be combined with '${plan.timePart}'`);
      plan.timePart = name;
    } else if (includes(RE_FLAGS, name)) {
      if (!seen.includes('re')) fail(`'${raw}' is a sub-modifier of 're' and must follow it`);
      plan.reFlags += name;
    } else typed.push(name);
    seen.push(name);
  }
  if (plan.compare || plan.timePart) typed.push(plan.timePart ?? plan.compare!);
  if (typed.length > 1) fail(`'${typed[1]}' cannot be combined with '${typed[0]}'`);
  const selector = typed[0];
  if (selector === undefined) plan.kind = 'string';
  else if (plan.timePart) plan.kind = 'time';
  else if (plan.compare) plan.kind = 'compare';
  else plan.kind = selector as Kind;
  const allowed = ALLOWED[plan.kind];
  for (const name of seen) {
    if (name === selector || (plan.kind === 'time' && name === plan.compare)) continue;
    if (!allowed.has(name)) fail(`'${name}' cannot be combined with '${selector}'`);
  }
  if (field === undefined) {
    if (plan.kind !== 'string' && plan.kind !== 're')
      fail(`'${selector}' needs a field; keyword search cannot use it`);
    if (plan.neq) fail(`'neq' needs a field; keyword search cannot use it`);
  }
  return plan;
}

// ---------------------------------------------------------------------------------------
// Encodings

/** UTF-16 bytes of a string, as a "binary" string of one char per byte. */
function utf16(s: string, littleEndian: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    const lo = String.fromCharCode(u & 0xff);
    const hi = String.fromCharCode(u >> 8);
    out += littleEndian ? lo + hi : hi + lo;
  }
  return out;
}

const BASE64_START = [0, 2, 3] as const;
const BASE64_END = [undefined, -3, -2] as const;

/** The three base64offset forms of `data` (pySigma's algorithm: 0–2 leading bytes, cut to the stable part). */
export function base64Offsets(data: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const encoded = Buffer.concat([Buffer.alloc(i, 0x20), data]).toString('base64');
    const cut = BASE64_END[(data.length + i) % 3];
    out.push(encoded.slice(BASE64_START[i], cut === undefined ? encoded.length : encoded.length + cut));
  }
  return out;
}

export interface EncodedValue {
  patterns: Pattern[];
  /** Literals are bytes (one char per byte, after a UTF-16 modifier). */
  binary: boolean;
}

/** Applies one encoding modifier. Patterns must hold no windash positions or placeholders. */
export function applyEncoding(value: EncodedValue, enc: Encoding, label: string): EncodedValue {
  if (enc === 'utf16le' || enc === 'utf16be' || enc === 'utf16') {
    const le = enc !== 'utf16be';
    return {
      binary: true,
      patterns: value.patterns.map((p) => {
        const parts: Part[] = p.map((part) => (part.k === 'lit' ? lit(utf16(part.s, le)) : part));
        return enc === 'utf16' ? [lit('\xff\xfe'), ...parts] : parts;
      }),
    };
  }
  const patterns: Pattern[] = [];
  for (const p of value.patterns) {
    if (hasWildcard(p)) {
      throw new SigmaError(
        `'${enc}' cannot encode a value with wildcards; escape '*' and '?' as '\\*' '\\?' (in '${label}')`,
      );
    }
    const text = p.map((part) => (part.k === 'lit' ? part.s : '')).join('');
    const data = Buffer.from(text, value.binary ? 'latin1' : 'utf8');
    if (enc === 'base64') patterns.push([lit(data.toString('base64'))]);
    else {
      const forms = base64Offsets(data);
      if (forms.some((f) => f === '')) {
        throw new SigmaError(
          `'base64offset' needs a value of at least 2 bytes, got '${text}' (in '${label}')`,
        );
      }
      for (const f of forms) patterns.push([lit(f)]);
    }
  }
  return { patterns, binary: false };
}

// ---------------------------------------------------------------------------------------
// Regular expressions

/** Regular expressions are tested on at most this many characters of a value. */
export const REGEX_INPUT_LIMIT = 64 * 1024;

const REPEATED_DOT_STAR =
  /\((?:\?:)?\.\*(\??)(\\[^A-Za-z0-9]|[^\\()[\]{}|*+?.^$\n\r\u2028\u2029])\)(?:\+|\{1,\})(?![?+])/y;

/** JS escapes with a letter; any other `\letter` would silently mean the plain letter. */
const JS_LETTER_ESCAPES = 'bBcdDfknrsStuvwWx';

/**
 * Translates the PCRE subset Sigma allows into JS RegExp syntax: a leading `(?i)` / `(?s)` /
 * `(?m)` becomes flags, `\A` `\z` `\Z` become lookarounds, `(?P<n>` becomes `(?<n>`, a `]` at
 * the start of a class is literal. Constructs JS would silently misread are rejected.
 */
function translatePcre(source: string, fail: (msg: string) => never): { source: string; flags: string } {
  let src = source;
  let flags = '';
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(src);
  if (inline) {
    for (const f of inline[1]!) {
      if (f !== 'i' && f !== 'm' && f !== 's')
        fail(`unsupported inline flag '(?${f})' in regular expression`);
      if (!flags.includes(f)) flags += f;
    }
    src = src.slice(inline[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) fail('regular expression ends with a lone backslash');
      i++;
      if (/[A-Za-z]/.test(n!)) {
        if (!inClass && n === 'A') out += '(?<![\\s\\S])';
        else if (!inClass && n === 'z') out += '(?![\\s\\S])';
        else if (!inClass && n === 'Z') out += '(?=\\n?(?![\\s\\S]))';
        else if (!JS_LETTER_ESCAPES.includes(n!)) fail(`unsupported escape '\\${n}' in regular expression`);
        else out += c + n;
      } else out += c + n;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(') {
      // `(?:.*C)+` matches exactly what `.*C` matches (C one literal, not a line break) but
      // backtracks exponentially; three SigmaHQ rules use it, so it is rewritten.
      REPEATED_DOT_STAR.lastIndex = i;
      const r = REPEATED_DOT_STAR.exec(src);
      if (r) {
        out += `(?:.*${r[1]}${r[2]})`;
        i += r[0].length - 1;
        continue;
      }
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2, i + 4);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (rest.startsWith('P=')) {
        const close = src.indexOf(')', i);
        if (close < 0) fail('unterminated (?P= back-reference in regular expression');
        out += `\\k<${src.slice(i + 4, close)}>`;
        i = close;
        continue;
      }
      if (/^[:=!]/.test(rest) || /^<[=!A-Za-z_]/.test(rest)) {
        out += '(?';
        i++;
        continue;
      }
      fail(
        `unsupported group '(?${rest[0] ?? ''}' in regular expression (inline flags are supported only at the very start)`,
      );
    }
    out += c;
  }
  return { source: out, flags };
}

const CONTROL_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', '0': '\0' };

/** The one character an escape stands for, or undefined for classes and assertions. */
function escapedChar(token: string): string | undefined {
  const n = token[1] ?? '';
  if (!/[a-zA-Z0-9]/.test(n)) return n;
  if (n in CONTROL_ESCAPES) return CONTROL_ESCAPES[n];
  if (
    (n === 'x' || n === 'u') &&
    /^[0-9a-fA-F]+$/.test(token.slice(2)) &&
    token.length === (n === 'x' ? 4 : 6)
  ) {
    return String.fromCharCode(Number.parseInt(token.slice(2), 16));
  }
  if (n === 'c' && /^[a-zA-Z]$/.test(token[2] ?? '')) return String.fromCharCode(token.charCodeAt(2) % 32);
  return undefined;
}

interface Frame {
  start: number;
  /** Some element inside repeats a variable number of times. */
  variable: boolean;
  /** Some element inside repeats without an upper bound. */
  unbounded: boolean;
  /** Holds a repeated group or a back-reference: too complex for the delimiter exemption. */
  opaque: boolean;
  alternation: boolean;
  /** Sources of the single-character atoms repeated a variable number of times. */
  repeated: string[];
  /** Literal characters that must appear exactly at their place (not repeated, not optional). */
  literals: string[];
}

const newFrame = (start: number): Frame => ({
  start,
  variable: false,
  unbounded: false,
  opaque: false,
  alternation: false,
  repeated: [],
  literals: [],
});

/** A repeated group is safe when it holds a literal none of its repeated atoms can match (`(\w+\.)+`). */
function delimited(f: Frame, flags: string): boolean {
  if (f.opaque || f.alternation) return false;
  const testFlags = flags.replace(/[^is]/g, '');
  return f.literals.some((ch) =>
    f.repeated.every((atom) => !new RegExp(`^(?:${atom})$`, testFlags).test(ch)),
  );
}

/**
 * A simple structural check for catastrophic backtracking: a group repeated more than once
 * that itself contains an element repeated an unbounded number of times (`(a+)+`, `(.*)*`,
 * `(\w+\s?)*`), or repeated without bound while containing any variable repetition
 * (`(a{1,3})*`), is rejected — unless the group holds a mandatory literal character that none
 * of its repeated atoms can match, which makes the split unambiguous (`(\w+\.)+`, `(\s*,){2}`).
 * Returns the offending group, or undefined.
 */
export function findNestedQuantifier(src: string, flags: string): string | undefined {
  const stack: Frame[] = [newFrame(0)];
  type Atom =
    | { kind: 'none' }
    | { kind: 'class'; src: string }
    | { kind: 'char'; src: string; ch: string }
    | { kind: 'group'; frame: Frame; src: string };
  let last: Atom = { kind: 'none' };
  let i = 0;
  while (i < src.length) {
    const top = stack[stack.length - 1]!;
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      let len = 2;
      if (n === 'x') len = 4;
      else if (n === 'u') len = 6;
      else if (n === 'c') len = 3;
      else if (n === 'k') len = Math.max(2, src.indexOf('>', i) + 1 - i);
      const token = src.slice(i, i + len);
      const ch = escapedChar(token);
      if (/[1-9k]/.test(n)) {
        top.opaque = true; // back-reference
        last = { kind: 'class', src: '[\\s\\S]' };
      } else if (n === 'b' || n === 'B') last = { kind: 'none' };
      else if (ch === undefined) last = { kind: 'class', src: token };
      else {
        top.literals.push(ch);
        last = { kind: 'char', src: token, ch };
      }
      i += len;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (src[j] === '^') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      last = { kind: 'class', src: src.slice(i, j + 1) };
      i = j + 1;
      continue;
    }
    if (c === '(') {
      let len = 1;
      if (src[i + 1] === '?') {
        if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') len = src.indexOf('>', i) + 1 - i;
        else len = src[i + 2] === '<' ? 4 : 3;
      }
      stack.push(newFrame(i));
      last = { kind: 'none' };
      i += Math.max(1, len);
      continue;
    }
    if (c === ')') {
      const f = stack.pop()!;
      if (stack.length === 0) return undefined; // unbalanced: RegExp reports it
      const parent = stack[stack.length - 1]!;
      parent.variable ||= f.variable;
      parent.unbounded ||= f.unbounded;
      if (f.variable || f.opaque) parent.opaque = true;
      last = { kind: 'group', frame: f, src: src.slice(f.start, i + 1) };
      i++;
      continue;
    }
    if (c === '|') {
      top.alternation = true;
      last = { kind: 'none' };
      i++;
      continue;
    }
    const brace = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i)) : null;
    if (c === '*' || c === '+' || c === '?' || brace) {
      let min = 1;
      let max = 1;
      let len = 1;
      if (c === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
      else if (c === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
      else if (c === '?') [min, max] = [0, 1];
      else if (brace) {
        min = Number(brace[1]);
        max = brace[2] === undefined ? min : brace[3] === '' ? Number.POSITIVE_INFINITY : Number(brace[3]);
        len = brace[0].length;
      }
      if (src[i + len] === '?') len++;
      const variable = max !== min;
      if (last.kind === 'group') {
        const f = last.frame;
        const dangerous = max > 1 && (f.unbounded || (f.variable && max === Number.POSITIVE_INFINITY));
        if (dangerous && !delimited(f, flags)) return last.src;
        if (variable || max > 1) top.opaque ||= f.variable || f.opaque || variable;
      } else if (last.kind !== 'none') {
        if (last.kind === 'char' && (min === 0 || variable)) {
          const idx = top.literals.lastIndexOf(last.ch);
          if (idx >= 0) top.literals.splice(idx, 1);
        }
        if (variable) top.repeated.push(last.src);
      }
      if (variable) top.variable = true;
      if (max === Number.POSITIVE_INFINITY) top.unbounded = true;
      last = { kind: 'none' };
      i += len;
      continue;
    }
    if (c === '.') last = { kind: 'class', src: '.' };
    else if (c === '^' || c === '$') last = { kind: 'none' };
    else {
      top.literals.push(c);
      last = { kind: 'char', src: c, ch: c };
    }
    i++;
  }
  return undefined;
}

/**
 * Compiles the value of a `re` modifier (search semantics: it may match anywhere unless it
 * anchors itself; `startswith` / `endswith` anchor it). Throws SigmaError when invalid or
 * prone to catastrophic backtracking.
 */
export function compileRegex(source: string, reFlags: string, anchor: Anchor, label: string): RegExp {
  function fail(msg: string): never {
    throw new SigmaError(`${msg}: '${source}' (in '${label}')`);
  }
  const t = translatePcre(source, fail);
  let flags = t.flags;
  for (const f of reFlags) if (!flags.includes(f)) flags += f;
  try {
    new RegExp(t.source, flags);
  } catch (err) {
    fail(`invalid regular expression (${(err as Error).message})`);
  }
  const bad = findNestedQuantifier(t.source, flags);
  if (bad !== undefined) {
    fail(
      `regular expression rejected: the group '${bad}' is repeated and itself contains a repeated element ` +
        '(nested quantifiers like (a+)+ or (\\w+\\s?)* can backtrack catastrophically; a simple structural check)',
    );
  }
  const multiline = flags.includes('m');
  let body = t.source;
  if (anchor === 'startswith') body = `${multiline ? '(?<![\\s\\S])' : '^'}(?:${body})`;
  else if (anchor === 'endswith') body = `(?:${body})${multiline ? '(?![\\s\\S])' : '$'}`;
  return new RegExp(body, flags);
}

/** Tests a value against user regexes, on at most {@link REGEX_INPUT_LIMIT} characters. */
export class RegexMatcher {
  constructor(readonly regexes: RegExp[]) {}

  test(v: unknown): boolean {
    let s: string;
    if (typeof v === 'string') s = v.length > REGEX_INPUT_LIMIT ? v.slice(0, REGEX_INPUT_LIMIT) : v;
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') s = String(v);
    else return false;
    for (const r of this.regexes) if (r.test(s)) return true;
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// CIDR

/** Parses dotted-quad IPv4 into 0..2^32-1, or -1. */
export function parseIPv4(s: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + part;
}

/** Parses IPv6 (with `::`, an embedded IPv4 tail, an optional `%zone`) into 8 groups. */
export function parseIPv6(input: string): number[] | undefined {
  let s = input;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.length < 2 || s.length > 45) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === '') return [];
    const out: number[] = [];
    const items = text.split(':');
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (k === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (v4 < 0) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
        out.push(Number.parseInt(item, 16));
      }
    }
    return out;
  };
  const dc = s.indexOf('::');
  if (dc < 0) {
    const g = groups(s);
    return g && g.length === 8 ? g : undefined;
  }
  if (s.indexOf('::', dc + 1) >= 0) return undefined;
  const head = groups(s.slice(0, dc));
  const tail = groups(s.slice(dc + 2));
  if (!head || !tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

interface V6Range {
  groups: number[];
  prefix: number;
}

function inV6(ip: number[], r: V6Range): boolean {
  for (let g = 0; g < 8; g++) {
    const bits = Math.min(16, Math.max(0, r.prefix - g * 16));
    if (bits === 0) return true;
    const mask = (0xffff << (16 - bits)) & 0xffff;
    if ((ip[g]! & mask) !== (r.groups[g]! & mask)) return false;
  }
  return true;
}

/**
 * IPv4 and IPv6 networks (OR). Host bits in a network are ignored (`10.1.2.3/8` = `10.0.0.0/8`),
 * a bare address is a /32 or /128. IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`) match IPv4
 * networks and the other way round.
 */
export class CidrMatcher {
  readonly #v4: { base: number; size: number }[] = [];
  readonly #v6: V6Range[] = [];

  add(cidr: string, label: string): void {
    function fail(): never {
      throw new SigmaError(
        `'${cidr}' is not a CIDR network like 10.0.0.0/8 or 2001:db8::/32 (in '${label}')`,
      );
    }
    const slash = cidr.indexOf('/');
    const addr = (slash < 0 ? cidr : cidr.slice(0, slash)).trim();
    const prefixText = slash < 0 ? undefined : cidr.slice(slash + 1).trim();
    if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) fail();
    const v4 = parseIPv4(addr);
    if (v4 >= 0) {
      const prefix = prefixText === undefined ? 32 : Number(prefixText);
      if (prefix > 32) fail();
      const size = 2 ** (32 - prefix);
      this.#v4.push({ base: Math.floor(v4 / size), size });
      return;
    }
    const v6 = addr.includes('%') ? undefined : parseIPv6(addr);
    if (!v6) fail();
    const prefix = prefixText === undefined ? 128 : Number(prefixText);
    if (prefix > 128) fail();
    this.#v6.push({ groups: v6, prefix });
  }

  test(v: unknown): boolean {
    if (typeof v !== 'string') return false;
    if (!v.includes(':')) {
      const ip = parseIPv4(v);
      if (ip < 0) return false;
      for (const r of this.#v4) if (Math.floor(ip / r.size) === r.base) return true;
      if (this.#v6.length === 0) return false;
      const mapped = [0, 0, 0, 0, 0, 0xffff, Math.floor(ip / 65536), ip % 65536];
      for (const r of this.#v6) if (inV6(mapped, r)) return true;
      return false;
    }
    const ip = parseIPv6(v);
    if (!ip) return false;
    for (const r of this.#v6) if (inV6(ip, r)) return true;
    if (
      this.#v4.length > 0 &&
      ip[0] === 0 &&
      ip[1] === 0 &&
      ip[2] === 0 &&
      ip[3] === 0 &&
      ip[4] === 0 &&
      ip[5] === 0xffff
    ) {
      const v4 = ip[6]! * 65536 + ip[7]!;
      for (const r of this.#v4) if (Math.floor(v4 / r.size) === r.base) return true;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Numbers and timestamps

/** An event value as a number: numbers, and strings holding a plain decimal number. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return parseDecimal(v);
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

export function compareNumbers(a: number, op: ComparisonOp | 'eq', b: number): boolean {
  switch (op) {
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'eq':
      return a === b;
  }
}

export const TIME_RANGES: Record<TimePart, [number, number]> = {
  minute: [0, 59],
  hour: [0, 23],
  day: [1, 31],
  week: [1, 53],
  month: [1, 12],
  year: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** `YYYY-MM-DD`, then optionally `THH:MM` (or a space); the rest (seconds, zone) is ignored. */
const TIMESTAMP = /^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?/;
const DAY_MS = 86_400_000;

/** ISO 8601 week number (1–53) of a calendar date. */
export function isoWeek(year: number, month: number, day: number): number {
  const t = Date.UTC(year, month - 1, day);
  const weekday = (((Math.floor(t / DAY_MS) + 3) % 7) + 7) % 7; // Monday = 0
  const thursday = t + (3 - weekday) * DAY_MS;
  const jan1 = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return 1 + Math.floor((thursday - jan1) / (7 * DAY_MS));
}

/**
 * Extracts a component of a timestamp value, as written: the spec's time modifiers do no
 * time-zone conversion, so `2024-03-05T23:10:00+07:00` has hour 23. Numbers are Unix epoch
 * seconds (below 1e11) or milliseconds, read in UTC; other strings are tried with Date.parse
 * (UTC). Returns undefined when the value is no timestamp or lacks the component.
 */
export function timestampPart(v: unknown, part: TimePart): number | undefined {
  let y: number;
  let mo: number;
  let d: number;
  let h: number | undefined;
  let mi: number | undefined;
  if (typeof v === 'string') {
    const m = TIMESTAMP.exec(v);
    if (m) {
      y = Number(m[1]);
      mo = Number(m[2]);
      d = Number(m[3]);
      h = m[4] === undefined ? undefined : Number(m[4]);
      mi = m[5] === undefined ? undefined : Number(m[5]);
      if (
        mo < 1 ||
        mo > 12 ||
        d < 1 ||
        d > 31 ||
        (h !== undefined && h > 23) ||
        (mi !== undefined && mi > 59)
      ) {
        return undefined;
      }
    } else {
      if (v.length > 64 || !/\d/.test(v)) return undefined;
      const t = Date.parse(v);
      if (Number.isNaN(t)) return undefined;
      ({ y, mo, d, h, mi } = utcParts(t));
    }
  } else if (typeof v === 'number' && Number.isFinite(v)) {
    const t = Math.abs(v) < 1e11 ? v * 1000 : v;
    if (Math.abs(t) > 8.64e15) return undefined;
    ({ y, mo, d, h, mi } = utcParts(t));
  } else return undefined;
  switch (part) {
    case 'minute':
      return mi;
    case 'hour':
      return h;
    case 'day':
      return d;
    case 'week':
      return isoWeek(y, mo, d);
    case 'month':
      return mo;
    case 'year':
      return y;
  }
}

function utcParts(t: number): { y: number; mo: number; d: number; h: number; mi: number } {
  const date = new Date(t);
  return {
    y: date.getUTCFullYear(),
    mo: date.getUTCMonth() + 1,
    d: date.getUTCDate(),
    h: date.getUTCHours(),
    mi: date.getUTCMinutes(),
  };
}
