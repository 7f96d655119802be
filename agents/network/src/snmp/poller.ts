import type { Output } from '@soc/agent-shared';
import snmp from 'net-snmp';
import type { Logger } from 'pino';
import type { SnmpDeviceConfig, SnmpPollInputConfig } from '../config.ts';
import { IF_DESCR, IF_IN_ERRORS, IF_OPER_STATUS, OPER_STATUS, SYS_UPTIME } from './oids.ts';
import { DeviceState, type InterfaceReading, type Reading } from './poll-state.ts';

interface Varbind {
  oid: string;
  type: number;
  value: unknown;
}

interface Session {
  get(oids: string[], cb: (err: Error | null, vbs: Varbind[]) => void): void;
  subtree(
    oid: string,
    max: number,
    feed: (vbs: Varbind[]) => boolean | undefined,
    done: (err: Error | null) => void,
  ): void;
  close(): void;
}

export interface PollStats {
  polls: number;
  failures: number;
}

/**
 * Polls the configured devices every `intervalS`: sysUpTime, then the interface table's
 * ifDescr, ifOperStatus and ifInErrors. Down, up and changed devices become `snmp.poll`
 * events (see DeviceState for when); a device that does not answer is `down`, never an error.
 */
export class SnmpPoller {
  readonly stats: PollStats = { polls: 0, failures: 0 };
  private readonly states = new Map<SnmpDeviceConfig, DeviceState>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly cfg: SnmpPollInputConfig,
    private readonly output: Output,
    private readonly log: Logger,
  ) {
    for (const d of cfg.devices) this.states.set(d, new DeviceState());
  }

  get name(): string {
    return this.cfg.name;
  }

  get protocol(): string {
    return 'snmp-poll';
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => {
      // A poll round that outlasts the interval is not overlapped by the next one.
      if (!this.running) void this.pollOnce();
    }, this.cfg.intervalS * 1000);
    void this.pollOnce();
  }

  address(): { address: string; port: number } {
    return { address: '', port: 0 };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round over every device; tests call it directly instead of waiting for the timer. */
  pollOnce(): Promise<void> {
    this.running ??= Promise.all(this.cfg.devices.map((d) => this.pollDevice(d))).then(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pollDevice(device: SnmpDeviceConfig): Promise<void> {
    this.stats.polls++;
    let reading: Reading | undefined;
    try {
      reading = await read(this.session(device));
    } catch (err) {
      this.stats.failures++;
      this.log.debug({ device: device.host, err: (err as Error).message }, 'snmp poll failed');
    }
    const verdict = this.states.get(device)!.next(reading);
    if (!verdict) return;
    const event: Record<string, unknown> = {
      type: 'snmp.poll',
      time: new Date().toISOString(),
      device: { ...(device.name ? { name: device.name } : {}), ip: device.host },
      status: verdict.status,
      reasons: verdict.reasons,
    };
    if (reading) {
      event.sysUpTime = reading.sysUpTime;
      event.interfaces = reading.interfaces;
    }
    await this.output
      .write(this.cfg.name, { event })
      .catch((e: Error) => this.log.error({ err: e.message }, 'snmp poll event not buffered'));
  }

  private session(d: SnmpDeviceConfig): Session {
    const options = {
      port: d.port,
      retries: this.cfg.retries,
      timeout: this.cfg.timeoutMs,
      transport: d.host.includes(':') ? ('udp6' as const) : ('udp4' as const),
    };
    if (d.version === '3' && d.user) {
      const u = d.user;
      return snmp.createV3Session(
        d.host,
        {
          name: u.name,
          level: snmp.SecurityLevel[u.level],
          ...(u.authProtocol ? { authProtocol: snmp.AuthProtocols[u.authProtocol], authKey: u.authKey } : {}),
          ...(u.privProtocol ? { privProtocol: snmp.PrivProtocols[u.privProtocol], privKey: u.privKey } : {}),
        },
        options,
      ) as unknown as Session;
    }
    return snmp.createSession(d.host, d.community, {
      ...options,
      version: d.version === '1' ? snmp.Version1 : snmp.Version2c,
    }) as unknown as Session;
  }
}

/** sysUpTime and the interface table of one device, then the session is closed. */
async function read(session: Session): Promise<Reading> {
  try {
    const [up] = await new Promise<Varbind[]>((resolve, reject) =>
      session.get([SYS_UPTIME], (err, vbs) => (err ? reject(err) : resolve(vbs))),
    );
    if (!up || snmp.isVarbindError(up as never)) throw new Error('no sysUpTime');
    const ifs = new Map<number, InterfaceReading>();
    const row = (index: number) => {
      const found = ifs.get(index);
      if (found) return found;
      const r: InterfaceReading = { index, operStatus: 'unknown' };
      ifs.set(index, r);
      return r;
    };
    for (const [column, apply] of [
      [
        IF_DESCR,
        (r: InterfaceReading, v: unknown) => {
          if (Buffer.isBuffer(v)) r.name = v.toString('utf8');
        },
      ],
      [
        IF_OPER_STATUS,
        (r: InterfaceReading, v: unknown) => {
          r.operStatus = OPER_STATUS[Number(v)] ?? String(v);
        },
      ],
      [
        IF_IN_ERRORS,
        (r: InterfaceReading, v: unknown) => {
          r.inErrors = Number(v);
        },
      ],
    ] as const) {
      await new Promise<void>((resolve, reject) =>
        session.subtree(
          column,
          20,
          (vbs) => {
            for (const vb of vbs) {
              if (snmp.isVarbindError(vb as never)) continue;
              apply(row(Number(vb.oid.slice(column.length + 1))), vb.value);
            }
            return undefined;
          },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    }
    return { sysUpTime: Number(up.value), interfaces: [...ifs.values()].sort((a, b) => a.index - b.index) };
  } finally {
    session.close();
  }
}
