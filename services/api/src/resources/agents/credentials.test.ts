import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, type User } from '@nats-io/jwt';
import { createLogger } from '@soc/core';
import { createAuthority, publicKeyOfSeed } from '@soc/core/nats/credentials';
import { describe, expect, it } from 'vitest';
import { agentCredentialsFrom, enrollmentSchema } from './credentials.ts';

const logger = createLogger({ service: 't', level: 'silent', pretty: false });
const dir = mkdtempSync(join(tmpdir(), 'soc-enr-'));
const a = createAuthority();
const account = publicKeyOfSeed(a.accountSeed);

describe('api.enrollment: the agents’ credentials issuer', () => {
  it('is off when not configured, and refuses half a configuration', () => {
    expect(agentCredentialsFrom(enrollmentSchema.parse({}), logger)).toBeUndefined();
    expect(() => agentCredentialsFrom(enrollmentSchema.parse({ natsAccount: account }), logger)).toThrow(
      /both natsAccount and natsSigningKeyFile/,
    );
    expect(() => enrollmentSchema.parse({ natsAccount: 'not-a-key' })).toThrow(/account public key/);
  });

  it('refuses a key file that holds something else than an account seed', () => {
    const file = join(dir, 'wrong.nk');
    writeFileSync(file, `${a.operatorSeed}\n`);
    expect(() =>
      agentCredentialsFrom(
        enrollmentSchema.parse({ natsAccount: account, natsSigningKeyFile: file }),
        logger,
      ),
    ).toThrow(/SA/);
  });

  it('issues users of the account with the agent’s permissions and the configured lifetime', async () => {
    const file = join(dir, 'signing.nk');
    writeFileSync(file, `${a.accountSigningSeed}\n`);
    const issuer = agentCredentialsFrom(
      enrollmentSchema.parse({
        natsAccount: account,
        natsSigningKeyFile: file,
        natsUrls: 'nats://a:4222, nats://b:4222',
        credsTtlDays: '30',
      }),
      logger,
    )!;
    expect(issuer.urls).toEqual(['nats://a:4222', 'nats://b:4222']);
    const u = await issuer.issue('ag-1');
    const c = decode<User>(u.jwt);
    expect(c.nats.issuer_account).toBe(account);
    expect(c.nats.pub?.allow).toEqual(['telemetry.ag-1.>', 'agent.ag-1.>']);
    expect(c.exp! - c.iat).toBe(30 * 86_400);
    // Without the authority and system creds, revocation is not this API's to do.
    expect(await issuer.revoke(u.publicKey)).toBe(false);
  });
});
