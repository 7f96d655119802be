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

const secret = z.string().min(8, 'SNMPv3 keys are at least 8 characters (RFC 3414)');

/** An SNMPv3 USM user allowed to send traps and informs. */
export const usmUserSchema = z
  .strictObject({
    name: z.string().min(1),
    level: z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']),
    authProtocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).optional(),
    authKey: secret.optional(),
    privProtocol: z.enum(['des', 'aes', 'aes256b', 'aes256r']).optional(),
    privKey: secret.optional(),
  })
  .refine((u) => u.level === 'noAuthNoPriv' || (u.authProtocol && u.authKey), {
    message: 'authNoPriv and authPriv need authProtocol and authKey',
  })
  .refine((u) => u.level !== 'authPriv' || (u.privProtocol && u.privKey), {
    message: 'authPriv needs privProtocol and privKey',
  });

export const snmpTrapInputSchema = z.strictObject({
  name: subjectToken,
  type: z.literal('snmp-trap'),
  host: z.string().min(1).default('0.0.0.0'),
  /** 162 is the standard port (needs CAP_NET_BIND_SERVICE). net-snmp cannot bind port 0. */
  port: z.coerce.number().int().min(1).max(65535).default(162),
  /** Communities accepted from v1/v2c senders; a trap with another community is counted and dropped. */
  communities: z.array(z.string().min(1)).default([]),
  users: z.array(usmUserSchema).default([]),
  /** The receiver's SNMPv3 engine id (hex), which senders of informs address; random when unset. */
  engineId: z
    .string()
    .regex(/^(0x)?[0-9a-fA-F]{10,64}$/, 'hex, 5 to 32 octets')
    .optional(),
});

export const snmpDeviceSchema = z
  .strictObject({
    /** How the device is named in events; its address otherwise. */
    name: z.string().min(1).optional(),
    host: z.string().min(1),
    port: z.coerce.number().int().min(1).max(65535).default(161),
    version: z.enum(['1', '2c', '3']).default('2c'),
    community: z.string().min(1).default('public'),
    user: usmUserSchema.optional(),
  })
  .refine((d) => d.version !== '3' || d.user, { message: 'version 3 needs user', path: ['user'] });

export const snmpPollInputSchema = z.strictObject({
  name: subjectToken,
  type: z.literal('snmp-poll'),
  intervalS: z.coerce.number().positive().default(60),
  /** Per request; a device that does not answer after `retries` more tries is down. */
  timeoutMs: z.coerce.number().int().positive().default(2000),
  retries: z.coerce.number().int().min(0).default(1),
  devices: z.array(snmpDeviceSchema).min(1),
});

export const inputSchema = z.discriminatedUnion('type', [
  syslogInputSchema,
  snmpTrapInputSchema,
  snmpPollInputSchema,
]);

export const networkConfigSchema = agentBaseSchema.extend({
  inputs: z
    .array(inputSchema)
    .min(1)
    .refine((inputs) => new Set(inputs.map((i) => i.name)).size === inputs.length, {
      message: 'input names must be unique',
    }),
});

export type NetworkConfig = z.output<typeof networkConfigSchema>;
export type SyslogInputConfig = z.output<typeof syslogInputSchema>;
export type SnmpTrapInputConfig = z.output<typeof snmpTrapInputSchema>;
export type SnmpPollInputConfig = z.output<typeof snmpPollInputSchema>;
export type SnmpDeviceConfig = z.output<typeof snmpDeviceSchema>;

/** The YAML file, then `SOC_*` environment variables over it, as for the endpoint agent. */
export function loadNetworkConfig(path: string, env: NodeJS.ProcessEnv = process.env): NetworkConfig {
  return loadConfig(networkConfigSchema, { file: path, env }).config;
}
