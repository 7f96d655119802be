import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createAuthority,
  issueServiceUser,
  issueSystemUser,
  type NatsAuthority,
  publicKeyOfSeed,
  readAuthorityFile,
  saveAuthorityFile,
  writeSecretFile,
} from '@soc/core/nats/credentials';
import { varDir } from './paths.ts';

/**
 * The local stack's NATS authorization material, created once under `var/nats/auth/` (a 0700
 * directory of 0600 files) and kept: deleting it means new keys, so every issued credential
 * (agents' included) stops working.
 *
 * - `authority.json`: operator, account, signing and system seeds, and the revocations;
 * - `services.creds`: the services' user (no subject limits) — `SOC_NATS__CREDS_FILE`;
 * - `system.creds`: a system-account user, to push account updates (revocations);
 * - `account-signing.nk`: the SOC account's signing seed, the one key the API is given to
 *   issue agents' credentials at enrollment.
 */
export interface StackNatsAuth {
  dir: string;
  authorityFile: string;
  servicesCreds: string;
  systemCreds: string;
  signingKeyFile: string;
  /** The SOC account's public key (agents' users are issued for it). */
  account: string;
}

export function natsAuthPaths(): Omit<StackNatsAuth, 'account'> {
  const dir = varDir('nats', 'auth');
  return {
    dir,
    authorityFile: join(dir, 'authority.json'),
    servicesCreds: join(dir, 'services.creds'),
    systemCreds: join(dir, 'system.creds'),
    signingKeyFile: join(dir, 'account-signing.nk'),
  };
}

/** Creates what is missing (keys once; creds files when absent) and returns where it all is. */
export async function ensureNatsAuth(): Promise<{ auth: StackNatsAuth; authority: NatsAuthority }> {
  const p = natsAuthPaths();
  // Parents first, with the default mode: a recursive mkdir gives its mode to every directory
  // it creates, and a 0700 var/ locks the Elasticsearch user out of its own distribution.
  mkdirSync(dirname(p.dir), { recursive: true });
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  chmodSync(p.dir, 0o700);
  let authority: NatsAuthority;
  if (existsSync(p.authorityFile)) authority = readAuthorityFile(p.authorityFile);
  else {
    authority = createAuthority();
    saveAuthorityFile(p.authorityFile, authority);
  }
  if (!existsSync(p.servicesCreds))
    writeSecretFile(p.servicesCreds, (await issueServiceUser(authority)).creds);
  if (!existsSync(p.systemCreds)) writeSecretFile(p.systemCreds, (await issueSystemUser(authority)).creds);
  if (!existsSync(p.signingKeyFile)) writeSecretFile(p.signingKeyFile, `${authority.accountSigningSeed}\n`);
  return { auth: { ...p, account: publicKeyOfSeed(authority.accountSeed) }, authority };
}
