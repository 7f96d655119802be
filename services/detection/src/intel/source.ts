import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import type { Logger } from '@soc/core';
import { REPO_ROOT } from '../rule-source.ts';
import { parseFeed } from './indicators.ts';
import { IntelIndex } from './matcher.ts';

/** Feeds on disk (`.json` STIX/MISP, `.csv`/`.txt` CSV), re-read when a file changes. */
export class IntelSource {
  readonly paths: string[];
  #signature = '';

  constructor(
    paths: string[],
    private readonly logger: Logger,
  ) {
    this.paths = paths.map((p) => (isAbsolute(p) ? p : resolve(REPO_ROOT, p)));
  }

  #files(): string[] {
    const out: string[] = [];
    const walk = (p: string) => {
      if (!existsSync(p)) return;
      if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
      else if (['.json', '.csv', '.txt'].includes(extname(p))) out.push(p);
    };
    for (const p of this.paths) walk(p);
    return out;
  }

  /** A new index when a feed changed (or `force`), else undefined. */
  load(force = false): IntelIndex | undefined {
    const files = this.#files();
    const signature = files.map((f) => `${f}:${statSync(f).mtimeMs}`).join(';');
    if (!force && signature === this.#signature) return undefined;
    this.#signature = signature;
    const index = new IntelIndex();
    let problems = 0;
    for (const f of files) {
      const r = parseFeed(readFileSync(f, 'utf8'), basename(f, extname(f)));
      for (const i of r.indicators) index.add(i);
      problems += r.problems.length;
      if (r.problems.length)
        this.logger.warn(
          { feed: f, problems: r.problems.slice(0, 5), count: r.problems.length },
          'threat-intel feed: entries skipped',
        );
    }
    const expired = index.prune();
    this.logger.info(
      { indicators: index.size, feeds: files.length, expired, problems },
      'threat intelligence loaded',
    );
    return index;
  }
}
