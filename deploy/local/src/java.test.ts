import { describe, expect, it } from 'vitest';
import { type Jdk, pickJdkForElasticsearch } from './java.ts';

const jdk = (major: number): Jdk => ({ home: `/usr/lib/jvm/java-${major}`, major });
const noEnv = {};

describe('pickJdkForElasticsearch', () => {
  it('prefers 21 over 17 and over newer supported versions', () => {
    expect(pickJdkForElasticsearch([jdk(17), jdk(24), jdk(21), jdk(11)], noEnv)).toEqual(jdk(21));
  });

  it('prefers 17 when 21 is absent', () => {
    expect(pickJdkForElasticsearch([jdk(11), jdk(23), jdk(17), jdk(25)], noEnv)).toEqual(jdk(17));
  });

  it('falls back to the newest version between 17 and 24', () => {
    expect(pickJdkForElasticsearch([jdk(18), jdk(22), jdk(25), jdk(11), jdk(20)], noEnv)).toEqual(jdk(22));
    expect(pickJdkForElasticsearch([jdk(24)], noEnv)).toEqual(jdk(24));
  });

  it('returns undefined when nothing supported is available', () => {
    expect(pickJdkForElasticsearch([jdk(11)], noEnv)).toBeUndefined();
    expect(pickJdkForElasticsearch([jdk(25)], noEnv)).toBeUndefined();
    expect(pickJdkForElasticsearch([jdk(8), jdk(11), jdk(16), jdk(25), jdk(26)], noEnv)).toBeUndefined();
    expect(pickJdkForElasticsearch([], noEnv)).toBeUndefined();
  });

  it('honours ES_JAVA_HOME from the env argument over the preference order', () => {
    const custom: Jdk = { home: '/opt/custom-jdk', major: 17 };
    expect(pickJdkForElasticsearch([jdk(21), custom], { ES_JAVA_HOME: '/opt/custom-jdk' })).toEqual(custom);
  });

  it('returns undefined when ES_JAVA_HOME names none of the JDKs found', () => {
    expect(pickJdkForElasticsearch([jdk(21)], { ES_JAVA_HOME: '/nowhere' })).toBeUndefined();
  });

  it('ignores JAVA_HOME for the choice (it only helps discovery)', () => {
    expect(pickJdkForElasticsearch([jdk(17), jdk(21)], { JAVA_HOME: jdk(17).home })).toEqual(jdk(21));
  });

  it('does not reorder the list it is given', () => {
    const list = [jdk(18), jdk(22), jdk(20)];
    pickJdkForElasticsearch(list, noEnv);
    expect(list.map((j) => j.major)).toEqual([18, 22, 20]);
  });
});
