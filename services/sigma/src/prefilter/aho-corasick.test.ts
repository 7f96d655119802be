import { describe, expect, it } from 'vitest';
import { AhoCorasick } from './aho-corasick.ts';

const found = (ac: AhoCorasick, s: string): string[] => {
  const ids: number[] = [];
  ac.scan(s, ids);
  return [...new Set(ids.map((id) => ac.patterns[id]!))].sort();
};

describe('AhoCorasick', () => {
  it('finds every pattern a string contains, overlapping and nested', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers', '\\powershell.exe', 'shell']);
    expect(found(ac, 'ushers')).toEqual(['he', 'hers', 'she']);
    expect(found(ac, 'c:\\windows\\powershell.exe')).toEqual(['\\powershell.exe', 'he', 'she', 'shell']);
    expect(found(ac, 'nothing here')).toEqual(['he']);
    expect(found(ac, 'xyz')).toEqual([]);
    expect(found(ac, '')).toEqual([]);
  });

  it('handles characters outside ASCII, in patterns and in text', () => {
    const ac = new AhoCorasick(['tiếng việt', 'é', '\u0000a']);
    expect(found(ac, 'Tiếng Việt'.toLowerCase())).toEqual(['tiếng việt']);
    expect(found(ac, 'caf\u00e9')).toEqual(['é']);
    expect(found(ac, 'b\u0000a')).toEqual(['\u0000a']);
    expect(found(ac, '日本語')).toEqual([]);
  });

  it('agrees with includes() on random strings and patterns', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const word = (max: number) => Array.from({ length: 1 + rnd(max) }, () => 'abc\\.é'[rnd(6)]).join('');
    for (let round = 0; round < 50; round++) {
      const patterns = [...new Set(Array.from({ length: 1 + rnd(30) }, () => word(5)))];
      const ac = new AhoCorasick(patterns);
      for (let k = 0; k < 20; k++) {
        const text = word(40);
        expect(found(ac, text)).toEqual(patterns.filter((p) => text.includes(p)).sort());
      }
    }
  });

  it('rejects an empty pattern', () => {
    expect(() => new AhoCorasick(['a', ''])).toThrow(RangeError);
  });
});

describe('AhoCorasick case folding', () => {
  const found = (ac: AhoCorasick, s: string) => {
    const ids: number[] = [];
    ac.scan(s, ids);
    return [...new Set(ids.map((i) => ac.patterns[i]!))].sort();
  };

  it('reads a text as its lowercase without lowercasing it: ASCII, Vietnamese, Greek, Turkish İ, emoji', () => {
    const ac = new AhoCorasick(['\\powershell.exe', 'tiếng việt', 'σς', 'i̇stanbul', '😀x', 'ß']);
    expect(found(ac, 'C:\\Windows\\POWERSHELL.EXE')).toEqual(['\\powershell.exe']);
    expect(found(ac, 'TIẾNG VIỆT')).toEqual(['tiếng việt']);
    expect(found(ac, 'ΣΣ')).toEqual(['σς']); // final sigma: lowercase depends on the context
    expect(found(ac, 'İSTANBUL')).toEqual(['i̇stanbul']); // İ lowercases to two code units
    expect(found(ac, 'a😀X')).toEqual(['😀x']);
    expect(found(ac, 'STRASSE ß')).toEqual(['ß']);
  });

  it('agrees with scanning toLowerCase() on random mixed-case, mixed-script text', () => {
    let seed = 99;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', 'B', 'Σ', 'σ', 'İ', 'i', 'Ệ', 'ệ', '😀', '\\', ' '];
    const word = (max: number) =>
      Array.from({ length: 1 + rnd(max) }, () => alphabet[rnd(alphabet.length)]).join('');
    for (let round = 0; round < 40; round++) {
      const patterns = [...new Set(Array.from({ length: 1 + rnd(12) }, () => word(4).toLowerCase()))];
      const ac = new AhoCorasick(patterns);
      for (let k = 0; k < 25; k++) {
        const text = word(30);
        const lower = text.toLowerCase();
        expect(found(ac, text), text).toEqual(patterns.filter((p) => lower.includes(p)).sort());
      }
    }
  });
});
