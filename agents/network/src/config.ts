import { existsSync } from 'node:fs';
import { agentBaseSchema, byteSize, subjectToken } from '@soc/agent-shared';
import { loadConfig } from '@soc/core/config/load';
import { z } from 'zod';

const file = z.string().refine((p) => existsSync(p), { message: 'file not found' });

// Strict: core's loader finds unknown keys in mappings, not inside list items such as inputs.
export const syslogInputSchema = z
  .strictObject({
    /** Third token of the subject: `telemetry.<agent>.<name>`. */
    name: subjectToken,
    type: z.literal('syslog'),
    /** udp (RFC 5426), tcp (RFC 6587: octet-counting or newline framing), tls (RFC 5425). */
    protocol: z.enum(['udp', 'tcp', 'tls']),
    host: z.string().min(1).default('0.0.0.0'),
    /** 514 for udp/tcp and 6514 for tls are the standard ports; 0 picks a free one (tests). */
    port: z.coerce.number().int().min(0).max(65535),
    /** Longer messages are cut here and marked `truncated`. */
    maxMessageBytes: byteSize.default(64 * 1024),
    /** Server certificate and key (PEM) for tls; `ca` asks senders for client certificates. */
    tls: z.strictObject({ cert: file, key: file, ca: file.optional() }).optional(),
    /** A TCP/TLS connection idle this long is closed (a sender that died without a FIN). */
    idleTimeoutMs: z.coerce
      .number()
      .int()
      .positive()
      .default(10 * 60_000),
    maxConnections: z.coerce.number().int().positive().default(1000),
  })
  .refine((i) => i.protocol !== 'tls' || i.tls, { message: 'tls needs tls.cert and tls.key', path: ['tls'] });

export const networkConfigSchema = agentBaseSchema.extend({
  inputs: z
    .array(syslogInputSchema)
    .min(1)
    .refine((inputs) => new Set(inputs.map((i) => i.name)).size === inputs.length, {
      message: 'input names must be unique',
    }),
});

export type NetworkConfig = z.output<typeof networkConfigSchema>;
export type SyslogInputConfig = z.output<typeof syslogInputSchema>;

/** The YAML file, then `SOC_*` environment variables over it, as for the endpoint agent. */
export function loadNetworkConfig(path: string, env: NodeJS.ProcessEnv = process.env): NetworkConfig {
  return loadConfig(networkConfigSchema, { file: path, env }).config;
}
