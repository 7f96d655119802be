import { type Account, decode, type Operator, type User } from '@nats-io/jwt';
import { describe, expect, it } from 'vitest';
import {
  createAuthority,
  describeCreds,
  issueServiceUser,
  issueUser,
  natsAuthoritySchema,
  operatorJwt,
  publicKeyOfSeed,
  serverAuthConfig,
  socAccountJwt,
  withRevocation,
} from './credentials.ts';

describe('NATS credentials (operator / account / user JWTs)', () => {
  const a = createAuthority();
  const account = publicKeyOfSeed(a.accountSeed);

  it('creates distinct keys of the right kinds, and round-trips through its schema', () => {
    expect(natsAuthoritySchema.parse(JSON.parse(JSON.stringify(a)))).toEqual(a);
    expect(new Set([a.accountSeed, a.accountSigningSeed, a.systemAccountSeed]).size).toBe(3);
    expect(publicKeyOfSeed(a.operatorSeed)).toMatch(/^O/);
    expect(() => natsAuthoritySchema.parse({ ...a, operatorSeed: a.accountSeed })).toThrow(/SO/);
  });

  it('signs the SOC account with the operator, names its signing key and turns JetStream on', async () => {
    const op = decode<Operator>(await operatorJwt(a));
    expect(op.nats.system_account).toBe(publicKeyOfSeed(a.systemAccountSeed));
    const acc = decode<Account>(await socAccountJwt(a));
    expect(acc.iss).toBe(publicKeyOfSeed(a.operatorSeed));
    expect(acc.sub).toBe(account);
    expect(acc.nats.signing_keys).toEqual([publicKeyOfSeed(a.accountSigningSeed)]);
    expect(acc.nats.limits?.disk_storage).toBe(-1);
    expect(acc.nats.revocations).toBeUndefined();
  });

  it('issues a restricted user with the signing key, on behalf of the account, with an expiry', async () => {
    const u = await issueUser({
      account,
      signingSeed: a.accountSigningSeed,
      name: 'ag-1',
      permissions: { publish: ['telemetry.ag-1.>'], subscribe: ['_INBOX_ag-1.>'] },
      ttlS: 3600,
      now: 1_000_000,
    });
    const c = decode<User>(u.jwt);
    expect(c.sub).toBe(u.publicKey);
    expect(c.iss).toBe(publicKeyOfSeed(a.accountSigningSeed));
    expect(c.nats.issuer_account).toBe(account);
    expect(c.nats.pub?.allow).toEqual(['telemetry.ag-1.>']);
    expect(c.nats.sub?.allow).toEqual(['_INBOX_ag-1.>']);
    expect(c.exp).toBe(1_003_600);
    expect(u.creds).toContain(u.jwt);
    expect(u.creds).toMatch(/-----BEGIN USER NKEY SEED-----\s+SU[A-Z2-7]{56}/);
    expect(describeCreds(u.creds)).toEqual({ user: u.publicKey, account, name: 'ag-1', exp: 1_003_600 });
  });

  it('issues service users without subject limits or expiry', async () => {
    const c = decode<User>((await issueServiceUser(a)).jwt);
    expect(c.nats.pub?.allow ?? []).toEqual([]);
    expect(c.nats.sub?.allow ?? []).toEqual([]);
    expect(c.exp).toBeUndefined();
  });

  it('lists a revoked user in the re-signed account JWT and in the server config it preloads', async () => {
    const revoked = withRevocation(a, 'UABC', 42);
    expect(a.revocations).toEqual({});
    expect(decode<Account>(await socAccountJwt(revoked)).nats.revocations).toEqual({ UABC: 42 });
    const conf = await serverAuthConfig(revoked);
    expect(conf).toMatch(/^operator: ey/m);
    expect(conf).toContain('resolver: MEMORY');
    expect(conf).toContain(`${account}: ey`);
  });

  it('rejects text that is not a creds file', () => {
    expect(() => describeCreds('hello')).toThrow(/not a NATS credentials file/);
  });
});
