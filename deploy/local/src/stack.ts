import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsAuthMode, StackConfig } from './config.ts';
import { elasticsearchDown, elasticsearchStatus, elasticsearchUp } from './elasticsearch.ts';
import { type NatsInstanceName, natsDown, natsStatus, natsUp } from './nats.ts';
import { ensureDir, varDir } from './paths.ts';
import type { ComponentStatus } from './status.ts';

export type StackComponent = NatsInstanceName | 'elasticsearch';
export const STACK_COMPONENTS: readonly StackComponent[] = ['nats', 'nats-alt', 'elasticsearch'];

export interface StackEndpoints {
  natsUrl: string;
  elasticsearchUrl: string;
  /** Components this call started (and so the caller may stop); the rest were already up or external. */
  started: StackComponent[];
  /** How the local NATS authorizes clients; absent for an external one (NATS_URL). */
  natsAuth?: NatsAuthMode;
  /** Operator mode: the services' credentials (SOC_NATS__CREDS_FILE). */
  natsCredsFile?: string;
  /** Operator mode: what the API issues agents' credentials with (enrollment). */
  natsAccount?: string;
  natsSigningKeyFile?: string;
  /** Operator mode: a system-account user, to push revocations. */
  natsSystemCredsFile?: string;
  /** Operator mode: the keys and revocations (holds the operator key: the API revokes with it). */
  natsAuthorityFile?: string;
}

const endpointsFile = () => join(ensureDir(varDir('run')), 'stack.json');

/** Brings up NATS and Elasticsearch (in parallel; Elasticsearch is the slow one), reusing what already runs. */
export async function stackUp(
  cfg: StackConfig,
  log: (line: string) => void = console.log,
): Promise<StackEndpoints> {
  const [natsResult, esResult] = await Promise.allSettled([
    natsUp(cfg, (l) => log(`[nats] ${l}`)),
    elasticsearchUp(cfg, (l) => log(`[elasticsearch] ${l}`)),
  ]);
  if (natsResult.status === 'rejected' || esResult.status === 'rejected') {
    // Half a stack is no stack: stop what this call started, then report the first failure.
    const nats = natsResult.status === 'fulfilled' ? natsResult.value : undefined;
    if (nats?.started && nats.instance) await natsDown(cfg, [nats.instance]);
    if (esResult.status === 'fulfilled' && esResult.value.started) await elasticsearchDown(cfg);
    throw natsResult.status === 'rejected' ? natsResult.reason : (esResult as PromiseRejectedResult).reason;
  }
  const nats = natsResult.value;
  const es = esResult.value;
  const c = nats.credentials;
  const endpoints: StackEndpoints = {
    natsUrl: nats.url,
    elasticsearchUrl: es.url,
    started: [
      ...(nats.started && nats.instance ? [nats.instance] : []),
      ...(es.started ? (['elasticsearch'] as const) : []),
    ],
    ...(nats.auth ? { natsAuth: nats.auth } : {}),
    ...(c
      ? {
          natsCredsFile: c.servicesCreds,
          natsAccount: c.account,
          natsSigningKeyFile: c.signingKeyFile,
          natsSystemCredsFile: c.systemCreds,
          natsAuthorityFile: c.authorityFile,
        }
      : {}),
  };
  const { started: _s, ...shown } = endpoints;
  writeFileSync(endpointsFile(), `${JSON.stringify(shown, null, 2)}\n`);
  return endpoints;
}

export async function stackDown(
  cfg: StackConfig,
  only: ReadonlyArray<StackComponent> = STACK_COMPONENTS,
): Promise<string[]> {
  const stopped: string[] = [];
  const nats = only.filter((c): c is NatsInstanceName => c !== 'elasticsearch');
  await Promise.all([
    nats.length && natsDown(cfg, nats).then((s) => stopped.push(...s)),
    only.includes('elasticsearch') && elasticsearchDown(cfg).then((s) => s && stopped.push('elasticsearch')),
  ]);
  if (STACK_COMPONENTS.every((c) => only.includes(c))) rmSync(endpointsFile(), { force: true });
  return stopped;
}

export async function stackStatus(cfg: StackConfig): Promise<ComponentStatus[]> {
  const [nats, es] = await Promise.all([natsStatus(cfg), elasticsearchStatus(cfg)]);
  return [...nats, es];
}

/**
 * The environment services run with on this stack: where NATS and Elasticsearch are and, in
 * operator mode, the services' credentials and the API's key for issuing agents' credentials.
 */
export function stackEnv(ep: StackEndpoints): Record<string, string> {
  return {
    NATS_URL: ep.natsUrl,
    ELASTICSEARCH_URL: ep.elasticsearchUrl,
    ...(ep.natsCredsFile ? { SOC_NATS__CREDS_FILE: ep.natsCredsFile } : {}),
    ...(ep.natsAccount ? { SOC_API__ENROLLMENT__NATS_ACCOUNT: ep.natsAccount } : {}),
    ...(ep.natsSigningKeyFile ? { SOC_API__ENROLLMENT__NATS_SIGNING_KEY_FILE: ep.natsSigningKeyFile } : {}),
    ...(ep.natsSystemCredsFile
      ? { SOC_API__ENROLLMENT__NATS_SYSTEM_CREDS_FILE: ep.natsSystemCredsFile }
      : {}),
    ...(ep.natsAuthorityFile ? { SOC_API__ENROLLMENT__NATS_AUTHORITY_FILE: ep.natsAuthorityFile } : {}),
    // What agents are told to connect to: the local stack listens on loopback, so this
    // machine's agents only; a real deployment sets its reachable address here.
    ...(ep.natsAuth === 'operator' ? { SOC_API__ENROLLMENT__NATS_URLS: ep.natsUrl } : {}),
  };
}

/** The endpoints of the last `stackUp`, for processes that did not start the stack themselves. */
export function readEndpoints(): Omit<StackEndpoints, 'started'> | undefined {
  try {
    return JSON.parse(readFileSync(endpointsFile(), 'utf8'));
  } catch {
    return undefined;
  }
}
