import { buildMessage } from '@soc/agent-shared';
import { normalize } from '@soc/normalize';
import { describe, expect, it } from 'vitest';
import { RULES_DIR } from '../test/starter.ts';
import { families, Router } from './partition.ts';
import { pipelineFor, RuleSet, readRuleFiles, ruleKey } from './ruleset.ts';

const rs = new RuleSet(pipelineFor('ecs'), { files: readRuleFiles([RULES_DIR]).documents, states: [] });
let seq = 0;
const sshFailure = (ip: string) => {
  const line = `Mar 11 10:40:01 web01 sshd[1]: Failed password for root from ${ip} port 40001 ssh2`;
  const r = normalize(
    JSON.stringify(
      buildMessage('p', 'h', 'auth', ++seq, { line, source: { path: '/var/log/auth.log', offset: 0 } }),
    ),
  );
  if (!r.ok) throw new Error(r.detail);
  return r.doc;
};
const failedRule = rs.rules.find((r) => r.name === 'soc_ssh_login_failed')!;

describe('correlation partitioning', () => {
  it('families: each output correlation with the correlations it chains', () => {
    const f = families(rs);
    const chain = f.find((x) =>
      x.correlations.some((c) => c.title === 'SSH brute force followed by a successful login'),
    )!;
    expect(chain.correlations.map((c) => c.name).sort()).toEqual([
      'soc_ssh_bruteforce_inner',
      'soc_ssh_bruteforce_success',
    ]);
    expect([...chain.groupFields.values()]).toEqual([['source.ip'], ['source.ip']]);
    // the inner count is not a family of its own: it is not output
    const inner = chain.correlations.find((c) => c.name === 'soc_ssh_bruteforce_inner')!;
    expect(f.map((x) => x.key)).not.toContain(ruleKey(inner));
    expect(f.length).toBe(4); // SSH brute force, SSH chain, VPN chain, link flapping
  });

  it('one source address always lands in one partition per family; addresses spread over the partitions', () => {
    const router = new Router(rs, 8);
    const a = router.route(failedRule, sshFailure('203.0.113.1'));
    expect(a.length).toBe(2); // the brute-force count and the chain both consume failures
    expect(router.route(failedRule, sshFailure('203.0.113.1'))).toEqual(a);
    const used = new Set<number>();
    for (let i = 0; i < 64; i++)
      for (const r of router.route(failedRule, sshFailure(`198.51.100.${i}`))) used.add(r.partition);
    expect(used.size).toBeGreaterThan(4);
    expect([...used].every((p) => p >= 0 && p < 8)).toBe(true);
  });

  it('a rule no correlation consumes is routed nowhere', () => {
    const web = rs.rules.find((r) => r.title === 'Web shell requested on a public portal')!;
    expect(new Router(rs, 4).route(web, {})).toEqual([]);
  });
});
