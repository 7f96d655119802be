import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type ConditionNode, parseCondition, referencedIdentifiers, resolveCondition } from './condition.ts';
import { SigmaError } from './types.ts';

const ref = (name: string): ConditionNode => ({ type: 'ref', name });
const not = (operand: ConditionNode): ConditionNode => ({ type: 'not', operand });
const and = (...operands: ConditionNode[]): ConditionNode => ({ type: 'and', operands });
const or = (...operands: ConditionNode[]): ConditionNode => ({ type: 'or', operands });
const of = (quantifier: 'one' | 'all', pattern: string): ConditionNode => ({
  type: 'of',
  quantifier,
  pattern,
});

/** The SigmaError thrown by `fn`; fails the test when nothing or something else is thrown. */
function sigmaError(fn: () => unknown): SigmaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SigmaError);
    return err as SigmaError;
  }
  throw new Error('expected a SigmaError, nothing was thrown');
}

const parseError = (text: string) => sigmaError(() => parseCondition(text)).message;

describe('parseCondition', () => {
  it('parses a single identifier', () => {
    expect(parseCondition('selection')).toEqual(ref('selection'));
    expect(parseCondition('  selection_4103 \n')).toEqual(ref('selection_4103'));
    expect(parseCondition('Sel-1.a_B')).toEqual(ref('Sel-1.a_B'));
  });

  it('parses and, or, not', () => {
    expect(parseCondition('a and b')).toEqual(and(ref('a'), ref('b')));
    expect(parseCondition('a or b')).toEqual(or(ref('a'), ref('b')));
    expect(parseCondition('not a')).toEqual(not(ref('a')));
    expect(parseCondition('selection and not filter')).toEqual(and(ref('selection'), not(ref('filter'))));
  });

  it('flattens chains of the same operator (left-associative)', () => {
    expect(parseCondition('a and b and c')).toEqual(and(ref('a'), ref('b'), ref('c')));
    expect(parseCondition('a or b or c or d')).toEqual(or(ref('a'), ref('b'), ref('c'), ref('d')));
    expect(parseCondition('(a and b) and (c and d)')).toEqual(and(ref('a'), ref('b'), ref('c'), ref('d')));
    expect(parseCondition('a or (b or c)')).toEqual(or(ref('a'), ref('b'), ref('c')));
    // Different operators are never merged.
    expect(parseCondition('(a or b) and (c or d)')).toEqual(
      and(or(ref('a'), ref('b')), or(ref('c'), ref('d'))),
    );
  });

  it('binds and tighter than or', () => {
    expect(parseCondition('a or b and c')).toEqual(or(ref('a'), and(ref('b'), ref('c'))));
    expect(parseCondition('a and b or c')).toEqual(or(and(ref('a'), ref('b')), ref('c')));
    expect(parseCondition('a and b or c and d')).toEqual(
      or(and(ref('a'), ref('b')), and(ref('c'), ref('d'))),
    );
    // From the corpus: dscl_create and id_below_500 or dscl_create and (...)
    expect(parseCondition('x and y or x and (p and q)')).toEqual(
      or(and(ref('x'), ref('y')), and(ref('x'), ref('p'), ref('q'))),
    );
  });

  it('binds not tighter than and/or', () => {
    expect(parseCondition('not a and b')).toEqual(and(not(ref('a')), ref('b')));
    expect(parseCondition('not a or b')).toEqual(or(not(ref('a')), ref('b')));
    expect(parseCondition('a and not b or c')).toEqual(or(and(ref('a'), not(ref('b'))), ref('c')));
    expect(parseCondition('not 1 of filter_*')).toEqual(not(of('one', 'filter_*')));
    expect(parseCondition('1 of sel_* and x')).toEqual(and(of('one', 'sel_*'), ref('x')));
  });

  it('lets parentheses override precedence', () => {
    expect(parseCondition('(a or b) and c')).toEqual(and(or(ref('a'), ref('b')), ref('c')));
    expect(parseCondition('not (a and b)')).toEqual(not(and(ref('a'), ref('b'))));
    expect(parseCondition('((a))')).toEqual(ref('a'));
    expect(parseCondition('( (a or b) )and(c)')).toEqual(and(or(ref('a'), ref('b')), ref('c')));
    expect(parseCondition('(1 of selection*)')).toEqual(of('one', 'selection*'));
  });

  it('keeps nested not', () => {
    expect(parseCondition('not not a')).toEqual(not(not(ref('a'))));
    expect(parseCondition('not (not a or b)')).toEqual(not(or(not(ref('a')), ref('b'))));
    expect(parseCondition('a and not not not b')).toEqual(and(ref('a'), not(not(not(ref('b'))))));
  });

  it('treats keywords case-insensitively and identifiers case-sensitively', () => {
    expect(parseCondition('A AND NOT B Or c')).toEqual(or(and(ref('A'), not(ref('B'))), ref('c')));
    expect(parseCondition('sel aNd Not fil')).toEqual(and(ref('sel'), not(ref('fil'))));
    expect(parseCondition('ALL OF Sel_* or 1 Of THEM')).toEqual(or(of('all', 'Sel_*'), of('one', 'them')));
    // Only whole words are keywords.
    expect(parseCondition('android or notify or order')).toEqual(
      or(ref('android'), ref('notify'), ref('order')),
    );
  });

  it('parses 1 of / all of with patterns and them', () => {
    expect(parseCondition('1 of sel*')).toEqual(of('one', 'sel*'));
    expect(parseCondition('all of selection_*')).toEqual(of('all', 'selection_*'));
    expect(parseCondition('1 of them')).toEqual(of('one', 'them'));
    expect(parseCondition('all of them')).toEqual(of('all', 'them'));
    expect(parseCondition('1 of *_cli_*')).toEqual(of('one', '*_cli_*'));
    expect(parseCondition('all of selection')).toEqual(of('all', 'selection'));
    expect(parseCondition('selection and not 1 of filter_main_* and not 1 of filter_optional_*')).toEqual(
      and(ref('selection'), not(of('one', 'filter_main_*')), not(of('one', 'filter_optional_*'))),
    );
  });

  it('ignores whitespace, newlines included', () => {
    const text = 'selection_parent and\n(\n    1 of selection_generic_*\n    or\n\tfilter\n)\n';
    expect(parseCondition(text)).toEqual(
      and(ref('selection_parent'), or(of('one', 'selection_generic_*'), ref('filter'))),
    );
    expect(parseCondition('a\r\nand\r\nb')).toEqual(and(ref('a'), ref('b')));
  });

  it('rejects empty and whitespace-only conditions', () => {
    for (const text of ['', '   ', '\n\t \n']) expect(parseError(text)).toMatch(/empty/);
  });

  it('rejects unbalanced parentheses, naming the column', () => {
    expect(parseError('(a and b')).toMatch(/'\(' is never closed.*column 1\b/);
    expect(parseError('a and (b or (c)')).toMatch(/'\(' is never closed.*column 7\b/);
    expect(parseError('a and b)')).toMatch(/unmatched '\)'.*column 8\b/);
    expect(parseError(')a')).toMatch(/found '\)'.*column 1\b/);
    expect(parseError('a and ()')).toMatch(/empty parentheses.*column 8\b/);
    expect(parseError('(a b)')).toMatch(/expected 'and', 'or' or '\)', found 'b'.*column 4\b/);
  });

  it('rejects missing operands and trailing or doubled operators', () => {
    expect(parseError('a and')).toMatch(/expected an identifier.* after 'and', found the end .*column 6\b/);
    expect(parseError('a or not')).toMatch(/after 'not', found the end/);
    expect(parseError('and a')).toMatch(/at the start, found 'and'.*column 1\b/);
    expect(parseError('a and or b')).toMatch(/after 'and', found 'or'.*column 7\b/);
    expect(parseError('a b')).toMatch(
      /expected 'and', 'or' or the end of the condition, found 'b'.*column 3\b/,
    );
    expect(parseError('a not b')).toMatch(/did you mean 'and not'/);
  });

  it('rejects a bad quantifier, pattern or keyword use', () => {
    expect(parseError('3 of selection_*')).toMatch(
      /'3 of' is not allowed: the Sigma specification only allows '1 of' and 'all of'.*column 1\b/,
    );
    expect(parseError('a and 0 of b*')).toMatch(/'0 of' is not allowed.*column 7\b/);
    expect(parseError('any of selection_*')).toMatch(/'any of' is not Sigma.*'1 of'/);
    expect(parseError('one of them')).toMatch(/'one of' is not allowed/);
    expect(parseError('1 of')).toMatch(
      /expected 'them' or an identifier pattern .* after '1 of', found the end/,
    );
    expect(parseError('all of (a or b)')).toMatch(/after 'all of', found '\('.*column 8\b/);
    expect(parseError('1 of not')).toMatch(/after '1 of', found 'not'/);
    expect(parseError('all selection_*')).toMatch(/expected 'of' after 'all'.*column 5\b/);
    expect(parseError('1 selection_*')).toMatch(/expected 'of' after '1'/);
    expect(parseError('of selection')).toMatch(/'of' must follow '1' or 'all'/);
    expect(parseError('them')).toMatch(/'them' is only valid after '1 of' or 'all of'/);
    expect(parseError('selection_*')).toMatch(/wildcard '\*' in 'selection_\*' is only allowed in a pattern/);
    expect(parseError('a and $b')).toMatch(/unexpected character "\$".*column 7\b/);
    expect(parseError('a && b')).toMatch(/unexpected character "&".*column 3\b/);
  });

  it('rejects the deprecated aggregation syntax', () => {
    for (const text of [
      'selection | count() > 5',
      'selection | count(TargetUserName) by ComputerName > 3',
      'selection1 | near selection2',
      'selection1 near selection2',
      '(a | count() > 1)',
      '1 of | count()',
      'near a',
      'a near b > 3',
    ]) {
      expect(parseError(text)).toMatch(/aggregations in conditions .* are deprecated.*correlation rule/);
    }
    expect(parseError('selection | count() > 5')).toMatch(/column 11\b/);
  });

  it('names line and column in multi-line conditions', () => {
    expect(parseError('selection and\n  (filter or\n   )')).toMatch(/line 3, column 4\b/);
    expect(parseError('a\n and\n b |')).toMatch(/line 3, column 4\b/);
  });

  it('counts columns in characters, not UTF-16 units', () => {
    expect(parseCondition('lựa_chọn and not 𝒳')).toEqual(and(ref('lựa_chọn'), not(ref('𝒳'))));
    expect(parseError('𝒳𝒳 and @')).toMatch(/column 8\b/);
  });

  it('refuses absurdly deep nesting instead of overflowing the stack', () => {
    expect(parseCondition(`${'('.repeat(50)}a${')'.repeat(50)}`)).toEqual(ref('a'));
    expect(parseError(`${'('.repeat(5000)}a${')'.repeat(5000)}`)).toMatch(/nests deeper than/);
    expect(parseError(`${'not '.repeat(5000)}a`)).toMatch(/nests deeper than/);
  });

  it('agrees with a reference precedence on generated expressions', () => {
    // Deterministic pseudo-random trees, printed with minimal parentheses, must parse back.
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const gen = (depth: number): ConditionNode => {
      const r = depth > 3 ? rand(3) : rand(7);
      if (r === 0) return ref(`id${rand(5)}`);
      if (r === 1) return of(rand(2) ? 'one' : 'all', rand(2) ? 'them' : `sel_${rand(3)}*`);
      if (r === 2) return not(gen(depth + 1));
      const kind = r < 5 ? 'and' : 'or';
      const operands = Array.from({ length: 2 + rand(2) }, () => gen(depth + 1)).flatMap((op) =>
        op.type === kind ? op.operands : [op],
      );
      return { type: kind, operands };
    };
    const rank = { or: 1, and: 2, not: 3, of: 4, ref: 4 } as const;
    const print = (n: ConditionNode, parent: number): string => {
      let s: string;
      switch (n.type) {
        case 'ref':
          return n.name;
        case 'of':
          return `${n.quantifier === 'one' ? '1' : 'all'} of ${n.pattern}`;
        case 'not':
          s = `not ${print(n.operand, rank.not)}`;
          break;
        default:
          s = n.operands.map((op) => print(op, rank[n.type] + 0.5)).join(` ${n.type} `);
      }
      return rank[n.type] < parent ? `(${s})` : s;
    };
    for (let i = 0; i < 300; i++) {
      const tree = gen(0);
      expect(parseCondition(print(tree, 0))).toEqual(tree);
    }
  });
});

describe('resolveCondition', () => {
  const ids = ['selection', 'selection_img', 'selection_cli', 'filter_main', 'filter_optional', '_helper'];

  it('keeps known refs and rejects unknown ones', () => {
    expect(resolveCondition(parseCondition('selection and not filter_main'), ids)).toEqual(
      and(ref('selection'), not(ref('filter_main'))),
    );
    expect(resolveCondition(parseCondition('_helper'), ids)).toEqual(ref('_helper'));
    const err = sigmaError(() => resolveCondition(parseCondition('selection and not filter'), ids));
    expect(err.message).toMatch(/unknown search identifier 'filter'/);
    expect(err.message).toContain('selection, selection_img');
    expect(err.path).toBe('detection.condition');
    // Identifiers are case-sensitive.
    expect(() => resolveCondition(ref('Selection'), ids)).toThrow(/unknown search identifier 'Selection'/);
  });

  it('expands 1 of / all of a pattern in identifier order', () => {
    expect(resolveCondition(parseCondition('1 of selection_*'), ids)).toEqual(
      or(ref('selection_img'), ref('selection_cli')),
    );
    expect(resolveCondition(parseCondition('all of sel*'), ids)).toEqual(
      and(ref('selection'), ref('selection_img'), ref('selection_cli')),
    );
    expect(resolveCondition(parseCondition('all of *_main'), ids)).toEqual(ref('filter_main'));
    expect(resolveCondition(parseCondition('1 of *ion*i*'), ids)).toEqual(
      or(ref('selection_img'), ref('selection_cli')),
    );
    expect(resolveCondition(of('one', 'selection'), ids)).toEqual(ref('selection'));
  });

  it('matches patterns case-sensitively, with only * special', () => {
    expect(() => resolveCondition(of('one', 'Selection*'), ids)).toThrow(SigmaError);
    expect(resolveCondition(of('one', 'a.b*'), ['a.b1', 'axb2', 'a.b-3'])).toEqual(
      or(ref('a.b1'), ref('a.b-3')),
    );
  });

  it('expands them to every identifier not starting with _', () => {
    expect(resolveCondition(parseCondition('1 of them'), ['a', '_b', 'c'])).toEqual(or(ref('a'), ref('c')));
    expect(resolveCondition(parseCondition('all of them'), ['a', '_b', 'c'])).toEqual(
      and(ref('a'), ref('c')),
    );
    expect(resolveCondition(parseCondition('all of them'), ['a', '_b'])).toEqual(ref('a'));
  });

  it('lets patterns match _ identifiers', () => {
    expect(resolveCondition(parseCondition('1 of _*'), ['a', '_b', '_c'])).toEqual(or(ref('_b'), ref('_c')));
    expect(resolveCondition(parseCondition('all of *'), ['a', '_b'])).toEqual(and(ref('a'), ref('_b')));
  });

  it('rejects a pattern or them that matches nothing', () => {
    expect(
      sigmaError(() => resolveCondition(parseCondition('selection and 1 of filter_*'), ['selection']))
        .message,
    ).toMatch(/'1 of filter_\*': 'filter_\*' matches no search identifier \(defined: selection\)/);
    expect(sigmaError(() => resolveCondition(parseCondition('1 of them'), ['_a', '_b'])).message).toMatch(
      /'1 of them': there is no search identifier that does not start with _/,
    );
    expect(() => resolveCondition(of('all', 'them'), [])).toThrow(/defined: none/);
  });

  it('flattens expansions into the surrounding and/or', () => {
    expect(resolveCondition(parseCondition('selection or 1 of filter_*'), ids)).toEqual(
      or(ref('selection'), ref('filter_main'), ref('filter_optional')),
    );
    expect(resolveCondition(parseCondition('all of selection_* and not 1 of filter_*'), ids)).toEqual(
      and(ref('selection_img'), ref('selection_cli'), not(or(ref('filter_main'), ref('filter_optional')))),
    );
  });

  it('does not change the tree it is given', () => {
    const tree = parseCondition('1 of selection_* and not filter_main');
    const copy = structuredClone(tree);
    resolveCondition(tree, ids);
    expect(tree).toEqual(copy);
  });
});

describe('referencedIdentifiers', () => {
  it('collects the identifiers of a resolved condition', () => {
    const resolved = resolveCondition(parseCondition('(1 of selection_* or selection) and not filter_main'), [
      'selection',
      'selection_a',
      'selection_b',
      'filter_main',
      'unused',
    ]);
    expect(referencedIdentifiers(resolved)).toEqual(
      new Set(['selection_a', 'selection_b', 'selection', 'filter_main']),
    );
    expect(referencedIdentifiers(ref('x'))).toEqual(new Set(['x']));
  });

  it('refuses an unresolved tree', () => {
    expect(() => referencedIdentifiers(and(ref('a'), of('one', 'them')))).toThrow(/resolved/);
  });
});

// --- The SigmaHQ rule corpus -------------------------------------------------------------------

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const corpus = resolve(repoRoot, process.env.SIGMA_CORPUS ?? '../shared/sigmahq');
const haveCorpus = existsSync(corpus);

interface CorpusCondition {
  file: string;
  text: string;
  identifiers: string[];
}

/** Every condition of every rule under `<corpus>/rules*` (a list condition gives one entry per element). */
function corpusConditions(): CorpusCondition[] {
  const found: CorpusCondition[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.yml') || entry.name.endsWith('.yaml')) {
        for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
          const detection = (doc.toJS() as { detection?: Record<string, unknown> } | null)?.detection;
          if (!detection || detection.condition === undefined) continue;
          const identifiers = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
          const conditions = Array.isArray(detection.condition) ? detection.condition : [detection.condition];
          for (const text of conditions) found.push({ file: path, text: String(text), identifiers });
        }
      }
    }
  };
  for (const entry of readdirSync(corpus)) {
    if (entry.startsWith('rules')) walk(join(corpus, entry));
  }
  return found;
}

describe('SigmaHQ corpus', () => {
  const skipReason = `(skipped: no Sigma corpus at ${corpus}; set SIGMA_CORPUS)`;
  let cached: CorpusCondition[] | undefined;
  const conditions = () => {
    cached ??= corpusConditions();
    return cached;
  };

  it.skipIf(!haveCorpus)(
    `parses every distinct condition ${haveCorpus ? `in ${corpus}` : skipReason}`,
    () => {
      const distinct = [...new Set(conditions().map((c) => c.text))];
      expect(distinct.length).toBeGreaterThan(100);
      const failures = distinct.flatMap((text) => {
        try {
          parseCondition(text);
          return [];
        } catch (err) {
          return [`${JSON.stringify(text)}: ${(err as Error).message}`];
        }
      });
      expect(failures).toEqual([]);
    },
    60_000,
  );

  it.skipIf(!haveCorpus)(
    `resolves every condition against its rule's identifiers ${haveCorpus ? '' : skipReason}`,
    () => {
      const failures = conditions().flatMap(({ file, text, identifiers }) => {
        try {
          const resolved = resolveCondition(parseCondition(text), identifiers);
          expect(referencedIdentifiers(resolved).size).toBeGreaterThan(0);
          return [];
        } catch (err) {
          return [`${file}: ${JSON.stringify(text)}: ${(err as Error).message}`];
        }
      });
      expect(failures).toEqual([]);
    },
    60_000,
  );
});
