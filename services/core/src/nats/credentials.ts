import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  decode,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  type Permissions,
  type User,
} from '@nats-io/jwt';
import { createAccount, createOperator, createUser, fromSeed, type KeyPair } from '@nats-io/nkeys';
import { z } from 'zod';

/**
 * NATS decentralized authorization (operator → accounts → users, each a JWT signed by the
 * level above with an ed25519 nkey). The server trusts the operator only; users are issued
 * without touching the server, which is why enrollment can hand an agent working credentials
 * on its own: the API holds the account *signing* key, never the operator's.
 *
 * One operator, one application account (`SOC`, JetStream on: every stream and consumer lives
 * there) and the system account (server events; the channel revocations are pushed through).
 */

const seedText = (prefix: string) =>
  z.string().regex(new RegExp(`^S${prefix}[A-Z2-7]{56}$`), `an nkey seed starting with S${prefix}`);

/** Only the seeds are secret; the account JWT is kept too because it carries the revocations. */
export const natsAuthoritySchema = z.object({
  operatorSeed: seedText('O'),
  systemAccountSeed: seedText('A'),
  accountSeed: seedText('A'),
  /** Signs users; listed in the account JWT. The one key an issuer (the API) is given. */
  accountSigningSeed: seedText('A'),
  /** Users whose credentials are revoked: user public key → unix seconds (JWTs issued before are refused). */
  revocations: z.record(z.string(), z.number().int()).default({}),
});
export type NatsAuthority = z.output<typeof natsAuthoritySchema>;

/** Written whole then renamed, so a crash never leaves half a key; 0600 from the first byte. */
export function writeSecretFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function readAuthorityFile(file: string): NatsAuthority {
  return natsAuthoritySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function saveAuthorityFile(file: string, a: NatsAuthority): void {
  writeSecretFile(file, `${JSON.stringify(a, null, 2)}\n`);
}

/** An nkey seed file (one line, as nsc writes them): the account signing key an issuer is given. */
export function readSeedFile(file: string, prefix: 'A' | 'U' | 'O'): string {
  const seed = readFileSync(file, 'utf8').trim();
  return seedText(prefix).parse(seed);
}

export const SOC_ACCOUNT_NAME = 'SOC';
export const SYSTEM_ACCOUNT_NAME = 'SYS';

/** NATS subject permissions in the shape nats-server's own `permissions` blocks use. */
export interface SubjectPermissions {
  publish: string[];
  subscribe: string[];
}

export interface IssuedUser {
  publicKey: string;
  jwt: string;
  /** The `.creds` file text (JWT + seed) that `credsAuthenticator` and the nats CLI read. */
  creds: string;
  /** Unix seconds, when the JWT carries an expiry. */
  expiresAt?: number;
}

const kp = (seed: string): KeyPair => fromSeed(new TextEncoder().encode(seed));
const seedOf = (k: KeyPair): string => new TextDecoder().decode(k.getSeed());
export const publicKeyOfSeed = (seed: string): string => kp(seed).getPublicKey();

/** A fresh operator, SOC account with its signing key, and system account. Done once per deployment. */
export function createAuthority(): NatsAuthority {
  return {
    operatorSeed: seedOf(createOperator()),
    systemAccountSeed: seedOf(createAccount()),
    accountSeed: seedOf(createAccount()),
    accountSigningSeed: seedOf(createAccount()),
    revocations: {},
  };
}

export async function operatorJwt(a: NatsAuthority): Promise<string> {
  return encodeOperator('soc', kp(a.operatorSeed), {
    system_account: publicKeyOfSeed(a.systemAccountSeed),
  });
}

/** Unlimited JetStream: the deployment sizes the store in the server config, not per account. */
const UNLIMITED_JETSTREAM = {
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
  mem_max_stream_bytes: -1,
  disk_max_stream_bytes: -1,
  max_ack_pending: -1,
};
const UNLIMITED_ACCOUNT = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, conn: -1, leaf: -1 };

export async function socAccountJwt(a: NatsAuthority): Promise<string> {
  return encodeAccount(
    SOC_ACCOUNT_NAME,
    publicKeyOfSeed(a.accountSeed),
    {
      limits: { ...UNLIMITED_ACCOUNT, wildcards: true, ...UNLIMITED_JETSTREAM },
      signing_keys: [publicKeyOfSeed(a.accountSigningSeed)],
      // A user JWT without a signature challenge would be a bearer secret; refuse those.
      disallow_bearer: true,
      ...(Object.keys(a.revocations).length ? { revocations: a.revocations } : {}),
    },
    { signer: kp(a.operatorSeed) },
  );
}

export async function systemAccountJwt(a: NatsAuthority): Promise<string> {
  return encodeAccount(
    SYSTEM_ACCOUNT_NAME,
    publicKeyOfSeed(a.systemAccountSeed),
    { limits: { ...UNLIMITED_ACCOUNT, wildcards: true } },
    { signer: kp(a.operatorSeed) },
  );
}

/**
 * The operator-mode part of a nats-server config: the trusted operator, the system account,
 * and the memory resolver preloaded with both account JWTs (nats-server 2.9 has no full
 * resolver for a single machine without a directory; the memory one takes pushed updates).
 */
export async function serverAuthConfig(a: NatsAuthority): Promise<string> {
  const sys = publicKeyOfSeed(a.systemAccountSeed);
  const soc = publicKeyOfSeed(a.accountSeed);
  return [
    `operator: ${await operatorJwt(a)}`,
    `system_account: ${sys}`,
    'resolver: MEMORY',
    'resolver_preload: {',
    `  ${sys}: ${await systemAccountJwt(a)}`,
    `  ${soc}: ${await socAccountJwt(a)}`,
    '}',
  ].join('\n');
}

function toJwtPermissions(p: SubjectPermissions): Partial<Permissions> {
  return { pub: { allow: p.publish, deny: [] }, sub: { allow: p.subscribe, deny: [] } };
}

export interface IssueUserOptions {
  /** The account's public key (users are issued with a signing key, so it is named apart). */
  account: string;
  /** The account signing key seed. */
  signingSeed: string;
  name: string;
  /** Absent: no restriction (services). */
  permissions?: SubjectPermissions;
  /** Seconds until the JWT expires; absent: it does not (revocation ends it instead). */
  ttlS?: number;
  /** The issuing clock, in unix seconds (tests). */
  now?: number;
}

export async function issueUser(o: IssueUserOptions): Promise<IssuedUser> {
  const user = createUser();
  const expiresAt = o.ttlS ? (o.now ?? Math.floor(Date.now() / 1000)) + o.ttlS : undefined;
  const claims: Partial<User> = {
    ...(o.permissions ? toJwtPermissions(o.permissions) : {}),
    // Plain client connections only: not a leaf node, websocket or MQTT session.
    allowed_connection_types: ['STANDARD'],
  };
  const jwt = await encodeUser(o.name, user, o.account, claims, {
    signer: kp(o.signingSeed),
    ...(expiresAt ? { exp: expiresAt } : {}),
  });
  const creds = new TextDecoder().decode(fmtCreds(jwt, user));
  return { publicKey: user.getPublicKey(), jwt, creds, ...(expiresAt ? { expiresAt } : {}) };
}

/** A user of the SOC account with no subject restriction: the services (ingest, detection, API…). */
export function issueServiceUser(a: NatsAuthority, name = 'soc-services'): Promise<IssuedUser> {
  return issueUser({ account: publicKeyOfSeed(a.accountSeed), signingSeed: a.accountSigningSeed, name });
}

/** A user of the system account: pushes account updates (revocations) to the servers. */
export async function issueSystemUser(a: NatsAuthority): Promise<IssuedUser> {
  // System account users are issued by the system account itself (it has no signing key).
  const user = createUser();
  const jwt = await encodeUser('soc-system', user, kp(a.systemAccountSeed), {
    allowed_connection_types: ['STANDARD'],
  });
  return {
    publicKey: user.getPublicKey(),
    jwt,
    creds: new TextDecoder().decode(fmtCreds(jwt, user)),
  };
}

/** The authority with `userPublicKey`'s JWTs (all issued up to `at`) revoked. */
export function withRevocation(
  a: NatsAuthority,
  userPublicKey: string,
  at = Math.floor(Date.now() / 1000),
): NatsAuthority {
  return { ...a, revocations: { ...a.revocations, [userPublicKey]: at } };
}

/** The subject a server takes an account JWT update on, from a system-account user. */
export function accountUpdateSubject(accountPublicKey: string): string {
  return `$SYS.REQ.ACCOUNT.${accountPublicKey}.CLAIMS.UPDATE`;
}

/** The public key, account and expiry a `.creds` text carries (to show, never to trust). */
export function describeCreds(creds: string): { user: string; account: string; name: string; exp?: number } {
  const jwt = /-----BEGIN NATS USER JWT-----\s+(\S+)\s+------END NATS USER JWT------/.exec(creds)?.[1];
  if (!jwt) throw new Error('not a NATS credentials file (no user JWT)');
  const c = decode<User>(jwt);
  return {
    user: c.sub,
    account: c.nats.issuer_account ?? c.iss,
    name: c.name,
    ...(c.exp ? { exp: c.exp } : {}),
  };
}

const updateReplySchema = z.object({
  data: z.object({ code: z.number(), message: z.string() }).optional(),
  error: z.object({ code: z.number().optional(), description: z.string() }).optional(),
});

/**
 * Pushes the SOC account JWT (with its current revocations) to the servers, through a
 * connection of the system account. Takes effect at once: revoked users are disconnected and
 * refused. A server's memory resolver forgets pushed updates on restart, so the deployment
 * also rewrites the preloaded JWT in its config (see deploy/local).
 */
export async function pushAccountJwt(
  systemConnection: {
    request(subject: string, payload: string, opts: { timeout: number }): Promise<{ string(): string }>;
  },
  a: NatsAuthority,
): Promise<void> {
  const reply = await systemConnection.request(
    accountUpdateSubject(publicKeyOfSeed(a.accountSeed)),
    await socAccountJwt(a),
    { timeout: 5000 },
  );
  const parsed = updateReplySchema.safeParse(JSON.parse(reply.string()));
  const code = parsed.success ? (parsed.data.data?.code ?? parsed.data.error?.code) : undefined;
  if (code !== 200)
    throw new Error(`the NATS server refused the account update: ${reply.string().slice(0, 300)}`);
}
