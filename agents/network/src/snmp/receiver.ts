import type { Output } from '@soc/agent-shared';
import snmp from 'net-snmp';
import type { Logger } from 'pino';
import type { SnmpTrapInputConfig } from '../config.ts';
import { type RawNotification, trapEvent } from './trap.ts';

export interface TrapStats {
  received: number;
  /** Rejected by net-snmp: unknown community or user, bad authentication, undecodable packet. */
  rejected: number;
}

/**
 * An SNMP notification receiver (traps v1/v2c/v3 and informs, which net-snmp acknowledges).
 * A packet it cannot accept is counted and logged, never fatal: the socket stays up.
 */
export class TrapReceiver {
  readonly stats: TrapStats = { received: 0, rejected: 0 };
  private receiver:
    | {
        close(cb?: () => void): void;
        getAuthorizer(): { addCommunity(c: string): void; addUser(u: unknown): void };
      }
    | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private bound: { address: string; port: number } | undefined;

  constructor(
    private readonly cfg: SnmpTrapInputConfig,
    private readonly output: Output,
    private readonly log: Logger,
  ) {}

  get name(): string {
    return this.cfg.name;
  }

  get protocol(): string {
    return 'snmp-trap';
  }

  async start(): Promise<void> {
    const options: Record<string, unknown> = {
      port: this.cfg.port,
      address: this.cfg.host,
      transport: this.cfg.host.includes(':') ? 'udp6' : 'udp4',
      // Communities and users are checked (disableAuthorization stays false); the credentials
      // are not added to the notification, so they can never reach a message.
      includeAuthentication: false,
    };
    if (this.cfg.engineId) options.engineID = this.cfg.engineId.replace(/^0x/, '');
    const receiver = snmp.createReceiver(options, (err: Error | null, n: RawNotification | null) =>
      this.onNotification(err, n),
    );
    this.receiver = receiver;
    const auth = receiver.getAuthorizer();
    for (const c of this.cfg.communities) auth.addCommunity(c);
    for (const u of this.cfg.users) {
      auth.addUser({
        name: u.name,
        level: snmp.SecurityLevel[u.level],
        ...(u.authProtocol ? { authProtocol: snmp.AuthProtocols[u.authProtocol], authKey: u.authKey } : {}),
        ...(u.privProtocol ? { privProtocol: snmp.PrivProtocols[u.privProtocol], privKey: u.privKey } : {}),
      });
    }
    this.bound = await boundAddress(receiver);
  }

  address(): { address: string; port: number } {
    if (!this.bound) throw new Error('not listening');
    return this.bound;
  }

  async stop(): Promise<void> {
    const r = this.receiver;
    this.receiver = undefined;
    if (r) await new Promise<void>((resolve) => r.close(() => resolve()));
    await Promise.allSettled([...this.inflight]);
  }

  private onNotification(err: Error | null, n: RawNotification | null): void {
    if (err || !n) {
      this.stats.rejected++;
      const from = (err as { rinfo?: { address: string } } | null)?.rinfo?.address;
      this.log.warn({ from, reason: err?.message }, 'snmp: notification rejected');
      return;
    }
    this.stats.received++;
    let event: Record<string, unknown>;
    try {
      event = trapEvent(n);
    } catch (e) {
      // A PDU shape the agent does not expect is still shipped, raw, with the reason.
      this.stats.rejected++;
      this.log.warn({ err: (e as Error).message }, 'snmp: notification not understood');
      return;
    }
    const p = this.output
      .write(this.cfg.name, {
        event,
        source: { address: n.rinfo.address, port: n.rinfo.port, transport: 'udp' },
      })
      .catch((e: Error) => this.log.error({ err: e.message }, 'snmp notification not buffered'));
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }
}

/**
 * net-snmp binds in the background and does not say when it is done nor which port it got;
 * the dgram socket it keeps does.
 */
async function boundAddress(receiver: unknown): Promise<{ address: string; port: number }> {
  const listener = (receiver as { listener?: { sockets?: Record<string, import('node:dgram').Socket> } })
    .listener;
  const socket = listener?.sockets ? Object.values(listener.sockets)[0] : undefined;
  if (!socket) throw new Error('net-snmp receiver has no socket');
  for (;;) {
    try {
      const a = socket.address();
      return { address: a.address, port: a.port };
    } catch {
      // Not bound yet: wait for 'listening' (or the bind error).
      await new Promise<void>((resolve, reject) => {
        socket.once('listening', () => resolve());
        socket.once('error', reject);
      });
    }
  }
}
