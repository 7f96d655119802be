/**
 * The `condition` of a Sigma detection: a small boolean language over search identifiers.
 *
 *   condition := or
 *   or        := and ( 'or' and )*
 *   and       := not ( 'and' not )*
 *   not       := 'not' not | primary
 *   primary   := '(' or ')' | quantifier 'of' ( 'them' | pattern ) | identifier
 *   quantifier:= '1' | 'all'
 *
 * Keywords are case-insensitive; identifiers and patterns are case-sensitive. Parsed by hand with
 * recursive descent; nothing of the text is ever evaluated.
 */
import { SigmaError } from './types.ts';

export type ConditionNode =
  | { type: 'ref'; name: string }
  | { type: 'not'; operand: ConditionNode }
  | { type: 'and'; operands: ConditionNode[] }
  | { type: 'or'; operands: ConditionNode[] }
  /** `pattern` is `them` or an identifier with optional `*` wildcards, e.g. `selection_*`. */
  | { type: 'of'; quantifier: 'one' | 'all'; pattern: string };

const PATH = 'detection.condition';
/** Deepest nesting of parentheses and `not` accepted, so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 100;

const AGGREGATION_MESSAGE =
  'aggregations in conditions (`| count() ...`, `near`) are deprecated and not supported; ' +
  'write a Sigma correlation rule instead';

interface Token {
  kind: 'word' | '(' | ')' | 'end';
  text: string;
  offset: number;
}

/** Letters, digits, `_`, `-`, `.`, and `*` (the last only valid in `of` patterns). */
const WORD_CHAR = /[\p{L}\p{Nd}_.*-]/u;
const WHITESPACE = /\s/u;
/** The deprecated `near` aggregation as a whole word. */
const NEAR = /(?<![\p{L}\p{Nd}_.*-])near(?![\p{L}\p{Nd}_.*-])/iu;

function tokenize(text: string, fail: (offset: number, problem: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    if (WHITESPACE.test(ch)) {
      i += ch.length;
    } else if (ch === '|') {
      // Whatever follows (`count() > 5`, `near ...`) is old aggregation syntax, never valid here.
      fail(i, AGGREGATION_MESSAGE);
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch, text: ch, offset: i });
      i += 1;
    } else if (WORD_CHAR.test(ch)) {
      const start = i;
      while (i < text.length) {
        const c = String.fromCodePoint(text.codePointAt(i)!);
        if (!WORD_CHAR.test(c)) break;
        i += c.length;
      }
      tokens.push({ kind: 'word', text: text.slice(start, i), offset: start });
    } else {
      const near = NEAR.exec(text);
      if (near) fail(near.index, AGGREGATION_MESSAGE);
      fail(i, `unexpected character ${JSON.stringify(ch)}`);
    }
  }
  tokens.push({ kind: 'end', text: '', offset: text.length });
  return tokens;
}

/** Keywords that can never be identifiers (compared case-insensitively). */
const RESERVED = new Set(['and', 'or', 'not', 'of', 'them', 'near']);

const keyword = (token: Token): string | undefined =>
  token.kind === 'word' && RESERVED.has(token.text.toLowerCase()) ? token.text.toLowerCase() : undefined;

const describe = (token: Token): string =>
  token.kind === 'end' ? 'the end of the condition' : `'${token.text}'`;

function combine(type: 'and' | 'or', operands: ConditionNode[]): ConditionNode {
  const flat = operands.flatMap((op) => (op.type === type ? op.operands : [op]));
  if (flat.length === 1) return flat[0]!;
  return { type, operands: flat };
}

/**
 * Parses a condition string into a tree. `of` nodes are kept as written; see `resolveCondition`.
 * Throws SigmaError naming the column (and line, for multi-line text) and the problem.
 */
export function parseCondition(text: string): ConditionNode {
  const fail = (offset: number, problem: string): never => {
    throw new SigmaError(`invalid condition: ${problem} at ${locate(text, offset)}`, PATH);
  };
  if (text.trim() === '') throw new SigmaError('invalid condition: the condition is empty', PATH);

  const tokens = tokenize(text, fail);
  let pos = 0;
  const peek = (ahead = 0): Token => tokens[Math.min(pos + ahead, tokens.length - 1)]!;
  const next = (): Token => {
    const token = peek();
    if (pos < tokens.length - 1) pos += 1;
    return token;
  };

  const rejectAggregation = (token: Token): void => {
    if (keyword(token) === 'near') fail(token.offset, AGGREGATION_MESSAGE);
  };

  /** After `previous` an operand must follow; explains what was found instead. */
  const expectOperand = (token: Token, previous: string): never => {
    rejectAggregation(token);
    const expected = "an identifier, 'not', '1 of', 'all of' or '('";
    return fail(token.offset, `expected ${expected} ${previous}, found ${describe(token)}`);
  };

  const parseOr = (depth: number): ConditionNode => {
    const operands = [parseAnd(depth)];
    while (keyword(peek()) === 'or') {
      next();
      operands.push(parseAnd(depth));
    }
    return combine('or', operands);
  };

  const parseAnd = (depth: number): ConditionNode => {
    const operands = [parseNot(depth)];
    while (keyword(peek()) === 'and') {
      next();
      operands.push(parseNot(depth));
    }
    return combine('and', operands);
  };

  const parseNot = (depth: number): ConditionNode => {
    if (depth > MAX_DEPTH) fail(peek().offset, `the condition nests deeper than ${MAX_DEPTH} levels`);
    if (keyword(peek()) === 'not') {
      next();
      return { type: 'not', operand: parseNot(depth + 1) };
    }
    return parsePrimary(depth);
  };

  const parsePrimary = (depth: number): ConditionNode => {
    const token = peek();
    const previous = pos === 0 ? 'at the start' : `after ${describe(tokens[pos - 1]!)}`;
    if (token.kind === '(') {
      next();
      if (peek().kind === ')') fail(peek().offset, "empty parentheses '()'");
      const inner = parseOr(depth + 1);
      const close = peek();
      if (close.kind !== ')') {
        rejectAggregation(close);
        if (close.kind === 'end') fail(token.offset, "'(' is never closed: missing ')'");
        fail(close.offset, `expected 'and', 'or' or ')', found ${describe(close)}`);
      }
      next();
      return inner;
    }
    if (token.kind !== 'word') return expectOperand(token, previous);

    const kw = keyword(token);
    // A quantifier: any other word directly followed by `of`.
    if (kw === undefined && keyword(peek(1)) === 'of') return parseOf();

    if (kw === 'of') fail(token.offset, "'of' must follow '1' or 'all', as in '1 of selection_*'");
    if (kw === 'them') fail(token.offset, "'them' is only valid after '1 of' or 'all of'");
    if (kw !== undefined) return expectOperand(token, previous);
    if (
      token.text.toLowerCase() === 'all' ||
      (/^[0-9]+$/.test(token.text) && peek(1).kind === 'word' && keyword(peek(1)) === undefined)
    ) {
      fail(peek(1).offset, `expected 'of' after '${token.text}'`);
    }
    if (token.text.includes('*')) {
      fail(
        token.offset,
        `wildcard '*' in '${token.text}' is only allowed in a pattern after '1 of' or 'all of'`,
      );
    }
    next();
    return { type: 'ref', name: token.text };
  };

  const parseOf = (): ConditionNode => {
    const quantifierToken = next();
    const q = quantifierToken.text.toLowerCase();
    let quantifier: 'one' | 'all';
    if (q === '1') quantifier = 'one';
    else if (q === 'all') quantifier = 'all';
    else if (q === 'any') {
      return fail(quantifierToken.offset, "'any of' is not Sigma; write '1 of' (any one) or 'all of'");
    } else {
      return fail(
        quantifierToken.offset,
        `'${quantifierToken.text} of' is not allowed: the Sigma specification only allows '1 of' and 'all of'`,
      );
    }
    next(); // `of`
    const target = peek();
    const kw = keyword(target);
    if (kw === 'them') {
      next();
      return { type: 'of', quantifier, pattern: 'them' };
    }
    if (target.kind !== 'word' || kw !== undefined) {
      rejectAggregation(target);
      return fail(
        target.offset,
        `expected 'them' or an identifier pattern such as 'selection_*' after '${quantifierToken.text} of', found ${describe(target)}`,
      );
    }
    next();
    return { type: 'of', quantifier, pattern: target.text };
  };

  const tree = parseOr(0);
  const rest = peek();
  if (rest.kind !== 'end') {
    rejectAggregation(rest);
    if (rest.kind === ')') fail(rest.offset, "unmatched ')'");
    const hint = keyword(rest) === 'not' ? " (did you mean 'and not'?)" : '';
    fail(rest.offset, `expected 'and', 'or' or the end of the condition, found ${describe(rest)}${hint}`);
  }
  return tree;
}

/** `column N` (1-based, counted in characters), with the line when the text has several. */
function locate(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = [...before.slice(lineStart)].length + 1;
  if (!text.includes('\n')) return `column ${column}`;
  return `line ${before.split('\n').length}, column ${column}`;
}

function patternMatcher(pattern: string): (identifier: string) => boolean {
  if (!pattern.includes('*')) return (identifier) => identifier === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 'su');
  return (identifier) => regex.test(identifier);
}

/**
 * Replaces every 'of' node by and/or over the matching identifiers ('them' = all identifiers not
 * starting with '_'; a pattern matches with * as wildcard, case-sensitive, and excludes nothing else).
 * Matches keep the order of `identifiers`; one match becomes a plain 'ref'. Nested and/or of the
 * same kind are flattened. Throws SigmaError when a 'ref' names an unknown identifier or a pattern
 * matches none.
 */
export function resolveCondition(node: ConditionNode, identifiers: readonly string[]): ConditionNode {
  const known = [...new Set(identifiers)];
  const knownSet = new Set(known);
  const listKnown = () => (known.length === 0 ? 'none' : known.join(', '));

  const resolve = (n: ConditionNode): ConditionNode => {
    switch (n.type) {
      case 'ref':
        if (!knownSet.has(n.name)) {
          throw new SigmaError(
            `condition refers to unknown search identifier '${n.name}' (defined: ${listKnown()})`,
            PATH,
          );
        }
        return n;
      case 'not':
        return { type: 'not', operand: resolve(n.operand) };
      case 'and':
      case 'or':
        return combine(n.type, n.operands.map(resolve));
      case 'of': {
        const written = `${n.quantifier === 'one' ? '1' : 'all'} of ${n.pattern}`;
        const matches =
          n.pattern === 'them'
            ? known.filter((id) => !id.startsWith('_'))
            : known.filter(patternMatcher(n.pattern));
        if (matches.length === 0) {
          const what =
            n.pattern === 'them'
              ? 'there is no search identifier that does not start with _'
              : `'${n.pattern}' matches no search identifier`;
          throw new SigmaError(`'${written}': ${what} (defined: ${listKnown()})`, PATH);
        }
        return combine(
          n.quantifier === 'one' ? 'or' : 'and',
          matches.map((name) => ({ type: 'ref', name })),
        );
      }
    }
  };
  return resolve(node);
}

/** Identifiers a resolved condition refers to. Throws on an unresolved 'of' node (a caller's bug). */
export function referencedIdentifiers(node: ConditionNode): Set<string> {
  const found = new Set<string>();
  const visit = (n: ConditionNode): void => {
    switch (n.type) {
      case 'ref':
        found.add(n.name);
        return;
      case 'not':
        visit(n.operand);
        return;
      case 'and':
      case 'or':
        for (const op of n.operands) visit(op);
        return;
      case 'of':
        throw new Error(`referencedIdentifiers needs a resolved condition; resolve '${n.pattern}' first`);
    }
  };
  visit(node);
  return found;
}
