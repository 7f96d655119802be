import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Output } from '@soc/agent-shared';
import type { Logger } from 'pino';
import type { SyslogInputConfig } from '../config.ts';
import { type Sender, syslogBody } from './body.ts';
import { FramingError, SyslogFramer } from './framing.ts';

/** What the listener met besides ordinary messages; logged, and read by tests and the heartbeat log. */
export interface SyslogStats {
  received: number;
  oversize: number;
  garbage: number;
  /** TCP/TLS connections closed because their stream was not syslog framing. */
  badFrames: number;
  connections: number;
}

/**
 * One syslog input: a UDP socket or a TCP/TLS server. Nothing a sender does ends the listener:
 * a bad datagram is shipped raw with a parse-error flag, a bad stream closes that connection.
 */
export class SyslogListener {
  readonly stats: SyslogStats = { received: 0, oversize: 0, garbage: 0, badFrames: 0, connections: 0 };
  private udp: UdpSocket | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Writes in flight; UDP cannot be paused, so stop() waits for them instead. */
  private inflight = new Set<Promise<void>>();

  get name(): string {
    return this.cfg.name;
  }

  get protocol(): SyslogInputConfig['protocol'] {
    return this.cfg.protocol;
  }

  constructor(
    private readonly cfg: SyslogInputConfig,
    private readonly output: Output,
    private readonly log: Logger,
  ) {}

  /** Resolves once listening; `address()` then gives the bound port (config port 0 in tests). */
  async start(): Promise<void> {
    if (this.cfg.protocol === 'udp') return this.startUdp();
    return this.startStream();
  }

  address(): { address: string; port: number } {
    const a = this.udp ? this.udp.address() : this.server?.address();
    if (!a || typeof a === 'string') throw new Error('not listening');
    return { address: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r()));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    await Promise.allSettled([...this.inflight]);
  }

  private ship(raw: Buffer, sender: Sender, cut = false): Promise<void> {
    const { body, verdict } = syslogBody(raw, this.cfg.maxMessageBytes, sender, cut);
    this.stats.received++;
    if (body.truncated) this.stats.oversize++;
    if (verdict === 'garbage') this.stats.garbage++;
    if (verdict !== 'ok')
      this.log.debug({ sender: `${sender.address}:${sender.port}`, verdict }, 'syslog message flagged');
    const p = this.output.write(this.cfg.name, body).catch((err: Error) => {
      // Only a failed disk append gets here; Output.failed ends the agent.
      this.log.error({ err: err.message }, 'syslog message not buffered');
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  private startUdp(): Promise<void> {
    const family = this.cfg.host.includes(':') ? 'udp6' : 'udp4';
    // A large receive buffer rides out bursts while the output appends to disk.
    const sock = createSocket({ type: family, recvBufferSize: 4 * 1024 * 1024 });
    this.udp = sock;
    sock.on('message', (msg, rinfo) => {
      if (!msg.length) return;
      void this.ship(msg, { address: rinfo.address, port: rinfo.port, transport: 'udp' });
    });
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(this.cfg.port, this.cfg.host, () => {
        sock.off('error', reject);
        sock.on('error', (err) => this.log.warn({ err: err.message }, 'syslog udp socket error'));
        resolve();
      });
    });
  }

  private startStream(): Promise<void> {
    const onConnection = (socket: Socket) => this.handle(socket);
    const tlsCfg = this.cfg.tls;
    const server =
      this.cfg.protocol === 'tls' && tlsCfg
        ? createTlsServer(
            {
              cert: readFileSync(tlsCfg.cert),
              key: readFileSync(tlsCfg.key),
              ...(tlsCfg.ca
                ? { ca: readFileSync(tlsCfg.ca), requestCert: true, rejectUnauthorized: true }
                : {}),
              minVersion: 'TLSv1.2',
            },
            onConnection,
          )
        : createServer(onConnection);
    server.maxConnections = this.cfg.maxConnections;
    // A failed handshake is one sender's problem, not the listener's.
    server.on('tlsClientError', (err) => this.log.debug({ err: err.message }, 'syslog tls handshake failed'));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.cfg.port, this.cfg.host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log.warn({ err: err.message }, 'syslog server error'));
        resolve();
      });
    });
  }

  private handle(socket: Socket): void {
    this.stats.connections++;
    this.sockets.add(socket);
    const sender: Sender = {
      address: socket.remoteAddress ?? 'unknown',
      port: socket.remotePort ?? 0,
      transport: this.cfg.protocol === 'tls' ? 'tls' : 'tcp',
    };
    const framer = new SyslogFramer(this.cfg.maxMessageBytes);
    socket.setTimeout(this.cfg.idleTimeoutMs, () => socket.destroy());
    socket.on('error', (err) =>
      this.log.debug({ err: err.message, sender: sender.address }, 'syslog connection error'),
    );
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      let frames: ReturnType<SyslogFramer['push']>;
      try {
        frames = framer.push(chunk);
      } catch (err) {
        if (!(err instanceof FramingError)) throw err;
        this.stats.badFrames++;
        this.log.warn(
          { sender: `${sender.address}:${sender.port}`, reason: err.message },
          'syslog: bad framing, connection closed',
        );
        socket.destroy();
        return;
      }
      if (!frames.length) return;
      // Backpressure: a TCP sender waits while the output's memory bound is reached.
      const writes = frames.map((f) => this.ship(f.bytes, sender, f.oversize));
      socket.pause();
      void Promise.all(writes).then(() => socket.resume());
    });
    socket.on('end', () => {
      for (const f of framer.end()) void this.ship(f.bytes, sender, f.oversize);
    });
  }
}
