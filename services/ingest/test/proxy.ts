import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the shared Elasticsearch, so a test can take "Elasticsearch" away
 * from the ingest without stopping the server other tests use:
 * - `down()`: close the listener and every connection (connection refused, as a dead node);
 * - `hold()`: forward requests but keep the answers back (Elasticsearch wrote the documents,
 *   the ingest never hears it: the moment a kill -9 is the most dangerous);
 * - `up()`: listen again on the same port, answers flow.
 */
export class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  #holding = false;
  readonly #held: (() => void)[] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static forUrl(url: string): TcpProxy {
    const u = new URL(url);
    return new TcpProxy(u.hostname, Number(u.port || 9200));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      this.#sockets.add(client);
      this.#sockets.add(upstream);
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        if (this.#holding) this.#held.push(() => client.write(d));
        else client.write(d);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async down(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    for (const sock of this.#sockets) sock.destroy();
    this.#sockets.clear();
    this.#held.length = 0;
    this.#holding = false;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  hold(): void {
    this.#holding = true;
  }

  release(): void {
    this.#holding = false;
    for (const f of this.#held.splice(0)) f();
  }

  /** Answers kept back so far (a bulk response is at least one). */
  get heldCount(): number {
    return this.#held.length;
  }
}
