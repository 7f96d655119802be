import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { issueAgentCredentials } from '@soc/agent-shared';
import type { Logger } from '@soc/core';
import {
  type IssuedUser,
  pushAccountJwt,
  readAuthorityFile,
  readSeedFile,
  saveAuthorityFile,
  withRevocation,
} from '@soc/core/nats/credentials';
import { z } from 'zod';

/**
 * `api.enrollment.*`: what the API issues agents' NATS credentials with. Unset, enrollment
 * still registers agents but hands out no credentials (a NATS without authorization: tests).
 */
export const enrollmentSchema = z.object({
  /** The SOC account's public key. */
  natsAccount: z
    .string()
    .regex(/^A[A-Z2-7]{55}$/, 'an account public key (A…)')
    .optional(),
  /** A file holding one of the account's signing key seeds (SA…), readable by the API only. */
  natsSigningKeyFile: z.string().optional(),
  /** The NATS URLs agents are told to use (comma-separated): the address agents reach, not the API's. */
  natsUrls: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    ),
  /** Days agents' credentials last; 0: until revoked. */
  credsTtlDays: z.coerce.number().int().min(0).default(0),
  /**
   * Revocation needs the account JWT re-signed by the operator and pushed to the servers:
   * the authority file (operator key; the local stack's var/nats/auth/authority.json) and a
   * system-account creds file. Unset: a revoked agent is refused by the API and its
   * heartbeats ignored, but its NATS user stays valid (see README "NATS authorization").
   */
  natsAuthorityFile: z.string().optional(),
  natsSystemCredsFile: z.string().optional(),
});
export type EnrollmentConfig = z.output<typeof enrollmentSchema>;

export interface AgentCredentials {
  urls: string[];
  issue(agentId: string): Promise<IssuedUser>;
  /** Revokes the NATS user on the servers; false when this API is not set up to. */
  revoke(userPublicKey: string): Promise<boolean>;
}

/** Reads the signing key once, at start-up, so a wrong path stops the API rather than an enrollment. */
export function agentCredentialsFrom(cfg: EnrollmentConfig, logger: Logger): AgentCredentials | undefined {
  if (!cfg.natsAccount || !cfg.natsSigningKeyFile) {
    if (cfg.natsAccount || cfg.natsSigningKeyFile)
      throw new Error('api.enrollment needs both natsAccount and natsSigningKeyFile');
    return undefined;
  }
  const issuer = { account: cfg.natsAccount, signingSeed: readSeedFile(cfg.natsSigningKeyFile, 'A') };
  const ttlS = cfg.credsTtlDays * 86_400;
  const { natsAuthorityFile: authorityFile, natsSystemCredsFile: systemCreds } = cfg;
  if (!authorityFile || !systemCreds)
    logger.warn(
      'api.enrollment: no authority/system creds file; revoking an agent will not revoke its NATS user',
    );
  // One revocation at a time: each pushes the whole list, so two pushes overtaking each other
  // would leave the server with the shorter one (an agent revoked in the file but not live).
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    urls: cfg.natsUrls,
    issue: (agentId) => issueAgentCredentials(issuer, agentId, ttlS ? { ttlS } : {}),
    revoke: (userPublicKey) =>
      oneAtATime(async () => {
        if (!authorityFile || !systemCreds) return false;
        // Kept in the file too: the stack preloads it into the server config on every start.
        const next = withRevocation(readAuthorityFile(authorityFile), userPublicKey);
        saveAuthorityFile(authorityFile, next);
        const nc = await connect({
          servers: cfg.natsUrls,
          authenticator: credsAuthenticator(readFileSync(systemCreds)),
          timeout: 5000,
          maxReconnectAttempts: 0,
        });
        try {
          await pushAccountJwt(nc, next);
        } finally {
          await nc.close();
        }
        return true;
      }),
  };
}
