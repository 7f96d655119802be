import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { loadConfig } from './load.ts';
import { baseServiceSchema } from './schemas.ts';

const SECRET = 'S3cr3t-hunter2-do-not-log';

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'soc-config-test-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeTemp(text: string, ext = 'yaml'): string {
  const file = join(dir, `config-${++counter}.${ext}`);
  writeFileSync(file, text);
  return file;
}

/** Runs `fn`, asserts it threw a ConfigError and returns it. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('loadConfig: layering', () => {
  it('uses the schema defaults when nothing is set', () => {
    const { config, ignoredEnv } = loadConfig(baseServiceSchema, { env: {} });
    expect(config.nats.url).toBe('nats://127.0.0.1:4222');
    expect(config.elasticsearch.url).toBe('http://127.0.0.1:9200');
    expect(config.elasticsearch.requestTimeoutMs).toBe(30_000);
    expect(config.log.level).toBe('info');
    expect(ignoredEnv).toEqual([]);
  });

  it('maps SOC_ variables onto nested, camelCased keys and coerces them', () => {
    const { config } = loadConfig(baseServiceSchema, {
      env: {
        SOC_NATS__URL: 'nats://env:4222',
        SOC_ELASTICSEARCH__REQUEST_TIMEOUT_MS: '1234',
        SOC_HTTP__PORT: '8081',
        SOC_LOG__PRETTY: 'yes',
      },
    });
    expect(config.nats.url).toBe('nats://env:4222');
    expect(config.elasticsearch.requestTimeoutMs).toBe(1234);
    expect(config.http.port).toBe(8081);
    expect(config.log.pretty).toBe(true);
  });

  it('honours the NATS_URL, ELASTICSEARCH_URL and LOG_LEVEL aliases', () => {
    const { config, ignoredEnv } = loadConfig(baseServiceSchema, {
      env: { NATS_URL: 'nats://alias:4222', ELASTICSEARCH_URL: 'http://es.alias:9200', LOG_LEVEL: 'debug' },
    });
    expect(config.nats.url).toBe('nats://alias:4222');
    expect(config.elasticsearch.url).toBe('http://es.alias:9200');
    expect(config.log.level).toBe('debug');
    expect(ignoredEnv).toEqual([]);
  });

  it('lets the prefixed variable beat its alias', () => {
    const { config } = loadConfig(baseServiceSchema, {
      env: {
        SOC_NATS__URL: 'nats://prefixed:1',
        NATS_URL: 'nats://alias:2',
        LOG_LEVEL: 'warn',
        SOC_LOG__LEVEL: 'error',
      },
    });
    expect(config.nats.url).toBe('nats://prefixed:1');
    expect(config.log.level).toBe('error');
  });

  it('applies defaults < file < env', () => {
    const file = writeTemp(
      [
        'nats:',
        '  url: nats://file:4222',
        '  user: file-user',
        'elasticsearch:',
        '  requestTimeoutMs: 700',
        'log:',
        '  level: warn',
      ].join('\n'),
    );
    const { config } = loadConfig(baseServiceSchema, { file, env: { NATS_URL: 'nats://env:4222' } });
    expect(config.nats.url).toBe('nats://env:4222'); // env beats file
    expect(config.nats.user).toBe('file-user'); // file beats default (none), env did not touch it
    expect(config.elasticsearch.requestTimeoutMs).toBe(700); // file beats default
    expect(config.elasticsearch.maxRetries).toBe(3); // default survives a partial file section
    expect(config.log.level).toBe('warn');
  });

  it('reads the file named by SOC_CONFIG when no file option is given', () => {
    const file = writeTemp('log:\n  level: trace\n');
    const { config, ignoredEnv } = loadConfig(baseServiceSchema, { env: { SOC_CONFIG: file } });
    expect(config.log.level).toBe('trace');
    expect(ignoredEnv).toEqual([]);
  });

  it('accepts JSON files and treats an empty file as no settings', () => {
    const json = writeTemp(JSON.stringify({ http: { port: 9999 } }), 'json');
    expect(loadConfig(baseServiceSchema, { file: json, env: {} }).config.http.port).toBe(9999);
    const empty = writeTemp('');
    expect(loadConfig(baseServiceSchema, { file: empty, env: {} }).config.http.port).toBe(0);
  });

  it('accepts every flag spelling from the environment', () => {
    const cases: Array<[string, boolean]> = [
      ['true', true],
      ['false', false],
      ['1', true],
      ['0', false],
      ['yes', true],
      ['no', false],
    ];
    for (const [raw, expected] of cases) {
      const { config } = loadConfig(baseServiceSchema, { env: { SOC_LOG__PRETTY: raw } });
      expect(config.log.pretty, `SOC_LOG__PRETTY=${raw}`).toBe(expected);
    }
    const err = configError(() => loadConfig(baseServiceSchema, { env: { SOC_LOG__PRETTY: 'perhaps' } }));
    expect(err.problems).toEqual([
      expect.objectContaining({ key: 'log.pretty', source: 'env SOC_LOG__PRETTY' }),
    ]);
  });
});

describe('loadConfig: unknown keys', () => {
  it('returns an unread prefixed variable in ignoredEnv instead of failing', () => {
    const { config, ignoredEnv } = loadConfig(baseServiceSchema, {
      env: { SOC_NATS__URLS: 'x', SOC_NATS__URL: 'nats://ok:1', PATH: '/bin', HOME: '/root' },
    });
    expect(config.nats.url).toBe('nats://ok:1');
    expect(ignoredEnv).toEqual(['env SOC_NATS__URLS']);
  });

  it('names each variable of a section this service does not have in ignoredEnv', () => {
    // Shared env is normal: the stack's SOC_STACK__* variables reach every service.
    const { ignoredEnv } = loadConfig(baseServiceSchema, {
      env: { SOC_STACK__NATS_PORT: '4223', SOC_STACK__ES_HEAP: '2g' },
    });
    expect([...ignoredEnv].sort()).toEqual(['env SOC_STACK__ES_HEAP', 'env SOC_STACK__NATS_PORT']);
  });

  it('rejects an unknown key in a file, naming the dotted key and the file', () => {
    const file = writeTemp('nats:\n  pasword: x\nlog:\n  level: info\n');
    const err = configError(() => loadConfig(baseServiceSchema, { file, env: {} }));
    expect(err.problems).toEqual([{ key: 'nats.pasword', source: `file ${file}`, message: 'unknown key' }]);
    expect(err.message).toContain('nats.pasword');
    expect(err.message).toContain(file);
  });

  it('reports every unknown key in a file', () => {
    const file = writeTemp('natz:\n  url: x\nelasticsearch:\n  requestTimeout: 5\n');
    const err = configError(() => loadConfig(baseServiceSchema, { file, env: {} }));
    expect(err.problems.map((p) => p.key).sort()).toEqual(['elasticsearch.requestTimeout', 'natz']);
  });
});

describe('loadConfig: errors', () => {
  it('lists every problem at once, each with its key and source', () => {
    const file = writeTemp('elasticsearch:\n  requestTimeoutMs: -5\n');
    const err = configError(() =>
      loadConfig(baseServiceSchema, {
        file,
        env: { ELASTICSEARCH_URL: 'not a url', LOG_LEVEL: 'loud', SOC_HTTP__PORT: '70000' },
      }),
    );
    const byKey = Object.fromEntries(err.problems.map((p) => [p.key, p.source]));
    expect(byKey).toEqual({
      'elasticsearch.url': 'env ELASTICSEARCH_URL',
      'log.level': 'env LOG_LEVEL',
      'http.port': 'env SOC_HTTP__PORT',
      'elasticsearch.requestTimeoutMs': `file ${file}`,
    });
    for (const p of err.problems) {
      expect(err.message).toContain(`${p.key} (${p.source})`);
      expect(p.message.length).toBeGreaterThan(0);
    }
    expect(err.name).toBe('ConfigError');
  });

  it('names the variable that set a parent key', () => {
    const err = configError(() => loadConfig(baseServiceSchema, { env: { SOC_NATS: 'flat' } }));
    expect(err.problems).toEqual([expect.objectContaining({ key: 'nats', source: 'env SOC_NATS' })]);
  });

  it('never echoes a bad value from the environment', () => {
    const err = configError(() =>
      loadConfig(baseServiceSchema, {
        env: {
          ELASTICSEARCH_URL: SECRET,
          LOG_LEVEL: SECRET,
          SOC_LOG__PRETTY: SECRET,
          SOC_ELASTICSEARCH__REQUEST_TIMEOUT_MS: SECRET,
          SOC_HTTP__PORT: SECRET,
        },
      }),
    );
    expect(err.problems).toHaveLength(5);
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err.problems)).not.toContain(SECRET);
  });

  it('never echoes a bad value from a file', () => {
    const file = writeTemp(
      `elasticsearch:\n  url: ${SECRET}\n  maxRetries: ${SECRET}\nlog:\n  level: ${SECRET}\n`,
    );
    const err = configError(() => loadConfig(baseServiceSchema, { file, env: {} }));
    expect(err.problems.map((p) => p.key).sort()).toEqual([
      'elasticsearch.maxRetries',
      'elasticsearch.url',
      'log.level',
    ]);
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err.problems)).not.toContain(SECRET);
  });

  it('fails with a ConfigError naming a missing file', () => {
    const file = join(dir, 'does-not-exist.yaml');
    const err = configError(() => loadConfig(baseServiceSchema, { file, env: {} }));
    expect(err.problems).toEqual([expect.objectContaining({ key: '(file)', source: `file ${file}` })]);
  });

  it('fails with a ConfigError on invalid YAML', () => {
    const file = writeTemp('nats:\n  url: [unclosed\n');
    const err = configError(() => loadConfig(baseServiceSchema, { file, env: {} }));
    expect(err.problems).toEqual([expect.objectContaining({ key: '(file)', source: `file ${file}` })]);
  });

  it('fails with a ConfigError when the top level is a list or a scalar', () => {
    for (const text of ['- nats\n- log\n', 'just a string\n', '42\n']) {
      const file = writeTemp(text);
      const err = configError(() => loadConfig(baseServiceSchema, { file, env: {} }));
      expect(err.problems).toEqual([
        { key: '(file)', source: `file ${file}`, message: 'expected a mapping at the top level' },
      ]);
    }
  });

  it('does not echo the offending line of invalid YAML (it may hold a secret)', () => {
    const file = writeTemp(`nats:\n  password: ${SECRET}: oops\n`);
    const err = configError(() => loadConfig(baseServiceSchema, { file, env: {} }));
    expect(err.problems[0]?.source).toBe(`file ${file}`);
    expect(err.message).not.toContain(SECRET);
  });

  it('reports unknown file keys together with invalid values', () => {
    const file = writeTemp('nats:\n  pasword: x\nlog:\n  level: loud\n');
    const err = configError(() => loadConfig(baseServiceSchema, { file, env: {} }));
    expect(err.problems.map((p) => p.key).sort()).toEqual(['log.level', 'nats.pasword']);
  });
});
